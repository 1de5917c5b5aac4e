"""Validate bodies against the JSON Schemas Pexip publishes in ``@pexip/infinity-api``.

The schemas ship only as compiled AJV validators; ``install.sh`` installs the pinned package with
npm (once, into ``tests/conformance/.cache/``, gitignored) and ``extract_schemas.mjs`` rebuilds one
draft-06 document plus an index (validator name -> ``$ref``). This module is the thin Python side:

    validate("validateRequestTokenBody", {"display_name": "Ola"}, strict=True)  # [] == valid
    validate("validateRequestToken200", response_json)                          # lenient
    validate_ref(SSE_REFS["participant_create"], event_data)

``strict=True`` keeps ``additionalProperties: false`` (for the bodies *we* send: a PIN in the body
must fail). The default lenient mode drops it everywhere, which mirrors the SDK's AJV
``removeAdditional`` behaviour (unknown keys are stripped, never rejected) and suits responses.

Node-side tests may import this module too (``from tests.conformance.pexip_schemas import ...``).
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import jsonschema

PACKAGE_VERSION = "20.0.0"
HERE = Path(__file__).resolve().parent

# SSE payloads have no schemas of their own; these reuse the REST result schemas (reference §10).
SSE_REFS: dict[str, str] = {
    "participant_create": "#/definitions/participants/properties/200/definitions/Participant",
    "participant_update": "#/definitions/participants/properties/200/definitions/Participant",
    "conference_update": "#/definitions/conference_status/properties/200/definitions/Result",
}


@functools.cache
def _schema_dir() -> Path:
    result = subprocess.run(
        ["bash", str(HERE / "install.sh")],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**os.environ, "PEXIP_INFINITY_API_VERSION": PACKAGE_VERSION},
    )
    if result.returncode != 0:
        raise RuntimeError(f"could not install @pexip/infinity-api: {result.stderr.strip()}")
    return Path(result.stdout.strip().splitlines()[-1])


def package_dir() -> Path:
    """Where the pinned npm package is installed (``.../node_modules/@pexip/infinity-api``)."""
    return _schema_dir().parent / "node_modules" / "@pexip" / "infinity-api"


@functools.cache
def document() -> dict[str, Any]:
    """The extracted draft-06 document (``definitions.<endpoint>.properties.<slot>``)."""
    return dict(json.loads((_schema_dir() / "schemas.json").read_text()))


@functools.cache
def index() -> dict[str, str]:
    """Exported validator name (e.g. ``validateAck200``) -> ``$ref`` into :func:`document`."""
    return dict(json.loads((_schema_dir() / "index.json").read_text()))


def _relax(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: _relax(v)
            for k, v in node.items()
            if not (k == "additionalProperties" and v is False)
        }
    if isinstance(node, list):
        return [_relax(v) for v in node]
    return node


@functools.cache
def _definitions(strict: bool) -> dict[str, Any]:
    defs = copy.deepcopy(document()["definitions"])
    return defs if strict else dict(_relax(defs))


@functools.cache
def _validator(ref: str, strict: bool) -> jsonschema.Draft6Validator:
    schema = {"allOf": [{"$ref": ref}], "definitions": _definitions(strict)}
    return jsonschema.Draft6Validator(schema)


def validate_ref(ref: str, body: Any, *, strict: bool = False) -> list[str]:
    """Errors (empty when valid) of ``body`` against the schema at ``ref``."""
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in _leaves(_validator(ref, strict).iter_errors(body))
    ]


def _leaves(errors: Any) -> list[jsonschema.ValidationError]:
    """The innermost errors: ``oneOf`` wrappers say only "not valid under any of the schemas"."""
    out: list[jsonschema.ValidationError] = []
    for error in errors:
        out.extend(_leaves(error.context) if error.context else [error])
    return sorted(out, key=lambda e: [str(p) for p in e.absolute_path])


def validate(name: str, body: Any, *, strict: bool = False) -> list[str]:
    """Errors (empty when valid) of ``body`` against Pexip's validator ``name``."""
    try:
        ref = index()[name]
    except KeyError:
        raise KeyError(f"no validator named {name!r} in @pexip/infinity-api") from None
    return validate_ref(ref, body, strict=strict)


