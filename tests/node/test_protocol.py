"""The node speaks the Pexip client REST API v2: envelopes, 403 shapes, tokens, SSE, admission.

Responses and SSE payloads are validated (leniently) against Pexip's published schemas.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from tests.conformance.pexip_schemas import SSE_REFS, validate, validate_ref
from tests.helpers.node import (
    DEFAULT_ROOM,
    DIRECT_ROOM,
    GUEST_PIN,
    HOST_PIN,
    PIN_ROOM,
    RunningNode,
    SseCollector,
    join,
)
from videotime_node.config import NodeConfig

NO_CLINICIAN = {"rooms": {DEFAULT_ROOM: {"clinician": False}}}


def post(node: RunningNode, alias: str, path: str, token: str | None = None, **kw: Any) -> Any:
    headers = kw.pop("headers", {})
    if token:
        headers["token"] = token
    return requests.post(f"{node.api(alias)}/{path}", headers=headers, timeout=10, **kw)


def get(node: RunningNode, alias: str, path: str, token: str) -> Any:
    return requests.get(f"{node.api(alias)}/{path}", headers={"token": token}, timeout=10)


# ---------------------------------------------------------------- request_token
def test_status_and_maintenance(node: RunningNode) -> None:
    assert requests.get(f"{node.base_url}/api/client/v2/status", timeout=5).status_code == 200
    node.inject("maintenance", on=True)
    r = requests.get(f"{node.base_url}/api/client/v2/status", timeout=5)
    assert r.status_code == 503
    r = post(node, DEFAULT_ROOM, "request_token", json={"display_name": "Ola"})
    assert (r.status_code, r.json()["result"]) == (503, "System in maintenance mode")
    assert validate("validateRequestToken503", r.json()) == []


def test_guest_without_pin_follows_the_real_two_step_flow(node: RunningNode) -> None:
    first = post(node, DEFAULT_ROOM, "request_token", json={"display_name": "Ola"})
    assert first.status_code == 403
    body = first.json()
    assert body["result"] == {
        "pin": "required",
        "guest_pin": "none",
        "version": {"version_id": "36", "pseudo_version": "79019.0.0"},
    }
    assert validate("validateRequestToken403", body) == []

    second = post(
        node, DEFAULT_ROOM, "request_token", json={"display_name": "Ola"}, headers={"pin": "none"}
    )
    assert second.status_code == 200
    assert validate("validateRequestToken200", second.json()) == []
    result = second.json()["result"]
    assert result["role"] == "GUEST"
    assert result["expires"] == "120"
    assert isinstance(result["expires"], str)
    assert result["current_service_type"] == "waiting_room"
    assert result["stun"] == []
    assert result["turn"] == []
    assert result["display_name"] == "Ola"
    assert set(result["version"]) == {"version_id", "pseudo_version"}


def test_host_pin_gives_host_in_conference(node: RunningNode) -> None:
    result = join(node, DEFAULT_ROOM, "Kari", pin=HOST_PIN)
    assert (result["role"], result["current_service_type"]) == ("HOST", "conference")


def test_wrong_pin_then_retries_exhausted(node: RunningNode) -> None:
    answers = [
        post(node, DEFAULT_ROOM, "request_token", json={"display_name": "O"}, headers={"pin": "1"})
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [403, 403, 403]
    assert [a.json()["result"] for a in answers] == [
        "Invalid PIN",
        "Invalid PIN",
        "Participant exceeded PIN entry retries",
    ]
    for a in answers:
        assert validate("validateRequestToken403", a.json()) == []


def test_unknown_room_is_404_with_pexip_text(node: RunningNode) -> None:
    r = post(node, "000000", "request_token", json={"display_name": "Ola"})
    assert r.status_code == 404
    assert r.json() == {"status": "failed", "result": "Neither conference nor gateway found"}
    assert validate("validateRequestToken404", r.json()) == []


def test_room_with_guest_pin(node: RunningNode) -> None:
    r = post(node, PIN_ROOM, "request_token", json={"display_name": "Ola"})
    assert r.json()["result"]["guest_pin"] == "required"
    r = post(node, PIN_ROOM, "request_token", json={"display_name": "O"}, headers={"pin": "none"})
    assert (r.status_code, r.json()["result"]) == (403, "Invalid PIN")
    assert join(node, PIN_ROOM, pin=GUEST_PIN)["role"] == "GUEST"
    assert join(node, PIN_ROOM, pin=HOST_PIN)["role"] == "HOST"


def test_scenario_test_call_room_needs_no_pin(node: RunningNode) -> None:
    result = join(node, "999999", pin=None)
    assert result["current_service_type"] == "test_call"
    assert result["service_type"] == "test_call"


# ---------------------------------------------------------------- tokens
def test_refresh_gives_new_token_and_old_one_dies_after_grace(node: RunningNode) -> None:
    result = join(node)
    old = result["token"]
    r = post(node, DEFAULT_ROOM, "refresh_token", old)
    assert r.status_code == 200
    assert validate("validateRefreshToken200", r.json()) == []
    new = r.json()["result"]["token"]
    assert new != old
    assert r.json()["result"]["expires"] == "120"
    # In-flight requests with the old token still work for a grace period...
    assert get(node, DEFAULT_ROOM, "conference_status", old).status_code == 200
    node.advance_clock(11)
    # ...then it is dead, while the new one lives on.
    dead = get(node, DEFAULT_ROOM, "conference_status", old)
    assert (dead.status_code, dead.json()["result"]) == (403, "Invalid token")
    assert get(node, DEFAULT_ROOM, "conference_status", new).status_code == 200


def test_unrefreshed_token_expires_with_pexip_reason(node: RunningNode) -> None:
    result = join(node)
    with SseCollector(node, DEFAULT_ROOM, result["token"]) as sse:
        sse.wait("participant_sync_end")
        node.advance_clock(121)
        data = sse.wait("disconnect")
        assert data == {"reason": "Timer expired awaiting token refresh"}
    r = post(node, DEFAULT_ROOM, "refresh_token", result["token"])
    assert (r.status_code, r.json()["result"]) == (403, "Invalid token")
    assert validate("validateRefreshToken403", r.json()) == []


def test_token_in_query_and_release(node: RunningNode) -> None:
    result = join(node)
    r = requests.get(
        f"{node.api(DEFAULT_ROOM)}/participants", params={"token": result["token"]}, timeout=5
    )
    assert r.status_code == 200
    assert validate("validateParticipants200", r.json()) == []
    r = requests.post(
        f"{node.api(DEFAULT_ROOM)}/release_token",
        params={"token": result["token"]},
        json={"reason": "User initiated disconnect"},
        timeout=5,
    )
    assert r.json() == {"status": "success", "result": True}
    assert node.participants(DEFAULT_ROOM) == []
    assert post(node, DEFAULT_ROOM, "release_token", result["token"]).status_code == 403


# ---------------------------------------------------------------- SSE
def test_every_sse_connection_starts_with_a_snapshot(node_factory: Any) -> None:
    node = node_factory(NO_CLINICIAN)
    host = join(node, DEFAULT_ROOM, "Kari", pin=HOST_PIN)
    guest = join(node)
    for _ in range(2):
        with SseCollector(node, DEFAULT_ROOM, guest["token"]) as sse:
            sse.wait("conference_update")
            names = sse.names()
            assert names[:4] == [
                "participant_sync_begin",
                "participant_create",
                "participant_create",
                "participant_sync_end",
            ]
            creates = [d for e, d in sse.events[:4] if e == "participant_create"]
            assert {c["uuid"] for c in creates} == {
                host["participant_uuid"],
                guest["participant_uuid"],
            }
            for c in creates:
                assert validate_ref(SSE_REFS["participant_create"], c) == []
            assert sse.events[0][1] is None
            assert sse.events[4][0] == "conference_update"
            status = sse.events[4][1]
            assert validate_ref(SSE_REFS["conference_update"], status) == []
            assert status["started"] is True


def test_bad_token_on_events_is_403(node: RunningNode) -> None:
    sse = SseCollector(node, DEFAULT_ROOM, "not-a-token")
    try:
        assert sse.status_code == 403
    finally:
        sse.close()


def test_drop_sse_fault_and_reconnect_resyncs(node: RunningNode) -> None:
    guest = join(node)
    with SseCollector(node, DEFAULT_ROOM, guest["token"]) as sse:
        sse.wait("participant_sync_end")
        node.inject("drop_sse", room=DEFAULT_ROOM)
        assert sse.ended.wait(5)
    with SseCollector(node, DEFAULT_ROOM, guest["token"]) as again:
        again.wait("participant_sync_begin")
        again.wait("participant_sync_end")


# ---------------------------------------------------------------- lobby and admission
def test_waiting_room_then_admission_by_a_real_host(node_factory: Any) -> None:
    node = node_factory(NO_CLINICIAN)
    guest = join(node)
    assert guest["current_service_type"] == "waiting_room"
    gt = guest["token"]
    with SseCollector(node, DEFAULT_ROOM, gt) as sse:
        sse.wait("participant_sync_end")
        host = join(node, DEFAULT_ROOM, "Kari", pin=HOST_PIN)
        ht = host["token"]
        created = sse.wait("participant_create", lambda d: d["role"] == "chair")
        assert validate_ref(SSE_REFS["participant_create"], created) == []
        started = sse.wait("conference_update", lambda d: d["started"])
        assert started["locked"] is True
        # Still waiting: the room is locked (NHN "Autolås").
        me = next(p for p in node.participants() if p["uuid"] == guest["participant_uuid"])
        assert me["service_type"] == "waiting_room"
        # Guests may not use host-only endpoints.
        uuid = guest["participant_uuid"]
        for path in (
            "lock",
            "unlock",
            "start_conference",
            f"participants/{uuid}/unlock",
            f"participants/{host['participant_uuid']}/disconnect",
        ):
            r = post(node, DEFAULT_ROOM, path, gt)
            assert r.status_code == 403, path
        r = post(node, DEFAULT_ROOM, f"participants/{uuid}/unlock", ht)
        assert r.json() == {"status": "success", "result": True}
        assert validate("validateUnlockParticipant200", r.json()) == []
        update = sse.wait("participant_update", lambda d: d["uuid"] == uuid)
        assert update["service_type"] == "conference"
        assert validate_ref(SSE_REFS["participant_update"], update) == []


def test_lock_and_unlock_admit_everyone(node_factory: Any) -> None:
    node = node_factory(NO_CLINICIAN)
    host = join(node, DEFAULT_ROOM, "Kari", pin=HOST_PIN)
    guest = join(node)
    with SseCollector(node, DEFAULT_ROOM, guest["token"]) as sse:
        assert post(node, DEFAULT_ROOM, "unlock", host["token"]).status_code == 200
        assert sse.wait("conference_update", lambda d: not d["locked"])
        sse.wait("participant_update", lambda d: d["service_type"] == "conference")
        assert post(node, DEFAULT_ROOM, "lock", host["token"]).status_code == 200
        sse.wait("conference_update", lambda d: d["locked"])
    status = get(node, DEFAULT_ROOM, "conference_status", guest["token"]).json()
    assert validate("validateConferenceStatus200", status) == []


def test_simulated_clinician_joins_admits_and_greets(node_factory: Any) -> None:
    node = node_factory({"rooms": {DEFAULT_ROOM: {"clinician": {"join_after_s": 0.5}}}})
    guest = join(node)
    with SseCollector(node, DEFAULT_ROOM, guest["token"]) as sse:
        host = sse.wait("participant_create", lambda d: d["role"] == "chair", timeout=10)
        assert host["display_name"] == "Kari Lege"
        sse.wait_participant(guest["participant_uuid"], lambda d: d["service_type"] == "conference")
        chat = sse.wait("message_received", timeout=10)
        assert chat["payload"].startswith("Hei, jeg er lege Kari Lege")
        assert chat["uuid"] == host["uuid"]
        assert chat["type"] == "text/plain"
        # The guest answers; the node records what it received.
        r = post(
            node,
            DEFAULT_ROOM,
            "message",
            guest["token"],
            json={"type": "text/plain", "payload": "Hei"},
        )
        assert r.json() == {"status": "success", "result": True}
        assert validate("validateMessageConference200", r.json()) == []
        assert node.messages()[-1]["payload"] == "Hei"


def test_default_clinician_arrives_after_three_seconds(node: RunningNode) -> None:
    guest = join(node)
    with SseCollector(node, DEFAULT_ROOM, guest["token"]) as sse:
        sse.wait("participant_sync_end")
        # Not there when the guest arrived (the snapshot has the guest alone)...
        assert [d["role"] for e, d in sse.events if e == "participant_create"] == ["guest"]
        # ...and there a few seconds later (3 s by default; the margin is for a busy CI box).
        sse.wait("participant_create", lambda d: d["role"] == "chair", timeout=8)
    assert NodeConfig().rooms[DEFAULT_ROOM].clinician.join_after_s == 3.0


def test_host_leaves_then_guests_only_timeout(node_factory: Any) -> None:
    node = node_factory({"rooms": {DEFAULT_ROOM: {"clinician": {"join_after_s": 0.2}}}})
    guest = join(node)
    with SseCollector(node, DEFAULT_ROOM, guest["token"]) as sse:
        host = sse.wait("participant_create", lambda d: d["role"] == "chair")
        sse.wait_participant(guest["participant_uuid"], lambda d: d["service_type"] == "conference")
        node.clinician(DEFAULT_ROOM, "leave")
        assert sse.wait("participant_delete") == {"uuid": host["uuid"]}
        post(node, DEFAULT_ROOM, "refresh_token", guest["token"])  # stays alive meanwhile
        node.advance_clock(61)
        assert sse.wait("disconnect") == {
            "reason": "All conference hosts departed hosted conference"
        }


def test_host_timeout_fault_ends_the_lobby_wait(node_factory: Any) -> None:
    node = node_factory(NO_CLINICIAN)
    guest = join(node)
    with SseCollector(node, DEFAULT_ROOM, guest["token"]) as sse:
        sse.wait("participant_sync_end")
        node.inject("host_timeout", room=DEFAULT_ROOM)
        assert sse.wait("disconnect")["reason"] == (
            "Timeout waiting for conference host to join or permit access to locked conference"
        )


def test_host_removes_guest(node_factory: Any) -> None:
    node = node_factory(NO_CLINICIAN)
    host = join(node, DEFAULT_ROOM, "Kari", pin=HOST_PIN)
    guest = join(node)
    with SseCollector(node, DEFAULT_ROOM, guest["token"]) as sse:
        sse.wait("participant_sync_end")
        r = post(
            node,
            DEFAULT_ROOM,
            f"participants/{guest['participant_uuid']}/disconnect",
            host["token"],
        )
        assert r.status_code == 200
        assert sse.wait("disconnect") == {"reason": "Disconnected by another participant"}


def test_self_mute_flags_reach_the_roster(node: RunningNode) -> None:
    guest = join(node)
    uuid, token = guest["participant_uuid"], guest["token"]
    with SseCollector(node, DEFAULT_ROOM, token) as sse:
        sse.wait("participant_sync_end")
        for path, key, value in (
            ("client_mute", "is_client_muted", True),
            ("video_muted", "is_video_muted", True),
            ("client_unmute", "is_client_muted", False),
            ("video_unmuted", "is_video_muted", False),
            ("mute", "is_muted", "YES"),
            ("unmute", "is_muted", "NO"),
        ):
            r = post(node, DEFAULT_ROOM, f"participants/{uuid}/{path}", token)
            assert r.json() == {"status": "success", "result": True}, path
            sse.wait("participant_update", lambda d, k=key, v=value: d[k] == v)


# ---------------------------------------------------------------- request faults
def test_http_error_burst_then_recovery(node: RunningNode) -> None:
    guest = join(node)
    node.inject("http_error", room=DEFAULT_ROOM, endpoint="refresh_token", status=503, count=2)
    codes = [post(node, DEFAULT_ROOM, "refresh_token", guest["token"]) for _ in range(3)]
    assert [c.status_code for c in codes] == [503, 503, 200]
    assert codes[0].json() == {"status": "failed", "result": "503 Service Unavailable"}


def test_proxy_html_error(node: RunningNode) -> None:
    node.inject("http_error", endpoint="request_token", status=502, html=True, count=1)
    r = post(node, DEFAULT_ROOM, "request_token", json={"display_name": "Ola"})
    assert r.status_code == 502
    assert r.headers["Content-Type"].startswith("text/html")


def test_slow_fault_delays_matching_requests_only(node: RunningNode) -> None:
    node.inject("slow", endpoint="status", delay_s=1.5, count=1)
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(f"{node.base_url}/api/client/v2/status", timeout=0.5)
    # The count is used up: the next request is answered normally.
    assert requests.get(f"{node.base_url}/api/client/v2/status", timeout=5).status_code == 200
    # Let the abandoned slow request finish before the node stops (aiohttp races otherwise).
    time.sleep(1.2)


def test_expire_tokens_fault(node: RunningNode) -> None:
    guest = join(node)
    with SseCollector(node, DEFAULT_ROOM, guest["token"]) as sse:
        sse.wait("participant_sync_end")
        node.inject("expire_tokens", room=DEFAULT_ROOM)
        assert sse.wait("disconnect") == {"reason": "Timer expired awaiting token refresh"}


def test_unknown_fault_kind_is_rejected(node: RunningNode) -> None:
    with pytest.raises(requests.HTTPError) as info:
        node.inject("explode")
    assert info.value.response.status_code == 400
    assert info.value.response.json() == {"error": "unknown fault kind 'explode'"}
    with pytest.raises(requests.HTTPError) as info:
        node.inject("http_error", status="five hundred")
    assert "status must be" in info.value.response.json()["error"]


def test_refresh_token_event_fault(node: RunningNode) -> None:
    guest = join(node)
    with SseCollector(node, DEFAULT_ROOM, guest["token"]) as sse:
        sse.wait("participant_sync_end")
        node.inject("refresh_token", room=DEFAULT_ROOM)
        assert sse.wait("refresh_token") is None


def test_waiting_room_host_timeout_from_config(node_factory: Any) -> None:
    node = node_factory({"rooms": {DEFAULT_ROOM: {"clinician": False, "host_timeout_s": 300}}})
    guest = join(node)
    with SseCollector(node, DEFAULT_ROOM, guest["token"]) as sse:
        sse.wait("participant_sync_end")
        token = guest["token"]
        for _ in range(3):  # keep the token alive over 297 s of node time
            token = post(node, DEFAULT_ROOM, "refresh_token", token).json()["result"]["token"]
            node.advance_clock(99)
        time.sleep(0.6)  # two reaper rounds: nothing may happen before the timeout
        assert "disconnect" not in sse.names()
        token = post(node, DEFAULT_ROOM, "refresh_token", token).json()["result"]["token"]
        node.advance_clock(4)
        assert sse.wait("disconnect")["reason"].startswith("Timeout waiting for conference host")


def test_simulated_clinician_leaves_and_returns(node_factory: Any) -> None:
    clinician = {"join_after_s": 0.2, "leave_after_s": 1.0, "return_after_s": 0.5}
    node = node_factory({"rooms": {DEFAULT_ROOM: {"clinician": clinician}}})
    guest = join(node)
    with SseCollector(node, DEFAULT_ROOM, guest["token"]) as sse:
        first = sse.wait("participant_create", lambda d: d["role"] == "chair")
        assert sse.wait("participant_delete", timeout=5) == {"uuid": first["uuid"]}
        again = sse.wait("participant_create", lambda d: d["role"] == "chair", timeout=5)
        assert again["display_name"] == "Kari Lege"
        assert again["uuid"] != first["uuid"]
    assert [p["service_type"] for p in node.participants() if p["role"] == "guest"] == [
        "conference"
    ]


def test_admin_api_is_loopback_only_and_validates(node: RunningNode) -> None:
    r = requests.post(
        f"{node.base_url}/_admin/faults", json={"kind": "http_error", "room": "424242"}, timeout=5
    )
    assert r.status_code == 400
    assert "no room" in r.json()["error"]


def test_unparseable_offer_is_a_plain_text_400(node: RunningNode) -> None:
    guest = join(node)
    r = post(
        node,
        DEFAULT_ROOM,
        f"participants/{guest['participant_uuid']}/calls",
        guest["token"],
        json={"call_type": "WEBRTC", "sdp": "not an offer"},
    )
    assert r.status_code == 400
    assert r.headers["Content-Type"].startswith("text/plain")
    assert validate("validateCallsWebrtcParticipant400", r.text) == []
    # Someone else's participant path is refused.
    other = join(node, name="Per")
    r = post(
        node,
        DEFAULT_ROOM,
        f"participants/{other['participant_uuid']}/calls",
        guest["token"],
        json={"call_type": "WEBRTC", "sdp": "v=0"},
    )
    assert r.status_code == 403


@pytest.mark.parametrize(
    ("peer", "allowed"), [("127.0.0.1", True), ("::1", True), ("192.0.2.7", False)]
)
def test_admin_guard_refuses_non_loopback_callers(peer: str, allowed: bool) -> None:
    import asyncio
    from unittest import mock

    from aiohttp import web
    from aiohttp.test_utils import make_mocked_request

    from videotime_node.api import admin_guard

    transport = mock.Mock()
    transport.get_extra_info.side_effect = lambda key, default=None: (
        (peer, 1234) if key == "peername" else default
    )
    request = make_mocked_request("GET", "/_admin/rooms", transport=transport)

    async def handler(_request: web.Request) -> web.StreamResponse:
        return web.Response(text="ok")

    response = asyncio.run(admin_guard(request, handler))
    assert (response.status == 200) is allowed


def test_direct_media_signalling_relay_offer_update_and_candidates(node: RunningNode) -> None:
    """The relay itself, without media: the node passes SDP and candidates through untouched."""
    from concurrent.futures import ThreadPoolExecutor

    host = join(node, DIRECT_ROOM, "Kari", pin=HOST_PIN, direct_media=True)
    guest = join(node, DIRECT_ROOM, "Ola", direct_media=True)
    ht, gt = host["token"], guest["token"]
    hp, gp = host["participant_uuid"], guest["participant_uuid"]
    assert post(node, DIRECT_ROOM, f"participants/{gp}/unlock", ht).status_code == 200
    with (
        SseCollector(node, DIRECT_ROOM, ht) as host_sse,
        SseCollector(node, DIRECT_ROOM, gt) as guest_sse,
        ThreadPoolExecutor(1) as pool,
    ):
        r = post(
            node,
            DIRECT_ROOM,
            f"participants/{hp}/calls",
            ht,
            json={"call_type": "WEBRTC", "sdp": "v=0\r\nhost-offer\r\n"},
        )
        host_call = r.json()["result"]
        assert validate("validateCallsWebrtcParticipant200", r.json()) == []
        assert (host_call["sdp"], host_call["offer_ignored"]) == ("", True)

        pending = pool.submit(
            post,
            node,
            DIRECT_ROOM,
            f"participants/{gp}/calls",
            gt,
            json={"call_type": "WEBRTC", "sdp": "v=0\r\nguest-offer\r\n"},
        )
        assert host_sse.wait("new_offer") == {"sdp": "v=0\r\nguest-offer\r\n"}
        r = post(
            node,
            DIRECT_ROOM,
            f"participants/{hp}/calls/{host_call['call_uuid']}/ack",
            ht,
            json={"sdp": "v=0\r\nhost-answer\r\n"},
        )
        assert validate("validateAck200", r.json()) == []
        guest_call = pending.result(10).json()["result"]
        assert guest_call["sdp"] == "v=0\r\nhost-answer\r\n"
        assert guest_call["offer_ignored"] is False
        assert guest_sse.wait("splash_screen", lambda d: d is None) is None

        candidate = {
            "candidate": "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host",
            "mid": "0",
            "ufrag": "abcd",
            "pwd": "secret-pwd",
        }
        r = post(
            node,
            DIRECT_ROOM,
            f"participants/{gp}/calls/{guest_call['call_uuid']}/new_candidate",
            gt,
            json=candidate,
        )
        assert validate("validateNewCandidate200", r.json()) == []
        assert host_sse.wait("new_candidate") == candidate

        pending = pool.submit(
            post,
            node,
            DIRECT_ROOM,
            f"participants/{gp}/calls/{guest_call['call_uuid']}/update",
            gt,
            json={"sdp": "v=0\r\nguest-reoffer\r\n"},
        )
        assert host_sse.wait("update_sdp") == {"sdp": "v=0\r\nguest-reoffer\r\n"}
        post(
            node,
            DIRECT_ROOM,
            f"participants/{hp}/calls/{host_call['call_uuid']}/ack",
            ht,
            json={"sdp": "v=0\r\nhost-reanswer\r\n"},
        )
        assert pending.result(10).json()["result"]["sdp"] == "v=0\r\nhost-reanswer\r\n"

        # The guest leaves: the host is told and must call again.
        post(node, DIRECT_ROOM, "release_token", gt)
        assert host_sse.wait("peer_disconnect") is None
        assert host_sse.wait("participant_delete") == {"uuid": gp}


def test_scheduled_fault_from_scenario(node_factory: Any) -> None:
    node = node_factory({"faults": [{"kind": "drop_sse", "room": DEFAULT_ROOM, "after_s": 3.0}]})
    guest = join(node)
    with SseCollector(node, DEFAULT_ROOM, guest["token"]) as sse:
        sse.wait("participant_sync_end")
        assert sse.ended.wait(10)
