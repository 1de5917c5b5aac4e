"""ICE servers for one call: only the node's STUN/TURN, tried in a safe order.

Rules (issue 4, aiortc-notes §1.4):

* Never aiortc's default: ``RTCConfiguration(iceServers=None)`` quietly uses Google's public STUN
  server.  We always pass an explicit list, empty if the node gave us nothing.
* aiortc uses only the first STUN and the first TURN URL of a configuration.  So the node's TURN
  entries become a list of *attempts*, one TURN URL each, ordered UDP → TCP → TLS (``turns:``,
  usually port 443).  The call session moves to the next attempt when ICE fails.
* ``use_relay_candidates_only`` sets aiortc's relay transport policy (no host or server-reflexive
  candidates are gathered) and, belt and braces, strips any non-relay ``a=candidate`` line from
  the offer before it leaves the machine.

Nothing here logs URLs with credentials: only scheme, host, port and transport.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import aioice.ice
from aiortc import RTCConfiguration, RTCIceServer
from aiortc.rtcconfiguration import RTCIceTransportPolicy

_TRANSPORT_ORDER = {"udp": 0, "tcp": 1, "tls": 2}


@dataclass(frozen=True, slots=True)
class TurnServer:
    url: str
    # Never in a repr (a log line, an assertion message, a crash report).
    username: str | None = field(repr=False)
    credential: str | None = field(repr=False)

    @property
    def transport(self) -> str:
        """``udp``, ``tcp`` or ``tls`` (``turns:``)."""
        if self.url.startswith("turns:"):
            return "tls"
        m = re.search(r"[?&]transport=(\w+)", self.url)
        return m.group(1).lower() if m else "udp"

    def describe(self) -> str:
        """Scheme, host and port without credentials (safe to log and show)."""
        return self.url.split("?")[0] + f" ({self.transport})"


@dataclass(frozen=True, slots=True)
class IceAttempt:
    """One peer-connection configuration to try."""

    stun: str | None
    turn: TurnServer | None
    relay_only: bool

    def configuration(self) -> RTCConfiguration:
        servers: list[RTCIceServer] = []
        if self.stun and not self.relay_only:
            servers.append(RTCIceServer(urls=self.stun))
        if self.turn is not None:
            servers.append(
                RTCIceServer(
                    urls=self.turn.url,
                    username=self.turn.username,
                    credential=self.turn.credential,
                )
            )
        policy = RTCIceTransportPolicy.RELAY if self.relay_only else RTCIceTransportPolicy.ALL
        return RTCConfiguration(iceServers=servers, iceTransportPolicy=policy)

    def describe(self) -> str:
        return self.turn.describe() if self.turn else ("direct" if not self.stun else "stun")


def _urls(entry: Mapping[str, Any]) -> list[str]:
    urls = entry.get("urls", entry.get("url", []))
    if isinstance(urls, str):
        return [urls]
    return [u for u in urls if isinstance(u, str)]


def _split_servers(
    ice_servers: Iterable[Any],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``IceServer``-like objects → (STUN entries, TURN entries) in the node's JSON shape."""
    stun: list[dict[str, Any]] = []
    turn: list[dict[str, Any]] = []
    for server in ice_servers:
        urls = [str(u) for u in server.urls]
        if all(u.startswith("stun:") for u in urls):
            stun.append({"urls": urls})
        else:
            turn.append(
                {"urls": urls, "username": server.username, "credential": server.credential}
            )
    return stun, turn


@dataclass
class IcePlan:
    """The ordered attempts for a call, built from ``request_token`` and ``calls`` answers."""

    stun: list[str] = field(default_factory=list)
    turn: list[TurnServer] = field(default_factory=list)
    relay_only: bool = False

    @classmethod
    def from_node(
        cls,
        stun: Sequence[Mapping[str, Any]] | None,
        turn: Sequence[Mapping[str, Any]] | None,
        relay_only: bool = False,
    ) -> IcePlan:
        plan = cls(relay_only=relay_only)
        for entry in stun or []:
            plan.stun += [u for u in _urls(entry) if u.startswith("stun:")]
        plan.add_turn(turn)
        return plan

    @classmethod
    def from_grant(cls, ice_servers: Iterable[Any], relay_only: bool = False) -> IcePlan:
        """From ``IceServer``s (``urls``, ``username``, ``credential``), e.g. a token grant's."""
        stun, turn = _split_servers(ice_servers)
        return cls.from_node(stun, turn, relay_only=relay_only)

    def add_ice_servers(self, ice_servers: Iterable[Any]) -> bool:
        """Add the TURN ones of ``IceServer``s (a ``calls`` answer's); True if any was new."""
        return self.add_turn(_split_servers(ice_servers)[1])

    def add_turn(self, turn: Sequence[Mapping[str, Any]] | None) -> bool:
        """Add TURN entries (e.g. from a ``calls`` answer); True if something new arrived."""
        added = False
        for entry in turn or []:
            for url in _urls(entry):
                if not url.startswith(("turn:", "turns:")):
                    continue
                server = TurnServer(url, entry.get("username"), entry.get("credential"))
                if server not in self.turn:
                    self.turn.append(server)
                    added = True
        # Stable sort: the node's order within one transport is kept.
        self.turn.sort(key=lambda s: _TRANSPORT_ORDER.get(s.transport, 3))
        return added

    def attempts(self) -> list[IceAttempt]:
        """UDP → TCP → TLS TURN attempts (plus host/STUN); at least one attempt."""
        stun = self.stun[0] if self.stun else None
        if not self.turn:
            return [IceAttempt(stun, None, self.relay_only)]
        return [IceAttempt(stun, t, self.relay_only) for t in self.turn]


def strip_non_relay_candidates(sdp: str) -> str:
    """Remove every ``a=candidate`` line that is not ``typ relay`` (relay-only policy)."""
    lines = sdp.splitlines(keepends=True)
    kept = [ln for ln in lines if not ln.startswith("a=candidate:") or " typ relay" in ln]
    return "".join(kept)


def candidate_types(sdp: str) -> list[str]:
    """The ``typ`` of each candidate in an SDP (tests, diagnostics)."""
    return re.findall(r"^a=candidate:.* typ (\w+)", sdp, flags=re.MULTILINE)


# ---------------------------------------------------------------- host addresses
# aioice looks host addresses up through a module-level function.  Tests and the embedded demo
# need the client to gather on loopback or on a namespace's veth address only (aioice never
# gathers 127.0.0.1 by itself).  A context variable scopes the override to our own gathering;
# the function we replace is chained, so the embedded node's own hook keeps working.
_HOST_ADDRESSES: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "videotime_client_host_addresses", default=None
)


class _HostAddressHook:
    def __init__(self, previous: Any) -> None:
        self.previous = previous

    def __call__(self, use_ipv4: bool, use_ipv6: bool) -> list[str]:
        override = _HOST_ADDRESSES.get()
        if override is not None:
            return list(override)
        return list(self.previous(use_ipv4=use_ipv4, use_ipv6=use_ipv6))


@contextmanager
def host_addresses(addresses: Sequence[str] | None) -> Iterator[None]:
    """Gather host candidates only on ``addresses`` inside this block (None: all interfaces)."""
    if addresses is None:
        yield
        return
    current = aioice.ice.get_host_addresses
    if not isinstance(current, _HostAddressHook):
        aioice.ice.get_host_addresses = _HostAddressHook(current)
    token = _HOST_ADDRESSES.set(list(addresses))
    try:
        yield
    finally:
        _HOST_ADDRESSES.reset(token)