# ---------------------------------------------------------------- HTTP exchanges

# (method, path pattern after /api/client/v2) -> validator prefix, for the endpoints a guest
# client (and the embedded node) use. {a} alias, {p} participant, {c} call.
_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    (
        m,
        re.compile(
            "^" + p.replace("{a}", "[^/]+").replace("{p}", "[^/]+").replace("{c}", "[^/]+") + "$"
        ),
        v,
    )
    for m, p, v in [
        ("POST", "/conferences/{a}/request_token", "validateRequestToken"),
        ("POST", "/conferences/{a}/refresh_token", "validateRefreshToken"),
        ("POST", "/conferences/{a}/release_token", "validateReleaseToken"),
        ("POST", "/conferences/{a}/message", "validateMessageConference"),
        ("POST", "/conferences/{a}/disconnect", "validateDisconnect"),
        ("GET", "/conferences/{a}/conference_status", "validateConferenceStatus"),
        ("GET", "/conferences/{a}/participants", "validateParticipants"),
        ("POST", "/conferences/{a}/participants/{p}/calls", "validateCallsWebrtcParticipant"),
        ("POST", "/conferences/{a}/participants/{p}/message", "validateMessageParticipant"),
        ("POST", "/conferences/{a}/participants/{p}/client_mute", "validateClientMuteParticipant"),
        (
            "POST",
            "/conferences/{a}/participants/{p}/client_unmute",
            "validateClientUnmuteParticipant",
        ),
        ("POST", "/conferences/{a}/participants/{p}/mute", "validateMuteParticipant"),
        ("POST", "/conferences/{a}/participants/{p}/unmute", "validateUnmuteParticipant"),
        ("POST", "/conferences/{a}/participants/{p}/video_muted", "validateVideoMuteParticipant"),
        (
            "POST",
            "/conferences/{a}/participants/{p}/video_unmuted",
            "validateVideoUnmuteParticipant",
        ),
        ("POST", "/conferences/{a}/participants/{p}/calls/{c}/ack", "validateAck"),
        (
            "POST",
            "/conferences/{a}/participants/{p}/calls/{c}/disconnect",
            "validateDisconnectCall",
        ),
        (
            "POST",
            "/conferences/{a}/participants/{p}/calls/{c}/new_candidate",
            "validateNewCandidate",
        ),
        ("POST", "/conferences/{a}/participants/{p}/calls/{c}/update", "validateUpdate"),
    ]
]


def validator_prefix(method: str, path: str) -> str | None:
    """``validateAck`` for ``POST /conferences/1/participants/p/calls/c/ack`` (path after
    ``/api/client/v2``); None for endpoints without schemas (``/status``, ``/events``)."""
    for route_method, pattern, prefix in _ROUTES:
        if route_method == method and pattern.match(path):
            return prefix
    return None


def check_request(method: str, path: str, body: Any) -> list[str]:
    """Strict check of a body the client sent (None = no body)."""
    prefix = validator_prefix(method, path)
    if prefix is None or body is None:
        return []
    name = f"{prefix}Body"
    if name not in index():
        return [f"{method} {path}: sent a body, but the API defines none"]
    return [f"{method} {path} request {e}" for e in validate(name, body, strict=True)]


def check_response(method: str, path: str, status: int, body: Any) -> list[str]:
    """Lenient check of a node's answer. A 200 must have a schema; other codes are checked
    when the API documents them (proxies may answer anything on error paths)."""
    prefix = validator_prefix(method, path)
    if prefix is None:
        return []
    if status >= 500 and isinstance(body, str) and body.lstrip().startswith("<"):
        return []  # a reverse proxy's HTML error page (reference §1): not the node speaking
    name = f"{prefix}{status}"
    if name not in index():
        return [f"{method} {path}: undocumented success status {status}"] if status < 300 else []
    return [f"{method} {path} {status} response {e}" for e in validate(name, body)]


def check_sse(name: str, data: Any) -> list[str]:
    ref = SSE_REFS.get(name)
    if ref is None:
        return []
    return [f"SSE {name} {e}" for e in validate_ref(ref, data)]
