"""ConferenceSession + EventStream against the in-memory transport and a simulated clock."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.helpers.pexip_fake import (
    Canned,
    FakeEventFeed,
    FakeTransport,
    ManualScheduler,
    envelope,
    grant_result,
    participant,
)
from videotime_client.pexip import errors as E
from videotime_client.pexip.api import PexipApi
from videotime_client.pexip.events import Backoff
from videotime_client.pexip.lobby import LobbyChanged, LobbyState
from videotime_client.pexip.session import (
    BoundedEventQueue,
    ChatMessage,
    ConferenceSession,
    ConnectionChanged,
    MediaSignal,
    RoleChanged,
    RosterChanged,
    SelfUpdated,
    SessionEnded,
    SessionEvent,
)

ME = "me-uuid"
HOST = participant("host-uuid", role="chair")


class Events:
    """Collects session events from the worker threads; waits for the one a test needs."""

    def __init__(self) -> None:
        self.sink = BoundedEventQueue(maxsize=1000)
        self.seen: list[SessionEvent] = []

    def wait(self, match: Callable[[SessionEvent], bool], timeout: float = 5.0) -> SessionEvent:
        for event in self.seen:
            if match(event):
                self.seen.remove(event)
                return event
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"event not seen; got {self.seen!r}")
            try:
                event = self.sink.get(timeout=left)
            except queue.Empty:
                continue
            if match(event):
                return event
            self.seen.append(event)

    def lobby(self, state: LobbyState, timeout: float = 5.0) -> LobbyChanged:
        event = self.wait(lambda e: isinstance(e, LobbyChanged) and e.state is state, timeout)
        assert isinstance(event, LobbyChanged)
        return event

    def ended(self, timeout: float = 5.0) -> SessionEnded:
        event = self.wait(lambda e: isinstance(e, SessionEnded), timeout)
        assert isinstance(event, SessionEnded)
        return event

    def drain(self, settle: float = 0.2) -> list[SessionEvent]:
        time.sleep(settle)
        out = list(self.seen)
        self.seen.clear()
        while True:
            try:
                out.append(self.sink.get(timeout=0))
            except queue.Empty:
                return out


@pytest.fixture
def events() -> Events:
    return Events()


@pytest.fixture
def make_session(
    api: PexipApi, events: Events, scheduler: ManualScheduler
) -> Iterator[Callable[..., ConferenceSession]]:
    made: list[ConferenceSession] = []

    def make(**kw: Any) -> ConferenceSession:
        kw.setdefault("stream_backoff", Backoff(first=0.01, cap=0.05))
        kw.setdefault("silence_timeout", 5.0)
        session = ConferenceSession(api, events.sink, scheduler=scheduler, **kw)
        made.append(session)
        return session

    yield make
    for session in made:
        session.leave()
    assert not [t for t in threading.enumerate() if t.name.startswith("pexip-")]


def joined(
    make_session: Callable[..., ConferenceSession],
    transport: FakeTransport,
    roster: list[dict[str, Any]],
    **kw: Any,
) -> tuple[ConferenceSession, FakeEventFeed]:
    """A session that joined as "Ola" and whose first event stream sent ``roster`` as its
    snapshot (the opening most tests share)."""
    session = make_session(**kw)
    session.join("Ola")
    feed = transport.wait_feed()
    feed.snapshot(roster)
    return session, feed


def run_until(
    scheduler: ManualScheduler, condition: Callable[[], bool], timeout: float = 5
) -> None:
    """Run due timers (work the SSE thread schedules) until ``condition`` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met")
        scheduler.run_due()
        time.sleep(0.01)


def test_join_waiting_room_then_admission(
    make_session: Callable[..., ConferenceSession], transport: FakeTransport, events: Events
) -> None:
    transport.reply(
        "request_token", 200, envelope(grant_result(current_service_type="waiting_room"))
    )
    session = make_session()
    session.join("Ola")
    events.lobby(LobbyState.WAITING_FOR_HOST)
    feed = transport.wait_feed()
    (opened,) = transport.of("events")
    assert opened.headers["token"] == "T1"
    assert "T1" not in opened.url
    assert opened.headers["Accept"] == "text/event-stream"
    feed.snapshot([participant(ME, service_type="waiting_room")])
    roster = events.wait(lambda e: isinstance(e, RosterChanged))
    assert isinstance(roster, RosterChanged)
    assert [p.uuid for p in roster.participants] == [ME]
    feed.send("participant_create", HOST)
    feed.send("conference_update", {"locked": True, "guests_muted": False, "started": True})
    time.sleep(0.1)
    assert session.lobby_state is LobbyState.WAITING_FOR_HOST  # host there, still in waiting room
    feed.send("participant_update", participant(ME, service_type="conference"))
    change = events.lobby(LobbyState.ADMITTED)
    assert change.previous is LobbyState.WAITING_FOR_HOST
    me = events.wait(
        lambda e: isinstance(e, SelfUpdated) and e.participant.service_type == "conference"
    )
    assert isinstance(me, SelfUpdated)


