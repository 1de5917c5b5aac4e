"""One patient's participation in one conference: token lifecycle, events, roster and lobby.

:class:`ConferenceSession` owns the token. It

* joins with :meth:`PexipApi.request_token` (the PIN flow lives there);
* refreshes the token every ``expires/3`` seconds and whenever the node sends the SSE
  ``refresh_token`` event; on failure it retries with backoff (100 ms → 30 s, ±20 %) while the
  current token is still more than 5 s from expiry, then ends with :class:`TokenExpired`
  (the Pexip SDK's rule);
* keeps the SSE stream open with the *current* token (:class:`~.events.EventStream`), rebuilds
  the roster from each snapshot and runs the :class:`~.lobby.Lobby` model;
* on :meth:`leave` disconnects nothing but itself: ``release_token`` (the call engine disconnects
  its media call first with :meth:`disconnect_call`). Never the conference-level ``disconnect``.

Every outcome reaches the consumer as a typed event through ``on_event`` (see :data:`SessionEvent`),
called on the SSE reader thread or the timer thread. Hand events over to your own thread there,
e.g. ``lambda e: loop.call_soon_threadsafe(queue.put_nowait, e)`` or a :class:`BoundedEventQueue`.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from videotime_client.pexip.api import LEAVE_REASON, CallAnswer, PexipApi, TokenGrant
from videotime_client.pexip.errors import (
    InvalidToken,
    PexipError,
    Removed,
    TokenExpired,
    removal_for_reason,
)
from videotime_client.pexip.events import (
    Backoff,
    EventStream,
    Participant,
    Roster,
    ServerEvent,
    StreamStatus,
)
from videotime_client.pexip.lobby import Lobby, LobbyChanged, LobbyState
from videotime_client.pexip.scheduler import Scheduler, ThreadScheduler, TimerHandle

log = logging.getLogger(__name__)

# SSE events the call engine needs, passed on as MediaSignal (reference §4.6, §5.2).
MEDIA_SIGNALS = frozenset(
    {
        "new_offer",
        "update_sdp",
        "new_candidate",
        "peer_disconnect",
        "call_disconnected",
        "splash_screen",
        "refer",
        "on_hold",
    }
)
EXPIRY_MARGIN = 5.0  # seconds: stop retrying a refresh this close to expiry (SDK rule)


@dataclass(frozen=True, slots=True)
class RosterChanged:
    participants: tuple[Participant, ...]


@dataclass(frozen=True, slots=True)
class SelfUpdated:
    """Our own participant object changed (host mute, service type ...)."""

    participant: Participant


@dataclass(frozen=True, slots=True)
class ChatMessage:
    sender_uuid: str
    origin: str = field(repr=False)  # a display name: never logged
    payload: str = field(repr=False)
    mime_type: str = "text/plain"
    direct: bool = False


@dataclass(frozen=True, slots=True)
class MediaSignal:
    """An SSE event for the call engine (``new_offer``, ``new_candidate``, ``peer_disconnect``)."""

    name: str
    data: Any = field(repr=False)


@dataclass(frozen=True, slots=True)
class ConnectionChanged:
    """The event stream dropped (``connected=False``, reconnecting) or is back."""

    connected: bool


@dataclass(frozen=True, slots=True)
class RoleChanged:
    role: str


@dataclass(frozen=True, slots=True)
class SessionEnded:
    """Final. ``error`` is ``None`` when the patient left, else why we are out."""

    error: PexipError | None


SessionEvent = (
    LobbyChanged
    | RosterChanged
    | SelfUpdated
    | ChatMessage
    | MediaSignal
    | ConnectionChanged
    | RoleChanged
    | SessionEnded
)


class BoundedEventQueue:
    """A bounded hand-over queue usable as ``on_event``.

    When full, the oldest event is dropped (and counted) rather than blocking the reader: a
    stalled consumer must never stall the event stream, which would look like a dead client.
    """

    def __init__(self, maxsize: int = 256) -> None:
        self.queue: queue.Queue[SessionEvent] = queue.Queue(maxsize)
        self.dropped = 0
        self._lock = threading.Lock()

    def __call__(self, event: SessionEvent) -> None:
        with self._lock:
            while True:
                try:
                    self.queue.put_nowait(event)
                    return
                except queue.Full:
                    try:
                        self.queue.get_nowait()
                        self.dropped += 1
                    except queue.Empty:
                        pass

    def get(self, timeout: float | None = None) -> SessionEvent:
        return self.queue.get(timeout=timeout)


class ConferenceSession:
    """Thread-safe; see the module docstring for the threading model."""

    def __init__(
        self,
        api: PexipApi,
        on_event: Callable[[SessionEvent], None],
        *,
        scheduler: Scheduler | None = None,
        silence_timeout: float = 90.0,
        refresh_backoff: Backoff | None = None,
        stream_backoff: Backoff | None = None,
        stream_max_failures: int = 8,
    ) -> None:
        self.api = api
        self._on_event = on_event
        self._own_scheduler = scheduler is None
        self._scheduler: Scheduler = scheduler or ThreadScheduler()
        self._silence_timeout = silence_timeout
        self._refresh_backoff = refresh_backoff or Backoff()
        self._stream_backoff = stream_backoff
        self._stream_max_failures = stream_max_failures
        self._lock = threading.RLock()
        self._grant: TokenGrant | None = None
        self._token = ""
        self._expires = 120
        self._last_refresh = 0.0
        self._refresh_failures = 0
        self._refresh_handle: TimerHandle | None = None
        self._role = ""
        self._stream: EventStream | None = None
        self._roster = Roster()
        self._lobby: Lobby | None = None
        self._ended = False
        self.refreshes = 0  # successful refreshes, for diagnostics and tests

    # ------------------------------------------------------------------ state

    @property
    def token(self) -> str:
        with self._lock:
            return self._token

    @property
    def grant(self) -> TokenGrant:
        if self._grant is None:
            raise RuntimeError("not joined")
        return self._grant

    @property
    def participant_uuid(self) -> str:
        return self.grant.participant_uuid

    @property
    def lobby_state(self) -> LobbyState:
        with self._lock:
            return self._lobby.state if self._lobby else LobbyState.CONNECTING

    @property
    def roster(self) -> tuple[Participant, ...]:
        with self._lock:
            return self._roster.participants

    @property
    def ended(self) -> bool:
        with self._lock:
            return self._ended

    @property
    def token_deadline(self) -> float:
        """Scheduler time at which the current token expires."""
        with self._lock:
            return self._last_refresh + self._expires

    # ------------------------------------------------------------------ lifecycle

    def join(
        self,
        display_name: str,
        pin: str | None = None,
        *,
        direct_media: bool = False,
        call_tag: str | None = None,
    ) -> TokenGrant:
        """Get a token (raises the typed errors of :meth:`PexipApi.request_token`), start the
        refresh timer and the event stream. Returns when the token is ours; lobby and roster
        follow as events."""
        if self._grant is not None:
            raise RuntimeError("ConferenceSession.join called twice")
        grant = self.api.request_token(
            display_name, pin, direct_media=direct_media, call_tag=call_tag
        )
        with self._lock:
            self._grant = grant
            self._token = grant.token
            self._expires = grant.expires
            self._role = grant.role
            self._last_refresh = self._scheduler.now()
            self._lobby = Lobby(grant.current_service_type)
            initial = self._lobby.update()
            self._schedule_refresh(grant.expires / 3)
            self._stream = EventStream(
                self.api,
                lambda: self.token,
                self._on_stream,
                silence_timeout=self._silence_timeout,
                max_failures=self._stream_max_failures,
                backoff=self._stream_backoff,
            )
        log.info("pexip: joined (role %s, service %s)", grant.role, grant.current_service_type)
        if initial:
            self._emit(initial)
        self._stream.start()
        return grant

    def leave(self, reason: str = LEAVE_REASON) -> None:
        """Leave the conference: stop everything, then ``release_token``. Idempotent."""
        token = self._shutdown()
        if token is None:
            return
        try:
            self.api.release_token(token, reason)
        except PexipError as exc:
            # The node drops us anyway when the token is not refreshed; nothing to tell anyone.
            log.info("pexip: release_token failed (%s)", exc.code)
        self._emit(SessionEnded(None))

    close = leave

    def _shutdown(self) -> str | None:
        """Stop timers and the stream; the token to release, or None when already ended."""
        with self._lock:
            if self._ended:
                return None
            self._ended = True
            if self._refresh_handle is not None:
                self._refresh_handle.cancel()
            stream, token = self._stream, self._token
        if stream is not None:
            stream.close()
        if self._own_scheduler:
            self._scheduler.close()
        return token if self._grant is not None else None

    def _end(self, error: PexipError) -> None:
        """End from inside (removal, dead token, lost stream): nothing to release."""
        with self._lock:
            if self._ended:
                return
            change = (
                self._lobby.removed(error) if self._lobby and isinstance(error, Removed) else None
            )
        log.info("pexip: session ended (%s %s)", error.code, error.pex_code)
        self._shutdown()
        if change:
            self._emit(change)
        self._emit(SessionEnded(error))

    # ------------------------------------------------------------------ token refresh

    def refresh_soon(self) -> None:
        """Refresh now (on the timer thread), e.g. after the SSE ``refresh_token`` event."""
        with self._lock:
            if not self._ended:
                self._schedule_refresh(0.0)

    def _schedule_refresh(self, delay: float) -> None:
        if self._refresh_handle is not None:
            self._refresh_handle.cancel()
        self._refresh_handle = self._scheduler.call_later(delay, self._refresh)

    def _refresh(self) -> None:
        with self._lock:
            if self._ended:
                return
            token = self._token
        try:
            fresh = self.api.refresh_token(token)
        except InvalidToken as exc:
            self._end(exc)
            return
        except PexipError as exc:
            with self._lock:
                if self._ended:
                    return
                self._refresh_failures += 1
                delay = self._refresh_backoff.delay(self._refresh_failures)
                deadline = self._last_refresh + self._expires - EXPIRY_MARGIN
                if self._scheduler.now() + delay < deadline:
                    log.info("pexip: token refresh failed (%s), retrying", exc.code)
                    self._schedule_refresh(delay)
                    return
            self._end(TokenExpired("Timer expired awaiting token refresh"))
            return
        role_change: RoleChanged | None = None
        with self._lock:
            if self._ended:
                return
            self._token = fresh.token
            self._expires = fresh.expires
            self._last_refresh = self._scheduler.now()
            self._refresh_failures = 0
            self.refreshes += 1
            if fresh.role and fresh.role.upper() != self._role:
                self._role = fresh.role.upper()
                role_change = RoleChanged(self._role)
            self._schedule_refresh(fresh.expires / 3)
        log.debug("pexip: token refreshed")
        if role_change:
            self._emit(role_change)

    # ------------------------------------------------------------------ events

    def _on_stream(self, item: ServerEvent | StreamStatus) -> None:
        if isinstance(item, StreamStatus):
            if item.error is not None:
                self._end(item.error)
                return
            if not item.connected:
                with self._lock:
                    self._roster.connection_lost()
            self._emit(ConnectionChanged(item.connected))
            return
        name, data = item.name, item.data
        if name == "disconnect":
            reason = data.get("reason") if isinstance(data, dict) else None
            self._end(removal_for_reason(reason if isinstance(reason, str) else None))
        elif name == "refresh_token":
            self.refresh_soon()
        elif name.startswith("participant_"):
            self._on_roster_event(item)
        elif name == "conference_update" and isinstance(data, dict):
            started = data.get("started")
            if isinstance(started, bool):
                self._lobby_update(started=started)
        elif name == "message_received" and isinstance(data, dict):
            self._emit(
                ChatMessage(
                    sender_uuid=str(data.get("uuid", "")),
                    origin=str(data.get("origin", "")),
                    payload=str(data.get("payload", "")),
                    mime_type=str(data.get("type", "text/plain")),
                    direct=data.get("direct") is True,
                )
            )
        elif name in MEDIA_SIGNALS:
            self._emit(MediaSignal(name, data))
        # Anything else (layout, stage, presentation, live captions, new events) is ignored.

    def _on_roster_event(self, event: ServerEvent) -> None:
        events: list[SessionEvent] = []
        with self._lock:
            if self._grant is None or self._lobby is None:
                return
            own_uuid = self._grant.participant_uuid
            before = self._roster.get(own_uuid)
            if not self._roster.apply(event):
                return
            participants = self._roster.participants
            me = self._roster.get(own_uuid)
            events.append(RosterChanged(participants))
            if me is not None and me != before:
                events.append(SelfUpdated(me))
            # A host is "present" for us when someone else is one, or when we are one ourselves
            # (rooms without PINs make everyone host, and a host waits for nobody).
            host_present = any(p.is_host for p in participants if p.uuid != own_uuid) or (
                me is not None and me.is_host
            )
            change = self._lobby.update(
                own_service_type=me.service_type if me else None,
                host_present=host_present,
                synced=self._roster.synced,
            )
            if change:
                events.append(change)
        for item in events:
            self._emit(item)

    def _lobby_update(self, **facts: Any) -> None:
        with self._lock:
            change = self._lobby.update(**facts) if self._lobby else None
        if change:
            self._emit(change)

    def _emit(self, event: SessionEvent) -> None:
        try:
            self._on_event(event)
        except Exception:  # a consumer bug must not break the session
            log.exception("pexip: session event handler failed")

    # ------------------------------------------------------------------ calls and in-call

    def calls(
        self, sdp: str, *, present: str | None = None, media_type: str | None = None
    ) -> CallAnswer:
        """Create the media call with a full offer (``media_type`` defaults to the room's)."""
        grant = self.grant
        return self.api.calls(
            self.token,
            grant.participant_uuid,
            sdp,
            media_type=media_type or grant.call_type,
            present=present,
        )

    def ack(self, call_uuid: str, *, sdp: str | None = None, offer_ignored: bool = False) -> None:
        self.api.ack(
            self.token, self.participant_uuid, call_uuid, sdp=sdp, offer_ignored=offer_ignored
        )

    def disconnect_call(self, call_uuid: str) -> None:
        self.api.disconnect_call(self.token, self.participant_uuid, call_uuid)

    def send_message(self, text: str) -> None:
        self.api.message(self.token, text)

    def set_audio_muted(self, muted: bool) -> None:
        grant = self.grant
        self.api.set_audio_muted(
            self.token, grant.participant_uuid, muted, version_id=grant.version_id
        )

    def set_video_muted(self, muted: bool) -> None:
        self.api.set_video_muted(self.token, self.participant_uuid, muted)

    def conference_status(self) -> dict[str, Any]:
        return self.api.conference_status(self.token)
