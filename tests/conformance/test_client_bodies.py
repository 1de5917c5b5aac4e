"""Every body the client can send is valid under Pexip's schemas, strictly (no unknown keys)."""

from __future__ import annotations

from tests.conformance import pexip_schemas as S
from tests.helpers.pexip_fake import FakeTransport, envelope
from videotime_client.pexip.api import PexipApi


def test_every_client_request_body_is_strictly_valid() -> None:
    transport = FakeTransport()
    api = PexipApi(
        "https://join.example.no", "123456", session=transport.session(), sleep=lambda _: None
    )
    transport.reply("request_token", 403, envelope({"pin": "required", "guest_pin": "required"}))
    grant = api.request_token("Ola Nordmann", pin="1357", call_tag="appt-1")
    api.request_token("Ola", direct_media=True)
    api.refresh_token(grant.token)
    api.calls(grant.token, "me", "v=0", media_type="video", present="receive")
    api.calls(grant.token, "me", "v=0")
    api.ack(grant.token, "me", "call-1")
    api.ack(grant.token, "me", "call-1", sdp="v=0")
    api.ack(grant.token, "me", "call-1", offer_ignored=True)
    api.message(grant.token, "Hei")
    api.message(grant.token, '{"a": 1}', mime_type="application/json")
    for version in (35, 36):
        api.set_audio_muted(grant.token, "me", True, version_id=version)
        api.set_audio_muted(grant.token, "me", False, version_id=version)
    api.set_video_muted(grant.token, "me", True)
    api.set_video_muted(grant.token, "me", False)
    api.disconnect_call(grant.token, "me", "call-1")
    api.conference_status(grant.token)
    api.participants(grant.token)
    api.release_token(grant.token)

    checked = 0
    for req in transport.requests:
        prefix = S.validator_prefix(req.method, req.path)
        assert prefix is not None, f"no schema for {req.method} {req.path}"
        assert prefix != "validateDisconnect"  # the conference-level one, never
        assert S.check_request(req.method, req.path, req.body) == []
        checked += req.body is not None
    assert checked == 11  # 3 request_token, 2 calls, 3 ack, 2 message, 1 release_token


def test_the_check_catches_a_pin_in_the_body() -> None:
    path = "/conferences/123456/request_token"
    assert S.check_request("POST", path, {"display_name": "Ola", "pin": "1357"}) != []
    disconnect = "/conferences/1/participants/p/calls/c/disconnect"
    assert S.check_request("POST", disconnect, {"x": 1}) == [
        f"POST {disconnect}: sent a body, but the API defines none"
    ]


def test_response_checks_are_lenient_but_real() -> None:
    path = "/conferences/123456/refresh_token"
    ok = {"status": "success", "result": {"token": "t", "expires": "120", "extra": True}}
    assert S.check_response("POST", path, 200, ok) == []
    assert (
        S.check_response("POST", path, 200, {"status": "success", "result": {"token": "t"}}) != []
    )
    assert S.check_response("POST", path, 502, "<html>") == []  # a proxy's page, not the node
    assert S.check_response("POST", path, 403, "<html>") != []
    assert S.check_response("POST", path, 201, ok) == [
        f"POST {path}: undocumented success status 201"
    ]
