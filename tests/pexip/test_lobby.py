"""The lobby model combines every signal of reference §6."""

from __future__ import annotations

from videotime_client.pexip.errors import LobbyTimeout
from videotime_client.pexip.lobby import Lobby, LobbyState

S = LobbyState


def test_waiting_room_on_arrival_is_waiting_before_any_snapshot() -> None:
    lobby = Lobby("waiting_room")
    change = lobby.update()
    assert change is not None
    assert (change.previous, change.state) == (S.CONNECTING, S.WAITING_FOR_HOST)


def test_conference_on_arrival_stays_connecting_until_the_snapshot() -> None:
    lobby = Lobby("conference")
    assert lobby.update() is None
    assert lobby.state is S.CONNECTING


def test_admitted_needs_service_type_started_and_a_host() -> None:
    lobby = Lobby("waiting_room")
    lobby.update(synced=True, own_service_type="waiting_room", host_present=True)
    assert lobby.state is S.WAITING_FOR_HOST
    lobby.update(own_service_type="conference", host_present=False)
    assert lobby.state is S.WAITING_FOR_HOST  # no host yet
    lobby.update(host_present=True, started=False)
    assert lobby.state is S.WAITING_FOR_HOST  # conference not started
    change = lobby.update(started=True)
    assert change is not None
    assert change.state is S.ADMITTED


def test_unknown_started_does_not_hold_anyone_back() -> None:
    lobby = Lobby("conference")
    lobby.update(synced=True, own_service_type="conference", host_present=True)
    assert lobby.state is S.ADMITTED


def test_host_leaves_and_returns() -> None:
    lobby = Lobby("conference")
    lobby.update(synced=True, own_service_type="conference", host_present=True)
    change = lobby.update(host_present=False)
    assert change is not None
    assert (change.previous, change.state) == (S.ADMITTED, S.HOST_LEFT)
    lobby.update(host_present=True)
    assert lobby.state is S.ADMITTED


def test_host_absent_before_admission_is_waiting_not_host_left() -> None:
    lobby = Lobby("conference")
    lobby.update(synced=True, own_service_type="conference", host_present=False)
    assert lobby.state is S.WAITING_FOR_HOST


def test_moved_back_to_the_waiting_room() -> None:
    lobby = Lobby("conference")
    lobby.update(synced=True, own_service_type="conference", host_present=True)
    lobby.update(own_service_type="waiting_room")
    assert lobby.state is S.WAITING_FOR_HOST


def test_test_call_room_needs_no_host() -> None:
    lobby = Lobby("test_call")
    change = lobby.update()
    assert change is not None
    assert change.state is S.ADMITTED


def test_removed_is_final() -> None:
    lobby = Lobby("conference")
    lobby.update(synced=True, own_service_type="conference", host_present=True)
    removal = LobbyTimeout("x")
    change = lobby.removed(removal)
    assert change is not None
    assert (change.state, change.removal) == (S.REMOVED, removal)
    assert lobby.update(host_present=True) is None
    assert lobby.removed(removal) is None
    assert lobby.state is S.REMOVED