def test_host_leaves(
    make_session: Callable[..., ConferenceSession], transport: FakeTransport, events: Events
) -> None:
    _, feed = joined(make_session, transport, [participant(ME), HOST])
    events.lobby(LobbyState.ADMITTED)
    feed.send("participant_delete", {"uuid": HOST["uuid"]})
    events.lobby(LobbyState.HOST_LEFT)
    feed.send("participant_create", HOST)
    events.lobby(LobbyState.ADMITTED)


def test_removal_by_disconnect_event_is_final(
    make_session: Callable[..., ConferenceSession], transport: FakeTransport, events: Events
) -> None:
    session, feed = joined(make_session, transport, [participant(ME, service_type="waiting_room")])
    reason = "Timeout waiting for conference host to join or permit access to locked conference"
    feed.send("disconnect", {"reason": reason})
    change = events.lobby(LobbyState.REMOVED)
    assert isinstance(change.removal, E.LobbyTimeout)
    ended = events.ended()
    assert isinstance(ended.error, E.LobbyTimeout)
    assert ended.error.pex_code == "#pex126"
    time.sleep(0.2)
    assert len(transport.of("events")) == 1  # no reconnect with a dead token
    session.leave()
    assert transport.of("release_token") == []  # nothing to release


def test_sse_drop_reconnects_and_rebuilds_the_roster(
    make_session: Callable[..., ConferenceSession], transport: FakeTransport, events: Events
) -> None:
    session, feed = joined(make_session, transport, [participant(ME), HOST, participant("other")])
    events.lobby(LobbyState.ADMITTED)
    feed.drop()
    lost = events.wait(lambda e: isinstance(e, ConnectionChanged) and not e.connected)
    assert lost == ConnectionChanged(False)
    feed2 = transport.wait_feed(2)
    events.wait(lambda e: e == ConnectionChanged(True))
    events.drain(settle=0)  # forget the first snapshot's events
    feed2.snapshot([participant(ME), HOST])  # "other" left while we were away
    roster = events.wait(lambda e: isinstance(e, RosterChanged))
    assert isinstance(roster, RosterChanged)
    assert sorted(p.uuid for p in roster.participants) == ["host-uuid", ME]
    assert sorted(p.uuid for p in session.roster) == ["host-uuid", ME]


def test_half_snapshot_is_discarded(
    make_session: Callable[..., ConferenceSession], transport: FakeTransport, events: Events
) -> None:
    session, feed = joined(make_session, transport, [participant(ME), HOST])
    events.lobby(LobbyState.ADMITTED)
    feed.send("participant_sync_begin")
    feed.send("participant_create", participant(ME))
    feed.drop()  # no sync_end: the old roster stays until a complete snapshot arrives
    transport.wait_feed(2).snapshot([participant(ME)])
    events.lobby(LobbyState.HOST_LEFT)
    assert [p.uuid for p in session.roster] == [ME]


def test_long_silence_counts_as_dead(
    make_session: Callable[..., ConferenceSession], transport: FakeTransport, events: Events
) -> None:
    joined(make_session, transport, [participant(ME)], silence_timeout=0.3)
    events.wait(lambda e: e == ConnectionChanged(False), timeout=3)
    transport.wait_feed(2)
    assert transport.of("events")[1].timeout[1] == 0.3


