"""The lobby: is the patient waiting for the clinician, in the consultation, or out? (§6)

No single signal is reliable across Pexip versions and NHN room settings, so, as the reference
recommends, the model combines all of them:

* ``waiting_for_host`` while our own ``service_type`` is ``waiting_room`` (before our own
  participant object arrives: ``current_service_type`` from ``request_token``), or the
  conference has not started (``conference_update.started is False``), or no host (``role ==
  "chair"``) is present;
* ``admitted`` when our own service type is ``conference``/``lecture`` (or ``test_call``, the
  self-test room, which has no host), the conference has started and a host is present;
* ``host_left`` when we had been admitted and the last host disappears (the node ends the
  meeting after its guests-only timeout, #pex141, unless a host returns);
* ``removed`` after an SSE ``disconnect`` (final: the token is dead).

``started`` that we have not heard about yet (``None``) does not hold anyone back.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from videotime_client.pexip.errors import Removed


class LobbyState(StrEnum):
    CONNECTING = "connecting"  # joined, first roster snapshot not yet seen
    WAITING_FOR_HOST = "waiting_for_host"
    ADMITTED = "admitted"
    HOST_LEFT = "host_left"
    REMOVED = "removed"


IN_CONFERENCE = frozenset({"conference", "lecture"})
NO_HOST_NEEDED = frozenset({"test_call", "media_playback"})


@dataclass(frozen=True, slots=True)
class LobbyChanged:
    """A typed state change; ``removal`` is set with ``REMOVED``."""

    state: LobbyState
    previous: LobbyState
    removal: Removed | None = None


class Lobby:
    """Pure state machine: feed it facts, it returns a :class:`LobbyChanged` when the state moves.

    Not thread-safe on its own; :class:`~.session.ConferenceSession` calls it under its lock.
    """

    def __init__(self, current_service_type: str) -> None:
        self.state = LobbyState.CONNECTING
        self._arrival_service_type = current_service_type
        self._own_service_type: str | None = None
        self._started: bool | None = None
        self._host_present = False
        self._synced = False
        self._was_admitted = False
        self.removal: Removed | None = None

    @property
    def own_service_type(self) -> str:
        return self._own_service_type or self._arrival_service_type

    def update(
        self,
        *,
        own_service_type: str | None = None,
        started: bool | None = None,
        host_present: bool | None = None,
        synced: bool | None = None,
    ) -> LobbyChanged | None:
        if own_service_type is not None:
            self._own_service_type = own_service_type
        if started is not None:
            self._started = started
        if host_present is not None:
            self._host_present = host_present
        if synced is not None:
            self._synced = synced
        return self._move(self._compute())

    def removed(self, removal: Removed) -> LobbyChanged | None:
        if self.state is LobbyState.REMOVED:
            return None
        self.removal = removal
        return self._move(LobbyState.REMOVED, removal)

    def _compute(self) -> LobbyState:
        if self.state is LobbyState.REMOVED:
            return LobbyState.REMOVED
        service = self.own_service_type
        if service in NO_HOST_NEEDED:
            return LobbyState.ADMITTED
        if not self._synced:
            # Until the first snapshot we only know what request_token told us.
            return (
                LobbyState.WAITING_FOR_HOST if service == "waiting_room" else LobbyState.CONNECTING
            )
        admitted = service in IN_CONFERENCE and self._started is not False and self._host_present
        if admitted:
            return LobbyState.ADMITTED
        if self._was_admitted and not self._host_present and service in IN_CONFERENCE:
            return LobbyState.HOST_LEFT
        return LobbyState.WAITING_FOR_HOST

    def _move(self, new: LobbyState, removal: Removed | None = None) -> LobbyChanged | None:
        if new is self.state:
            return None
        previous, self.state = self.state, new
        if new is LobbyState.ADMITTED:
            self._was_admitted = True
        return LobbyChanged(new, previous, removal)
