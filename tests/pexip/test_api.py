"""PexipApi against an in-memory transport: PIN flow, error mapping, retries, timeouts, privacy."""

from __future__ import annotations

import logging

import pytest
import requests

from tests.helpers.pexip_fake import FakeTransport, envelope, grant_result
from videotime_client.pexip import errors as E
from videotime_client.pexip.api import ACK_TIMEOUT, SIGNALLING_TIMEOUT, InsecureNodeUrl, PexipApi

PIN_PROMPT = {"pin": "required", "guest_pin": "none", "version": {"version_id": "36"}}
GUEST_PIN_PROMPT = {"pin": "required", "guest_pin": "required", "version": {"version_id": "36"}}


def test_pinless_room_joins_on_the_first_request(api: PexipApi, transport: FakeTransport) -> None:
    grant = api.request_token("Ola Nordmann")
    assert grant.token == "T1"
    assert grant.expires == 120  # "120" as a string on the wire
    assert grant.role == "GUEST"
    assert grant.version_id == 36
    assert [s.urls for s in grant.ice_servers] == [("stun:stun.example:3478",)]
    (req,) = transport.of("request_token")
    assert "pin" not in req.headers
    # direct_media is chosen explicitly, and nothing but schema keys are in the body
    assert req.body == {"display_name": "Ola Nordmann", "direct_media": False}
    assert req.timeout == SIGNALLING_TIMEOUT


def test_guest_without_pin_repeats_with_pin_none(api: PexipApi, transport: FakeTransport) -> None:
    transport.reply("request_token", 403, envelope(PIN_PROMPT))
    grant = api.request_token(
        "Ola", pin="2468"
    )  # a PIN we hold is NOT used: it could be the host's
    assert grant.token == "T1"
    first, second = transport.of("request_token")
    assert "pin" not in first.headers
    assert second.headers["pin"] == "none"
    assert "pin" not in second.body


def test_guest_pin_required_asks_the_patient(api: PexipApi, transport: FakeTransport) -> None:
    transport.reply("request_token", 403, envelope(GUEST_PIN_PROMPT, "failed"))
    with pytest.raises(E.PinRequired) as info:
        api.request_token("Ola")
    assert len(transport.of("request_token")) == 1
    assert "PIN" in info.value.message("nb")


def test_guest_pin_goes_only_in_the_header(api: PexipApi, transport: FakeTransport) -> None:
    transport.reply("request_token", 403, envelope(GUEST_PIN_PROMPT))
    api.request_token("Ola", pin="1357")
    first, second = transport.of("request_token")
    assert "pin" not in first.headers
    assert second.headers["pin"] == "1357"
    assert "1357" not in (second.raw_body or b"").decode()
    assert "1357" not in second.url


@pytest.mark.parametrize(
    ("reason", "error", "pex"),
    [
        ("Invalid PIN", E.InvalidPin, "#pex101"),
        ("Participant exceeded PIN entry retries", E.PinRetriesExceeded, "#pex192"),
        ("Participant limit reached", E.CapacityError, "#pex194"),
        ("Invalid role", E.NotAllowed, "#pex100"),
        ("Something new and strange", E.NotAllowed, "#pex117"),
    ],
)
def test_pin_step_errors_are_typed(
    api: PexipApi, transport: FakeTransport, reason: str, error: type[E.PexipError], pex: str
) -> None:
    transport.reply("request_token", 403, envelope(GUEST_PIN_PROMPT))
    transport.reply("request_token", 403, envelope(reason, "failed"))
    with pytest.raises(error) as info:
        api.request_token("Ola", pin="0000")
    assert type(info.value) is error
    assert info.value.pex_code == pex
    assert info.value.http_status == 403


def test_unknown_room_even_with_status_success(api: PexipApi, transport: FakeTransport) -> None:
    # Android fixtures show 404 with "status": "success": never branch on status.
    transport.reply("request_token", 404, envelope("Neither conference nor gateway found"))
    with pytest.raises(E.ConferenceNotFound) as info:
        api.request_token("Ola")
    assert info.value.pex_code == "#pex154"


def test_maintenance(api: PexipApi, transport: FakeTransport) -> None:
    transport.reply("request_token", 503, envelope("System in maintenance mode", "failed"))
    with pytest.raises(E.Maintenance) as info:
        api.request_token("Ola")
    assert info.value.pex_code == "#pex110"


