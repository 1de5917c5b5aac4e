"""From the conference's events to the media call: admission, media signals, the end reason.

The headless join (``cli/join.py``) and the app (``ui/services.py``) route the Pexip session's
events to a :class:`~videotime_client.call.session.CallSession` the same way; this is that one
routing, plus the small bounded buffer for events that arrive before the call exists.
"""

from __future__ import annotations

import collections
import threading
from typing import Any, Protocol

from videotime_client.call.errors import EndReason
from videotime_client.pexip.errors import LobbyTimeout, Removed
from videotime_client.pexip.lobby import LobbyChanged, LobbyState
from videotime_client.pexip.session import MediaSignal, SessionEnded

# Events that may wait for the call to be created (lobby changes, early media signals).  The
# window is one HTTP round trip; the bound only guards against a runaway event stream.
PENDING_MAX = 256


class RoutedCall(Protocol):
    def set_admitted(self, admitted: bool) -> None: ...
    def media_signal(self, name: str, data: Any) -> None: ...
    def end(self, reason: EndReason = ...) -> None: ...


def end_reason_for(error: BaseException | None) -> EndReason:
    """Why the call ends when the conference removed us (``error`` from the Pexip session)."""
    if isinstance(error, LobbyTimeout):
        return EndReason.LOBBY_TIMEOUT
    if isinstance(error, Removed):
        return EndReason.REMOTE_ENDED
    return EndReason.SIGNALLING


def route_conference_event(event: Any, call: RoutedCall) -> None:
    """Apply one conference event to ``call`` (any thread: the session's methods are)."""
    if isinstance(event, LobbyChanged):
        call.set_admitted(event.state is LobbyState.ADMITTED)
        if event.state is LobbyState.REMOVED:
            call.end(
                EndReason.LOBBY_TIMEOUT
                if isinstance(event.removal, LobbyTimeout)
                else EndReason.REMOTE_ENDED
            )
    elif isinstance(event, MediaSignal):
        call.media_signal(event.name, event.data)
    elif isinstance(event, SessionEnded) and event.error is not None:
        call.end(end_reason_for(event.error))


class EventRouter:
    """Buffers conference events until the call exists, then routes them (thread-safe).

    ``router.on_event`` is the conference's listener; ``router.attach(call)`` replays what was
    buffered (in order) and routes everything after it directly.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: collections.deque[Any] = collections.deque(maxlen=PENDING_MAX)
        self._call: RoutedCall | None = None

    def on_event(self, event: Any) -> None:
        # Routing only schedules work on the media thread, so it may run under the lock; that
        # keeps the order of events across attach().
        with self._lock:
            if self._call is None:
                self._pending.append(event)
            else:
                route_conference_event(event, self._call)

    def attach(self, call: RoutedCall) -> None:
        with self._lock:
            self._call = call
            while self._pending:
                route_conference_event(self._pending.popleft(), call)
