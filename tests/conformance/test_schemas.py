"""The extracted schemas are faithful to Pexip's compiled validators, and they bite."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.conformance import pexip_schemas as S
from videotime_client.pexip.errors import PEX_CODES


def test_every_exported_validator_resolves() -> None:
    index = S.index()
    assert len(index) == 245
    assert index["validateRequestTokenBody"] == "#/definitions/request_token/properties/Body"
    # AJV de-duplicated identical schemas; the index still points at an equivalent slot.
    assert index["validateRequestToken503"].startswith("#/definitions/request_token/")
    for ref in index.values():
        node = S.document()
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        assert isinstance(node, dict)


def test_a_pin_in_the_body_fails_strict_validation() -> None:
    assert S.validate("validateRequestTokenBody", {"display_name": "Ola"}, strict=True) == []
    errors = S.validate(
        "validateRequestTokenBody", {"display_name": "Ola", "pin": "1234"}, strict=True
    )
    assert errors == ["<root>: Additional properties are not allowed ('pin' was unexpected)"]


@pytest.mark.parametrize(
    ("name", "body", "fragment"),
    [
        ("validateRequestTokenBody", {"direct_media": False}, "'display_name' is a required"),
        ("validateRequestTokenBody", {"display_name": 7}, "is not of type 'string'"),
        ("validateCallsWebrtcParticipantBody", {"call_type": "SIP", "sdp": "v=0"}, "is not one of"),
        ("validateAckBody", {"sdp": 1}, "is not of type 'string'"),
        ("validateMessageConferenceBody", {"type": "text/html", "payload": "x"}, "is not one of"),
        ("validateRefreshToken200", {"status": "success", "result": {"token": "t"}}, "'expires'"),
    ],
)
def test_deliberately_wrong_bodies_fail(name: str, body: object, fragment: str) -> None:
    errors = S.validate(name, body, strict=True)
    assert any(fragment in e for e in errors), errors


def test_lenient_mode_allows_newer_fields_but_not_wrong_types() -> None:
    body = {"status": "success", "result": {"token": "t", "expires": "120", "new_in_v40": 1}}
    assert S.validate("validateRefreshToken200", body) == []
    assert S.validate("validateRefreshToken200", body, strict=True) != []
    body["result"]["expires"] = 120  # a number where Pexip sends a string
    assert S.validate("validateRefreshToken200", body) != []


def test_android_fixture_request_token_v36_passes() -> None:
    # Shape of pexip-android-sdk's request_token_v36.json test fixture (Apache-2.0).
    body = {
        "status": "success",
        "result": {
            "token": "SE9TVAltZ...",
            "expires": "120",
            "participant_uuid": "2c34f6b6-7b5c-4b5a-8b4a-5a1b2c3d4e5f",
            "display_name": "John",
            "role": "HOST",
            "version": {"version_id": "36", "pseudo_version": "79019.0.0"},
            "current_service_type": "conference",
            "service_type": "conference",
            "conference_name": "Test",
            "chat_enabled": True,
            "turn": [],
        },
    }
    assert S.validate("validateRequestToken200", body) == []


def test_sse_refs_point_at_participant_and_conference_schemas() -> None:
    guest = {"uuid": "u", "display_name": "x", "role": "guest"}
    errors = S.validate_ref(S.SSE_REFS["participant_create"], guest)
    assert any("is a required property" in e for e in errors)  # v39 has many required fields
    status = {"locked": False, "guests_muted": False, "started": True}
    assert S.validate_ref(S.SSE_REFS["conference_update"], status) == []
    assert S.validate_ref(S.SSE_REFS["conference_update"], {"locked": "no"}) != []


def test_python_and_node_validators_agree() -> None:
    """Run Pexip's own compiled validators (option 1) on the same bodies as ours (option 2)."""
    samples = [
        ("token", "validateRequestTokenBody", {"display_name": "Ola", "direct_media": False}),
        ("token", "validateRequestTokenBody", {"direct_media": False}),
        ("token", "validateRequestToken200", {"status": "success", "result": {"token": "t"}}),
        ("token", "validateRequestToken403", {"status": "success", "result": "Invalid PIN"}),
        (
            "token",
            "validateRequestToken403",
            {"status": "success", "result": {"pin": "required", "guest_pin": "none"}},
        ),
        (
            "token",
            "validateRefreshToken200",
            {"status": "success", "result": {"token": "t", "expires": "120"}},
        ),
        ("token", "validateReleaseTokenBody", {"reason": "User initiated disconnect"}),
        (
            "participant",
            "validateCallsWebrtcParticipantBody",
            {"call_type": "WEBRTC", "sdp": "v=0"},
        ),
        ("participant", "validateCallsWebrtcParticipantBody", {"call_type": "SIP", "sdp": "v=0"}),
        ("call", "validateAckBody", {"sdp": "offer_ignored", "offer_ignored": True}),
        ("call", "validateAck200", {"status": "success", "result": True}),
        ("call", "validateDisconnectCall502", "bad gateway"),
        ("conference", "validateMessageConferenceBody", {"type": "text/plain", "payload": "Hei"}),
        (
            "conference",
            "validateConferenceStatus200",
            {"status": "success", "result": {"started": 1}},
        ),
    ]
    script = """
      const samples = JSON.parse(require('fs').readFileSync(0, 'utf8'));
      const out = [];
      (async () => {
        for (const [mod, name, body] of samples) {
          const m = await import(process.argv[1] + '/dist/' + mod + '/validation.js');
          out.push(m[name](JSON.parse(JSON.stringify(body))));
        }
        console.log(JSON.stringify(out));
      })();
    """
    pkg = S.package_dir()
    result = subprocess.run(
        ["node", "-e", script, str(pkg)],
        input=json.dumps(samples),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    node_verdicts = json.loads(result.stdout)
    ours = [S.validate(name, body) == [] for _, name, body in samples]
    assert ours == node_verdicts
    assert True in ours
    assert False in ours


def test_error_code_table_matches_the_sdk() -> None:
    source = (S.package_dir() / "dist" / "utils.js").read_text()
    body = source[source.index("function getErrorCode") :]
    body = body[: body.index("default:")]
    pairs = dict(re.findall(r"case '([^']+)':\s*return '(#pex\d+)';", body))
    assert len(pairs) == 50
    assert pairs == PEX_CODES
    assert "return '#pex117'" in source[source.index("function getErrorCode") :][:4000]


def test_install_is_pinned() -> None:
    package = json.loads((S.package_dir() / "package.json").read_text())
    assert package["name"] == "@pexip/infinity-api"
    assert package["version"] == S.PACKAGE_VERSION == "20.0.0"
    assert Path(S.HERE / ".cache").is_dir()
