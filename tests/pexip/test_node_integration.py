"""The Pexip client against the real embedded node, over loopback HTTP.

Every test records its traffic through the injected transport (tests/conformance/recorder.py)
and, at teardown, validates it against Pexip's published schemas: our request bodies strictly,
the node's answers and SSE payloads leniently.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.conformance.recorder import RecordingAdapter
from tests.helpers.node import GUEST_PIN, PIN_ROOM, RunningNode
from tests.helpers.pexip_fake import ManualScheduler
from tests.pexip.test_session import Events
from videotime_client.pexip import errors as E
from videotime_client.pexip.api import PexipApi
from videotime_client.pexip.events import Backoff
from videotime_client.pexip.lobby import LobbyState
from videotime_client.pexip.session import (
    ChatMessage,
    ConferenceSession,
    ConnectionChanged,
    MediaSignal,
    RosterChanged,
)

ROOM = "555001"  # our own room per scenario, so the default rooms' timers stay out of the way


def scenario(**room: Any) -> dict[str, Any]:
    clinician = room.pop(
        "clinician", {"join_after_s": 0.3, "admit_after_s": 0.2, "greeting": "Hei"}
    )
    return {"rooms": {ROOM: {"name": "Integrasjon", "clinician": clinician, **room}}}


@dataclass
class Client:
    node: RunningNode
    recorder: RecordingAdapter
    events: Events = field(default_factory=Events)
    sessions: list[ConferenceSession] = field(default_factory=list)

    def api(self, alias: str = ROOM, verify: bool | str | None = None) -> PexipApi:
        if verify is None:
            verify = self.node.ca_file or True
        session = self.recorder.session(verify=verify)
        return PexipApi(self.node.base_url, alias, session=session, backoff=0.05)

    def session(self, alias: str = ROOM, **kw: Any) -> ConferenceSession:
        kw.setdefault("stream_backoff", Backoff(first=0.05, cap=0.5))
        session = ConferenceSession(self.api(alias), self.events.sink, **kw)
        self.sessions.append(session)
        return session


@pytest.fixture
def make_client() -> Iterator[Callable[[RunningNode], Client]]:
    made: list[Client] = []

    def make(node: RunningNode) -> Client:
        client = Client(node, RecordingAdapter())
        made.append(client)
        return client

    yield make
    for client in made:
        for session in client.sessions:
            session.leave()
    # Reader and timer threads stop on leave(), promptly (not by a join timeout).
    assert not [t for t in threading.enumerate() if t.name.startswith("pexip-")]
    for client in made:
        problems = client.recorder.problems()
        assert problems == [], "traffic does not conform to @pexip/infinity-api:\n" + "\n".join(
            problems
        )
        assert client.recorder.exchanges, "nothing was recorded"


@pytest.fixture
def client(
    node_factory: Callable[..., RunningNode], make_client: Callable[[RunningNode], Client]
) -> Client:
    return make_client(node_factory(scenario()))


def me_on_node(client: Client, session: ConferenceSession) -> dict[str, Any]:
    (me,) = [p for p in client.node.participants(ROOM) if p["uuid"] == session.participant_uuid]
    return me


def make_offer() -> str:
    """A complete (non-trickle) aiortc offer gathered on loopback, as the call engine sends."""
    from videotime_node.media import new_peer_connection, set_local_description

    async def offer() -> str:
        pc = new_peer_connection()
        try:
            pc.addTransceiver("audio", direction="recvonly")
            pc.addTransceiver("video", direction="recvonly")
            await set_local_description(pc, await pc.createOffer(), ["127.0.0.1"])
            return str(pc.localDescription.sdp)
        finally:
            await pc.close()

    return asyncio.run(offer())


# ---------------------------------------------------------------- joining


def test_pinless_guest_join_waits_then_is_admitted(client: Client) -> None:
    session = client.session()
    grant = session.join("Ola Nordmann")
    assert grant.role == "GUEST"
    assert grant.current_service_type == "waiting_room"
    first, second = client.recorder.of("/request_token")
    assert (first.status, second.status) == (403, 200)
    assert first.response_body["result"]["guest_pin"] == "none"
    client.events.lobby(LobbyState.WAITING_FOR_HOST)
    change = client.events.lobby(LobbyState.ADMITTED, timeout=10)
    assert change.previous is LobbyState.WAITING_FOR_HOST
    chat = client.events.wait(lambda e: isinstance(e, ChatMessage), timeout=10)
    assert isinstance(chat, ChatMessage)
    assert chat.payload == "Hei"
    assert me_on_node(client, session)["service_type"] == "conference"
    session.send_message("Takk")
    assert client.node.messages(ROOM)[-1]["payload"] == "Takk"
    session.set_audio_muted(True)
    session.set_video_muted(True)
    me = me_on_node(client, session)
    assert (me["is_client_muted"], me["is_video_muted"]) == (True, True)
    session.leave()
    client.node.wait_for(lambda n: not [p for p in n.participants(ROOM) if not p["simulated"]])
    assert client.recorder.of("/release_token")[0].status == 200


def test_guest_pin_required_then_right_pin(
    node: RunningNode, make_client: Callable[[RunningNode], Client]
) -> None:
    client = make_client(node)
    with pytest.raises(E.PinRequired):
        client.session(PIN_ROOM).join("Ola")
    session = client.session(PIN_ROOM)
    grant = session.join("Ola", GUEST_PIN)
    assert grant.role == "GUEST"
    sent = [ex for ex in client.recorder.of("/request_token")]
    assert len(sent) == 3
    assert all("pin" not in (ex.request_body or {}) for ex in sent)


def test_wrong_pin_then_retries_exhausted(
    node: RunningNode, make_client: Callable[[RunningNode], Client]
) -> None:
    api = make_client(node).api(PIN_ROOM)
    with pytest.raises(E.InvalidPin) as info:
        api.request_token("Ola", "0000")
    assert info.value.pex_code == "#pex101"
    with pytest.raises(E.InvalidPin):
        api.request_token("Ola", "0000")
    with pytest.raises(E.PinRetriesExceeded) as exceeded:
        api.request_token("Ola", "0000")
    assert exceeded.value.pex_code == "#pex192"


def test_unknown_room(node: RunningNode, make_client: Callable[[RunningNode], Client]) -> None:
    api = make_client(node).api("000000")
    with pytest.raises(E.ConferenceNotFound) as info:
        api.request_token("Ola")
    assert info.value.pex_code == "#pex154"
    assert info.value.http_status == 404


def test_maintenance(node: RunningNode, make_client: Callable[[RunningNode], Client]) -> None:
    api = make_client(node).api("123456")
    node.inject("maintenance", on=True)
    with pytest.raises(E.Maintenance):
        api.status()
    with pytest.raises(E.Maintenance):
        api.request_token("Ola")
    node.inject("maintenance", on=False)
    api.status()


# ---------------------------------------------------------------- token lifecycle


def test_token_refresh_over_six_simulated_minutes(client: Client) -> None:
    scheduler = ManualScheduler()
    session = client.session(scheduler=scheduler)
    session.join("Ola")
    client.events.lobby(LobbyState.ADMITTED, timeout=10)
    for _ in range(9):  # 9 x 40 s = 6 minutes on both clocks; the token lives 120 s
        client.node.advance_clock(40)
        scheduler.advance(40)
    assert session.refreshes == 9
    assert not session.ended
    tokens = [ex.response_body["result"]["token"] for ex in client.recorder.of("/refresh_token")]
    assert len(set(tokens)) == 9
    assert session.token == tokens[-1]
    # Still in the meeting after 6 minutes: the node would have dropped a stale token.
    time.sleep(0.6)  # > one node reaper tick
    assert me_on_node(client, session)["service_type"] == "conference"
    session.send_message("fortsatt her")


def test_refresh_5xx_burst_recovers(client: Client) -> None:
    scheduler = ManualScheduler()
    session = client.session(scheduler=scheduler, refresh_backoff=Backoff(first=1, jitter=0))
    session.join("Ola")
    client.node.inject("http_error", room=ROOM, endpoint="refresh_token", status=503, count=3)
    scheduler.advance(40)
    scheduler.advance(1 + 2 + 4)
    statuses = [ex.status for ex in client.recorder.of("/refresh_token")]
    assert statuses == [503, 503, 503, 200]
    assert session.refreshes == 1
    assert not session.ended


def test_expired_tokens_end_with_a_typed_error(client: Client) -> None:
    session = client.session()
    session.join("Ola")
    client.events.lobby(LobbyState.ADMITTED, timeout=10)
    client.node.inject("expire_tokens", room=ROOM)
    ended = client.events.ended(timeout=10)
    assert isinstance(ended.error, E.Removed | E.TokenExpired)
    assert ended.error.pex_code == "#pex113"
    assert session.ended


# ---------------------------------------------------------------- events, lobby


def test_dropped_sse_reconnects_with_a_fresh_snapshot(client: Client) -> None:
    session = client.session()
    session.join("Ola")
    client.events.lobby(LobbyState.ADMITTED, timeout=10)
    client.node.inject("drop_sse", room=ROOM)
    assert client.events.wait(lambda e: e == ConnectionChanged(False)) == ConnectionChanged(False)
    client.events.wait(lambda e: e == ConnectionChanged(True))
    client.events.drain(settle=0)
    roster = client.events.wait(lambda e: isinstance(e, RosterChanged))
    assert isinstance(roster, RosterChanged)
    assert {p.role for p in roster.participants} == {"chair", "guest"}
    assert len(client.recorder.streams) == 2
    assert session.lobby_state is LobbyState.ADMITTED
    names = [name for name, _ in client.recorder.sse_events()]
    assert names.count("participant_sync_begin") == 2


def test_waiting_room_then_admission_on_demand(
    node_factory: Callable[..., RunningNode], make_client: Callable[[RunningNode], Client]
) -> None:
    client = make_client(node_factory(scenario(clinician={"join_after_s": 600})))
    session = client.session()
    session.join("Ola")
    client.events.lobby(LobbyState.WAITING_FOR_HOST)
    time.sleep(0.5)
    assert session.lobby_state is LobbyState.WAITING_FOR_HOST
    client.node.clinician(ROOM, "join")
    client.events.lobby(LobbyState.ADMITTED, timeout=10)


def test_host_leaves_then_meeting_ends(client: Client) -> None:
    session = client.session()
    session.join("Ola")
    client.events.lobby(LobbyState.ADMITTED, timeout=10)
    client.node.clinician(ROOM, "leave")
    client.events.lobby(LobbyState.HOST_LEFT)
    client.node.advance_clock(61)  # the guests-only timeout
    ended = client.events.ended(timeout=10)
    assert isinstance(ended.error, E.MeetingEnded)
    assert ended.error.pex_code == "#pex141"
    assert session.lobby_state is LobbyState.REMOVED


def test_removed_by_the_host(client: Client) -> None:
    session = client.session()
    session.join("Ola")
    client.events.lobby(LobbyState.ADMITTED, timeout=10)
    client.node.disconnect(ROOM, session.participant_uuid, "Disconnected by another participant")
    change = client.events.lobby(LobbyState.REMOVED)
    assert isinstance(change.removal, E.Removed)
    assert change.removal.pex_code == "#pex124"
    ended = client.events.ended()
    assert ended.error is change.removal
    time.sleep(0.3)
    assert len(client.recorder.streams) == 1  # no reconnect with a dead token


def test_host_timeout_fault_ends_the_wait(
    node_factory: Callable[..., RunningNode], make_client: Callable[[RunningNode], Client]
) -> None:
    client = make_client(node_factory(scenario(clinician=False)))
    session = client.session()
    session.join("Ola")
    client.events.lobby(LobbyState.WAITING_FOR_HOST)  # known from request_token already...
    # ...so also wait for the event stream's snapshot: a removal before the stream is open
    # can only show up as a dead token (InvalidToken), never as the disconnect event.
    client.events.wait(lambda e: isinstance(e, RosterChanged))
    client.node.inject("host_timeout", room=ROOM)
    ended = client.events.ended(timeout=10)
    assert isinstance(ended.error, E.LobbyTimeout)
    assert ended.error.pex_code == "#pex126"


# ---------------------------------------------------------------- faults on requests


def test_request_token_5xx_is_typed_and_a_retry_by_the_patient_works(client: Client) -> None:
    client.node.inject(
        "http_error", room=ROOM, endpoint="request_token", status=502, html=True, count=1
    )
    with pytest.raises(E.NodeUnavailable):
        client.session().join("Ola")
    assert len(client.recorder.of("/request_token")) == 1  # never retried by itself
    client.session().join("Ola")


def test_5xx_burst_on_safe_calls_is_retried(client: Client) -> None:
    session = client.session()
    session.join("Ola")
    client.node.inject("http_error", room=ROOM, endpoint="conference_status", status=502, count=2)
    assert session.conference_status()["locked"] in (True, False)
    assert [ex.status for ex in client.recorder.of("/conference_status")] == [502, 502, 200]


def test_slow_responses_are_waited_for(client: Client) -> None:
    client.node.inject("slow", room=ROOM, endpoint="request_token", delay_s=2.0, count=2)
    session = client.session()
    started = time.monotonic()
    session.join("Ola")
    assert time.monotonic() - started >= 4.0  # both steps of the PIN flow were slow
    client.events.lobby(LobbyState.ADMITTED, timeout=10)


def test_killed_call_is_signalled_and_a_new_call_works(client: Client) -> None:
    session = client.session()
    session.join("Ola")
    client.events.lobby(LobbyState.ADMITTED, timeout=10)
    answer = session.calls(make_offer())
    assert answer.call_uuid
    assert "a=candidate" in answer.sdp
    session.ack(answer.call_uuid)
    (sent,) = client.recorder.of("/calls")
    assert "a=candidate" in sent.request_body["sdp"]  # a full, non-trickle offer
    assert sent.request_body["media_type"] == "video"
    client.node.inject("kill_calls", room=ROOM)
    signal = client.events.wait(
        lambda e: isinstance(e, MediaSignal) and e.name == "call_disconnected", timeout=10
    )
    assert isinstance(signal, MediaSignal)
    assert signal.data["call_uuid"] == answer.call_uuid
    assert not session.ended  # the token survives a killed call
    again = session.calls(make_offer())
    session.ack(again.call_uuid)
    session.disconnect_call(again.call_uuid)


# ---------------------------------------------------------------- HTTPS


def test_https_with_certificate_verification(
    node_factory: Callable[..., RunningNode], make_client: Callable[[RunningNode], Client]
) -> None:
    client = make_client(node_factory(scenario(), tls=True))
    assert client.node.base_url.startswith("https://")
    # Verified against the node's own certificate (test_tls.py: and refused without it).
    session = client.session()
    session.join("Ola")
    client.events.lobby(LobbyState.ADMITTED, timeout=10)


# ---------------------------------------------------------------- direct media signalling


def make_answer(offer: str) -> str:
    """A real aiortc answer to a relayed offer (what the call engine does on ``new_offer``)."""
    from aiortc import RTCSessionDescription

    from videotime_node.media import new_peer_connection, set_local_description

    async def answer() -> str:
        pc = new_peer_connection()
        try:
            await pc.setRemoteDescription(RTCSessionDescription(offer, "offer"))
            await set_local_description(pc, await pc.createAnswer(), ["127.0.0.1"])
            return str(pc.localDescription.sdp)
        finally:
            await pc.close()

    return asyncio.run(answer())


def test_direct_media_offer_answer_candidates_and_peer_disconnect(
    node_factory: Callable[..., RunningNode], make_client: Callable[[RunningNode], Client]
) -> None:
    direct = {"media": "direct", "host_pin": None, "locked": False, "clinician": False}
    node = node_factory(scenario(**direct))
    patient, other = make_client(node), make_client(node)
    me = patient.session()
    grant = me.join("Ola", direct_media=True)
    assert grant.direct_media is True
    assert isinstance(grant.pex_datachannel_id, int)
    assert patient.recorder.of("/request_token")[0].request_body["direct_media"] is True
    waiting = me.calls(make_offer())
    assert (waiting.sdp, waiting.offer_ignored) == ("", True)  # nobody to talk to yet: not an error
    splash = patient.events.wait(lambda e: isinstance(e, MediaSignal) and e.name == "splash_screen")
    assert isinstance(splash, MediaSignal)
    assert splash.data["screen_key"] == "direct_media_waiting_for_host"

    peer = other.session()
    peer.join("Lege", direct_media=True)
    offer = make_offer()
    result: list[Any] = []
    caller = threading.Thread(target=lambda: result.append(peer.calls(offer)))
    caller.start()
    relayed = patient.events.wait(
        lambda e: isinstance(e, MediaSignal) and e.name == "new_offer", timeout=10
    )
    assert isinstance(relayed, MediaSignal)
    assert relayed.data["sdp"] == offer
    answer = make_answer(relayed.data["sdp"])
    me.ack(waiting.call_uuid, sdp=answer)  # the answer travels in ack {"sdp"}
    caller.join(20)
    (paired,) = result
    assert (paired.sdp, paired.offer_ignored) == (answer, False)
    assert patient.recorder.of("/ack")[-1].request_body == {"sdp": answer}

    # The peer trickles a candidate: it reaches us as SSE new_candidate.
    import requests

    candidate = {"candidate": "candidate:1 1 udp 2130706431 127.0.0.1 9 typ host", "mid": "0"}
    reply = requests.post(
        f"{node.api(ROOM)}/participants/{peer.participant_uuid}/calls/{paired.call_uuid}/new_candidate",
        json=candidate,
        headers={"token": peer.token},
        timeout=10,
    )
    assert reply.status_code == 200
    got = patient.events.wait(lambda e: isinstance(e, MediaSignal) and e.name == "new_candidate")
    assert isinstance(got, MediaSignal)
    assert got.data == candidate

    peer.disconnect_call(paired.call_uuid)
    gone = patient.events.wait(lambda e: isinstance(e, MediaSignal) and e.name == "peer_disconnect")
    assert isinstance(gone, MediaSignal)
    assert not me.ended  # the token is fine; the call engine calls again and waits


def test_a_whole_visit_logs_nothing_secret(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    session = client.session()
    session.join("Kari Hemmeligsen")
    client.events.lobby(LobbyState.ADMITTED, timeout=10)
    offer = make_offer()
    answer = session.calls(offer)
    session.ack(answer.call_uuid)
    session.send_message("Hei")
    session.disconnect_call(answer.call_uuid)
    session.leave()
    # The in-process node's own log too: support staff run it and read its log.
    ours = ("videotime_client", "videotime_node", "urllib3", "requests", "sseclient")
    text = "\n".join(r.getMessage() for r in caplog.records if r.name.split(".")[0] in ours)
    assert "request_token" in text  # there is a log to look at
    assert "joined as GUEST" in text  # ... including the node's
    tokens = {
        ex.response_body["result"]["token"]
        for ex in client.recorder.of("/request_token")
        if ex.status == 200
    }
    secrets = [*tokens, session.token, "Kari", "Hemmeligsen", "a=ice-ufrag", "a=fingerprint"]
    for secret in secrets:
        assert secret not in text