def test_request_token_is_never_retried(api: PexipApi, transport: FakeTransport) -> None:
    transport.reply("request_token", 502, "<html>Bad gateway</html>")
    with pytest.raises(E.NodeUnavailable):
        api.request_token("Ola")
    transport.reply("request_token", 0, requests.ConnectionError("refused"))
    with pytest.raises(E.NodeUnavailable):
        api.request_token("Ola")
    assert len(transport.of("request_token")) == 2


@pytest.mark.parametrize(
    "result",
    [
        {"idp": [{"name": "Hospital", "uuid": "i1"}], "version": {"version_id": "36"}},
        {"redirect_url": "https://idp/?SAMLRequest=x", "redirect_idp": {"name": "x", "uuid": "i"}},
        {"conference_extension": "required", "conference_extension_type": "standard"},
    ],
)
def test_sso_and_virtual_reception_are_not_for_patients(
    api: PexipApi, transport: FakeTransport, result: dict[str, object]
) -> None:
    transport.reply("request_token", 403, envelope(result))
    with pytest.raises(E.NotAllowed):
        api.request_token("Ola")


def test_request_token_200_without_token_is_a_protocol_error(
    api: PexipApi, transport: FakeTransport
) -> None:
    transport.reply("request_token", 200, envelope("ok"))
    with pytest.raises(E.ProtocolError):
        api.request_token("Ola")


def test_refresh_uses_the_token_header_and_returns_the_new_token(
    api: PexipApi, transport: FakeTransport
) -> None:
    fresh = api.refresh_token("T1")
    assert fresh.token == "T2"
    assert fresh.expires == 120
    (req,) = transport.of("refresh_token")
    assert req.headers["token"] == "T1"
    assert "T1" not in req.url
    assert req.body is None


def test_invalid_token_is_typed(api: PexipApi, transport: FakeTransport) -> None:
    transport.reply("refresh_token", 403, envelope("Invalid token"))
    with pytest.raises(E.InvalidToken) as info:
        api.refresh_token("T1")
    assert isinstance(info.value, E.TokenExpired)
    assert info.value.pex_code == "#pex113"


def test_release_token_twice_is_harmless(api: PexipApi, transport: FakeTransport) -> None:
    api.release_token("T1")
    transport.reply("release_token", 403, envelope("Invalid token"))
    api.release_token("T1")
    bodies = [r.body for r in transport.of("release_token")]
    assert bodies == [{"reason": "User initiated disconnect"}] * 2


def test_calls_sends_a_full_offer_and_is_not_retried(
    api: PexipApi, transport: FakeTransport, sleeps: list[float]
) -> None:
    answer = api.calls("T1", "me-uuid", "v=0\r\na=candidate:1 1 udp 1 127.0.0.1 9 typ host\r\n")
    assert answer.call_uuid == "call-1"
    (req,) = transport.of("calls")
    assert req.path == "/conferences/123456/participants/me-uuid/calls"
    assert req.body["call_type"] == "WEBRTC"
    assert "a=candidate" in req.body["sdp"]
    assert req.timeout == SIGNALLING_TIMEOUT
    transport.reply("calls", 502, "bad gateway")
    with pytest.raises(E.NodeUnavailable):
        api.calls("T1", "me-uuid", "v=0")
    assert len(transport.of("calls")) == 2
    assert sleeps == []


def test_calls_text_errors_do_not_leak_sdp(api: PexipApi, transport: FakeTransport) -> None:
    transport.reply("calls", 400, "Could not parse SDP: v=0 secret-ufrag")
    with pytest.raises(E.CallRejected) as info:
        api.calls("T1", "me-uuid", "v=0")
    assert "secret-ufrag" not in str(info.value)


def test_calls_accepts_direct_media_and_legacy_answers(
    api: PexipApi, transport: FakeTransport
) -> None:
    transport.reply("calls", 200, envelope({"call_uuid": "c2", "sdp": "", "offer_ignored": True}))
    answer = api.calls("T1", "me-uuid", "v=0")
    assert (answer.call_uuid, answer.sdp, answer.offer_ignored) == ("c2", "", True)
    transport.reply("calls", 200, envelope("v=0\r\n(bare answer)"))
    assert api.calls("T1", "me-uuid", "v=0").sdp.startswith("v=0")