def test_unknown_events_are_ignored_and_chat_and_media_signals_pass(
    make_session: Callable[..., ConferenceSession], transport: FakeTransport, events: Events
) -> None:
    make_session().join("Ola")
    feed = transport.wait_feed()
    feed.send("brand_new_event_v40", {"x": 1})
    feed.send("layout", {"view": "1:7"})
    feed.send_raw(b": a comment line\n\n")
    feed.send_raw(b"event: broken\ndata: {not json\n\n")
    feed.send_raw(b"event: nested\ndata: " + b"[" * 100_000 + b"\n\n")  # RecursionError
    msg = {
        "origin": "Dr. X",
        "uuid": "host-uuid",
        "type": "text/plain",
        "payload": "Hei",
        "direct": False,
    }
    feed.send("message_received", msg)
    feed.send("new_offer", {"sdp": "v=0"})
    feed.send("new_candidate", {"candidate": "candidate:1", "mid": "0"})
    feed.send("peer_disconnect")
    feed.send("call_disconnected", {"call_uuid": "call-1", "reason": "Call disconnected"})
    chat = events.wait(lambda e: isinstance(e, ChatMessage))
    assert chat == ChatMessage("host-uuid", "Dr. X", "Hei", "text/plain", False)
    signals = [events.wait(lambda e: isinstance(e, MediaSignal)) for _ in range(4)]
    assert [s.name for s in signals if isinstance(s, MediaSignal)] == [
        "new_offer",
        "new_candidate",
        "peer_disconnect",
        "call_disconnected",
    ]
    leftovers = [e for e in events.drain() if not isinstance(e, ConnectionChanged | LobbyChanged)]
    assert leftovers == []


def test_refresh_every_third_of_expiry_for_ten_simulated_minutes(
    make_session: Callable[..., ConferenceSession],
    transport: FakeTransport,
    scheduler: ManualScheduler,
) -> None:
    transport.check_tokens = True  # a stale token gets 403 "Invalid token"
    session = make_session()
    session.join("Ola")
    assert scheduler.pending() == [40.0]
    for _ in range(15):
        scheduler.advance(40)
    refreshes = transport.of("refresh_token")
    assert len(refreshes) == 15
    assert [r.headers["token"] for r in refreshes] == [f"T{n}" for n in range(1, 16)]
    assert session.token == "T16"
    assert session.refreshes == 15
    assert not session.ended
    # A reconnect uses the current token, not the one we joined with.
    transport.wait_feed().drop()
    transport.wait_feed(2)
    assert transport.of("events")[-1].headers["token"] == "T16"
    # The in-call endpoints use it too.
    session.send_message("Hei")
    assert transport.of("message")[-1].headers["token"] == "T16"


def test_refresh_retries_with_backoff_then_recovers(
    make_session: Callable[..., ConferenceSession],
    transport: FakeTransport,
    scheduler: ManualScheduler,
    events: Events,
) -> None:
    session = make_session(refresh_backoff=Backoff(first=1.0, cap=8.0, jitter=0.0))
    session.join("Ola")
    for _ in range(3):
        transport.reply("refresh_token", 503, envelope("503 Service Unavailable", "failed"))
    scheduler.advance(40)
    assert scheduler.pending() == [1.0]
    scheduler.advance(1)
    assert scheduler.pending() == [2.0]
    scheduler.advance(2)
    assert scheduler.pending() == [4.0]
    scheduler.advance(4)  # the fourth try succeeds
    assert len(transport.of("refresh_token")) == 4
    assert session.token == "T2"
    assert scheduler.pending() == [40.0]
    assert not session.ended


def test_refresh_gives_up_at_expiry_with_token_expired(
    make_session: Callable[..., ConferenceSession],
    transport: FakeTransport,
    scheduler: ManualScheduler,
    events: Events,
) -> None:
    session = make_session(refresh_backoff=Backoff(first=1.0, cap=30.0, jitter=0.0))
    session.join("Ola")
    joined = scheduler.now()
    for _ in range(50):
        transport.reply("refresh_token", 0, ConnectionError_())
    scheduler.advance(200)
    ended = events.ended()
    assert type(ended.error) is E.TokenExpired
    assert ended.error.pex_code == "#pex113"
    assert session.ended
    attempts = len(transport.of("refresh_token"))
    assert attempts >= 5
    # Never retried after the point where the token would be dead anyway.
    assert scheduler.now() - joined >= 100
    scheduler.advance(600)
    assert len(transport.of("refresh_token")) == attempts


def ConnectionError_() -> Exception:
    import requests

    return requests.ConnectionError("network down")


def test_refresh_rejected_token_ends_the_session(
    make_session: Callable[..., ConferenceSession],
    transport: FakeTransport,
    scheduler: ManualScheduler,
    events: Events,
) -> None:
    make_session().join("Ola")
    transport.reply("refresh_token", 403, envelope("Invalid token", "failed"))
    scheduler.advance(40)
    assert isinstance(events.ended().error, E.InvalidToken)


