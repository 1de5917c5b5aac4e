"""Pexip Infinity client REST API v2, as a guest (reference: shared/reference/pexip-client-api.md).

Modules: :mod:`.errors` (typed errors, #pex codes), :mod:`.api` (one method per endpoint),
:mod:`.events` (SSE reader, roster), :mod:`.lobby` (waiting/admitted/host left/removed),
:mod:`.session` (token lifecycle, events → typed session events), :mod:`.scheduler` (timers).

Threading model
---------------
Everything here is synchronous (``requests``) and thread-safe. The call engine, which runs on
its own asyncio thread, calls blocking methods through ``asyncio.to_thread`` (``join``, ``calls``,
``ack`` may each take up to a minute on a slow node) and receives events through the
``on_event`` callback, which runs on one of two worker threads:

* ``pexip-events``: the SSE reader (events, roster, lobby changes, media signals);
* ``pexip-timer``: the token refresh timer (role changes, ``SessionEnded(TokenExpired)``).

Both are ordinary (non-daemon) threads that stop on ``ConferenceSession.leave()``/``close()``.
``on_event`` must not block: hand over with ``loop.call_soon_threadsafe(...)`` or use
:class:`~.session.BoundedEventQueue`. Every transport is injected: pass a ``requests.Session``
to :class:`~.api.PexipApi` (tests mount in-memory or recording adapters on it).

Privacy: nothing in this package logs a PIN, token, display name, SDP or ICE credential; the
dataclasses hide those fields from ``repr``.
"""

from videotime_client.pexip.api import CallAnswer, IceServer, PexipApi, TokenGrant
from videotime_client.pexip.errors import PexipError
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

__all__ = [
    "BoundedEventQueue",
    "CallAnswer",
    "ChatMessage",
    "ConferenceSession",
    "ConnectionChanged",
    "IceServer",
    "LobbyChanged",
    "LobbyState",
    "MediaSignal",
    "PexipApi",
    "PexipError",
    "RoleChanged",
    "RosterChanged",
    "SelfUpdated",
    "SessionEnded",
    "SessionEvent",
    "TokenGrant",
]