def test_ack_with_and_without_sdp(api: PexipApi, transport: FakeTransport) -> None:
    api.ack("T1", "me-uuid", "call-1")
    api.ack("T1", "me-uuid", "call-1", sdp="v=0 answer")
    api.ack("T1", "me-uuid", "call-1", offer_ignored=True)
    bodies = [r.body for r in transport.of("ack")]
    assert bodies == [{}, {"sdp": "v=0 answer"}, {"sdp": "offer_ignored", "offer_ignored": True}]
    assert all(r.timeout == ACK_TIMEOUT for r in transport.of("ack"))
    assert ACK_TIMEOUT[1] >= 300


def test_safe_calls_retry_502_and_504_with_backoff(
    api: PexipApi, transport: FakeTransport, sleeps: list[float]
) -> None:
    transport.reply("ack", 502, "<html>proxy</html>")
    transport.reply("ack", 504, envelope("timeout", "failed"))
    transport.reply("ack", 0, requests.ConnectionError("reset"))
    api.ack("T1", "me-uuid", "call-1")
    assert len(transport.of("ack")) == 4
    assert sleeps == [0.5, 1.0, 1.5]


def test_retries_give_up_with_a_typed_error(api: PexipApi, transport: FakeTransport) -> None:
    for _ in range(6):
        transport.reply("disconnect", 502, "<html>proxy</html>")
    with pytest.raises(E.NodeUnavailable) as info:
        api.disconnect_call("T1", "me-uuid", "call-1")
    assert info.value.http_status == 502
    assert len(transport.of("disconnect")) == 6


def test_503_is_not_retried(api: PexipApi, transport: FakeTransport) -> None:
    transport.reply("video_muted", 503, envelope("503 Service Unavailable", "failed"))
    with pytest.raises(E.NodeUnavailable):
        api.set_video_muted("T1", "me-uuid", True)
    assert len(transport.of("video_muted")) == 1


def test_message_is_never_repeated(api: PexipApi, transport: FakeTransport) -> None:
    transport.reply("message", 0, requests.ConnectionError("reset"))
    with pytest.raises(E.NodeUnavailable):
        api.message("T1", "Hei")
    api.message("T1", "Hei")
    assert [r.body for r in transport.of("message")] == [
        {"type": "text/plain", "payload": "Hei"}
    ] * 2


@pytest.mark.parametrize(
    ("version", "mute", "unmute"),
    [
        (36, "client_mute", "client_unmute"),
        (39, "client_mute", "client_unmute"),
        (35, "mute", "unmute"),
    ],
)
def test_self_mute_endpoint_depends_on_version(
    api: PexipApi, transport: FakeTransport, version: int, mute: str, unmute: str
) -> None:
    api.set_audio_muted("T1", "me-uuid", True, version_id=version)
    api.set_audio_muted("T1", "me-uuid", False, version_id=version)
    assert [r.endpoint for r in transport.requests] == [mute, unmute]
    assert all(
        r.path.startswith("/conferences/123456/participants/me-uuid/") for r in transport.requests
    )


def test_video_mute_endpoints(api: PexipApi, transport: FakeTransport) -> None:
    api.set_video_muted("T1", "me-uuid", True)
    api.set_video_muted("T1", "me-uuid", False)
    assert [r.endpoint for r in transport.requests] == ["video_muted", "video_unmuted"]


def test_no_conference_level_disconnect_exists(api: PexipApi) -> None:
    # The host-only "disconnect everyone" must not be reachable from the patient's client.
    names = [n for n in dir(api) if "disconnect" in n]
    assert names == ["disconnect_call"]


def test_status_and_conference_status(api: PexipApi, transport: FakeTransport) -> None:
    api.status()
    assert transport.requests[-1].path == "/status"
    assert api.conference_status("T1")["started"] is True
    transport.reply("status", 503, envelope("System in maintenance mode"))
    with pytest.raises(E.Maintenance):
        api.status()


@pytest.mark.parametrize(
    "url",
    ["http://join.nhn.no", "ftp://join.nhn.no", "http://10.0.0.1:8080", "join.nhn.no"],
)
def test_plain_http_only_for_loopback(url: str) -> None:
    with pytest.raises(InsecureNodeUrl):
        PexipApi(url, "123456")