def test_sse_refresh_token_event_refreshes_now(
    make_session: Callable[..., ConferenceSession],
    transport: FakeTransport,
    scheduler: ManualScheduler,
) -> None:
    session = make_session()
    session.join("Ola")
    transport.wait_feed().send("refresh_token")
    run_until(scheduler, lambda: len(transport.of("refresh_token")) == 1)
    assert session.token == "T2"
    assert scheduler.pending() == [40.0]  # the regular cadence restarts from now


def test_role_change_on_refresh(
    make_session: Callable[..., ConferenceSession],
    transport: FakeTransport,
    scheduler: ManualScheduler,
    events: Events,
) -> None:
    make_session().join("Ola")
    transport.reply(
        "refresh_token", 200, envelope({"token": "T9", "expires": "90", "role": "HOST"})
    )
    scheduler.advance(40)
    assert events.wait(lambda e: isinstance(e, RoleChanged)) == RoleChanged("HOST")
    assert scheduler.pending() == [30.0]


def test_events_rejected_token_gives_up_after_max_failures(
    make_session: Callable[..., ConferenceSession], transport: FakeTransport, events: Events
) -> None:
    transport.events_status = [Canned(403, envelope("Invalid token", "failed"))] * 3
    make_session(stream_max_failures=3).join("Ola")
    ended = events.ended()
    assert isinstance(ended.error, E.InvalidToken)
    assert len(transport.of("events")) == 3


def test_events_5xx_burst_recovers(
    make_session: Callable[..., ConferenceSession], transport: FakeTransport, events: Events
) -> None:
    transport.events_status = [Canned(502, "<html>proxy</html>")] * 3
    joined(make_session, transport, [participant(ME), HOST])
    events.lobby(LobbyState.ADMITTED)
    assert len(transport.of("events")) == 4


def test_leave_disconnects_nothing_but_ourselves(
    make_session: Callable[..., ConferenceSession],
    transport: FakeTransport,
    scheduler: ManualScheduler,
    events: Events,
) -> None:
    session = make_session()
    session.join("Ola")
    transport.wait_feed()
    scheduler.advance(40)
    session.leave()
    (release,) = transport.of("release_token")
    assert release.headers["token"] == "T2"
    assert events.ended().error is None
    assert [r.endpoint for r in transport.requests if "disconnect" in r.endpoint] == []
    assert scheduler.pending() == []
    session.leave()  # idempotent
    assert len(transport.of("release_token")) == 1


def test_call_pass_throughs_use_the_grant(
    make_session: Callable[..., ConferenceSession], transport: FakeTransport
) -> None:
    transport.reply(
        "request_token",
        200,
        envelope(grant_result(call_type="audio", version={"version_id": "35"})),
    )
    session = make_session()
    session.join("Ola")
    answer = session.calls("v=0 offer")
    session.ack(answer.call_uuid)
    session.set_audio_muted(True)
    session.set_video_muted(True)
    session.disconnect_call(answer.call_uuid)
    calls = transport.of("calls")[0]
    assert calls.body["media_type"] == "audio"
    assert [r.endpoint for r in transport.requests if r.method == "POST"][1:] == [
        "calls",
        "ack",
        "mute",  # version 35: the pre-v36 endpoint
        "video_muted",
        "disconnect",
    ]
    assert transport.of("disconnect")[0].path.endswith("/calls/call-1/disconnect")


def test_bounded_queue_drops_the_oldest() -> None:
    sink = BoundedEventQueue(maxsize=2)
    for n in range(5):
        sink(RoleChanged(str(n)))
    assert sink.dropped == 3
    assert [sink.get(0), sink.get(0)] == [RoleChanged("3"), RoleChanged("4")]


def test_a_failing_consumer_does_not_break_the_session(
    api: PexipApi,
    transport: FakeTransport,
    scheduler: ManualScheduler,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(_: SessionEvent) -> None:
        raise RuntimeError("consumer bug")

    session = ConferenceSession(api, broken, scheduler=scheduler)
    session.join("Ola")
    transport.wait_feed().snapshot([participant(ME), HOST])
    scheduler.advance(40)
    assert session.token == "T2"
    session.leave()
    assert "consumer bug" in caplog.text


def test_a_host_waits_for_nobody(
    make_session: Callable[..., ConferenceSession], transport: FakeTransport, events: Events
) -> None:
    transport.reply("request_token", 200, envelope(grant_result(role="HOST")))
    joined(make_session, transport, [participant(ME, role="chair")])
    events.lobby(LobbyState.ADMITTED)