@pytest.mark.parametrize(
    ("url", "root"),
    [
        ("https://join.nhn.no", "https://join.nhn.no/api/client/v2"),
        ("https://join.nhn.no/api/client/v2/", "https://join.nhn.no/api/client/v2"),
        ("http://127.0.0.1:8443", "http://127.0.0.1:8443/api/client/v2"),
        ("http://[::1]:8443", "http://[::1]:8443/api/client/v2"),
        ("http://localhost:1", "http://localhost:1/api/client/v2"),
    ],
)
def test_api_root(url: str, root: str) -> None:
    assert PexipApi(url, "123 456").root == root


def test_alias_is_url_encoded() -> None:
    assert PexipApi("https://n", "a b/c").conference_url.endswith("/conferences/a%20b%2Fc")


def test_certificate_verification_cannot_be_turned_off(transport: FakeTransport) -> None:
    session = transport.session()
    session.verify = False
    with pytest.raises(ValueError, match="verification"):
        PexipApi("https://join.nhn.no", "123456", session=session)


def test_nothing_secret_is_logged(
    api: PexipApi, transport: FakeTransport, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    transport.reply("request_token", 403, envelope(GUEST_PIN_PROMPT))
    transport.reply("request_token", 200, envelope(grant_result(token="SECRET-TOKEN")))
    grant = api.request_token("Kari Secretname", pin="97531")
    api.calls(grant.token, "me-uuid", "v=0 SDP-UFRAG-SECRET")
    api.ack(grant.token, "me-uuid", "call-1", sdp="v=0 SDP-ANSWER-SECRET")
    text = caplog.text + repr(grant)
    for secret in ("SECRET-TOKEN", "Kari Secretname", "97531", "SDP-UFRAG-SECRET", "SDP-ANSWER"):
        assert secret not in text
    assert "request_token" in caplog.text  # the log is not simply empty


def test_from_an_invitations_conference_url() -> None:
    from videotime_client.invitation import parse_invitation

    invitation = parse_invitation("https://join.nhn.no/webapp/conference/123456")
    api = PexipApi.from_conference_url(invitation.api_base)
    assert (api.root, api.alias) == ("https://join.nhn.no/api/client/v2", "123456")
    assert api.conference_url == invitation.api_base
    api = PexipApi.from_conference_url("http://127.0.0.1:8443/api/client/v2/conferences/a%20b")
    assert api.alias == "a b"
    with pytest.raises(E.ProtocolError):
        PexipApi.from_conference_url("https://join.nhn.no/webapp/conference/123456")


def test_text_bodies_never_become_the_reason(api: PexipApi, transport: FakeTransport) -> None:
    transport.reply("request_token", 502, "<html><body>Bad Gateway</body></html>")
    with pytest.raises(E.NodeUnavailable) as info:
        api.request_token("Ola")
    assert info.value.reason is None
    assert "html" not in str(info.value)
    transport.reply("request_token", 403, "Invalid PIN")  # text, not the JSON envelope
    with pytest.raises(E.NotAllowed):
        api.request_token("Ola")


def test_404_after_joining_is_not_a_wrong_room_number(
    api: PexipApi, transport: FakeTransport
) -> None:
    transport.reply("ack", 404, envelope("Call not found", "failed"))
    with pytest.raises(E.CallRejected):
        api.ack("T1", "me-uuid", "gone")
    transport.reply("message", 404, envelope("Participant not found", "failed"))
    with pytest.raises(E.ProtocolError):
        api.message("T1", "Hei")
    transport.reply("message", 404, envelope("Neither conference nor gateway found", "failed"))
    with pytest.raises(E.ConferenceNotFound):
        api.message("T1", "Hei")


def test_absurd_answers_are_typed_errors_or_defaults_never_crashes(
    api: PexipApi, transport: FakeTransport
) -> None:
    # float("1e400") is inf and int(inf) raises OverflowError, which is not a ValueError.
    odd = grant_result(expires="1e400", version={"version_id": "inf"})
    transport.reply("request_token", 200, envelope(odd))
    grant = api.request_token("Ola")
    assert (grant.expires, grant.version_id) == (120, None)
    # json.loads raises RecursionError (not ValueError) on deeply nested input.
    transport.reply("request_token", 200, "[" * 100_000 + "]" * 100_000)
    with pytest.raises(E.ProtocolError):
        api.request_token("Ola")
