"""Fault injection, per room or for the whole node (docs/node.md "Fault injection").

Two sorts of fault:

* **Request faults** stay armed and act on matching client API requests until their ``count``
  runs out (``count`` absent = until cleared): ``http_error`` answers with a status code and a
  Pexip-style envelope (or a proxy's HTML page with ``"html": true``); ``slow`` delays the
  request by ``delay_s`` before handling it normally.
* **Actions** happen once, now or ``after_s`` seconds later: ``drop_sse`` closes event streams,
  ``expire_tokens`` lets tokens run out (participants are dropped with "Timer expired awaiting
  token refresh"), ``kill_calls`` ends media calls (``call_disconnected``), ``host_timeout`` ends
  the lobby wait (#pex126), ``maintenance`` switches maintenance mode (``"on": true|false``),
  ``refresh_token`` sends the SSE event of that name (the client must refresh now).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Collection
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from videotime_node.conference import Node

log = logging.getLogger(__name__)

REQUEST_KINDS = ("http_error", "slow")
ACTION_KINDS = (
    "drop_sse",
    "expire_tokens",
    "kill_calls",
    "host_timeout",
    "maintenance",
    "refresh_token",
)


class FaultError(ValueError):
    """A fault spec the node cannot use; the message says what is wrong with it."""


_NUMBERS: dict[str, type[int] | type[float]] = {
    "status": int,
    "count": int,
    "delay_s": float,
    "after_s": float,
}


def check_spec(spec: Any, rooms: Collection[str]) -> None:
    """Raise :class:`FaultError` unless ``spec`` is a fault the node can arm or run.

    Used for scenario files (before the node starts, so a typo is a usage error) and for
    ``POST /_admin/faults``; :meth:`Faults.add` relies on it, so it never fails half-way.
    """
    if not isinstance(spec, dict) or "kind" not in spec:
        raise FaultError("a fault needs a 'kind'")
    kind = spec["kind"]
    if kind not in REQUEST_KINDS and kind not in ACTION_KINDS:
        raise FaultError(f"unknown fault kind {kind!r}")
    room = spec.get("room")
    if room is not None and str(room) not in rooms:
        raise FaultError(f"no room {room!r}")
    for key, number in _NUMBERS.items():
        value = spec.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise FaultError(f"{key} must be a non-negative number")
        if number is int and value != int(value):
            raise FaultError(f"{key} must be a whole number")
    if "status" in spec and not 100 <= spec["status"] <= 599:
        raise FaultError("status must be an HTTP status code (100-599)")
    endpoints = spec.get("endpoint", spec.get("endpoints"))
    one_name = endpoints is None or isinstance(endpoints, str)
    names = isinstance(endpoints, list) and all(isinstance(e, str) for e in endpoints)
    if not (one_name or names):
        raise FaultError("endpoint must be a name or a list of names")


@dataclass
class RequestFault:
    kind: str
    room: str | None
    endpoints: tuple[str, ...] | None  # None = every endpoint
    status: int = 503
    result: str | None = None
    html: bool = False
    delay_s: float = 0.0
    count: int | None = None

    def matches(self, room: str | None, endpoint: str) -> bool:
        if self.room is not None and self.room != room:
            return False
        return self.endpoints is None or endpoint in self.endpoints


class Faults:
    def __init__(self, node: Node) -> None:
        self.node = node
        self.request_faults: list[RequestFault] = []
        self._scheduled: set[asyncio.TimerHandle] = set()

    def load(self, specs: list[dict[str, Any]]) -> None:
        for spec in specs:
            self.add(spec)

    def add(self, spec: dict[str, Any]) -> None:
        check_spec(spec, self.node.rooms)
        kind = spec["kind"]
        room = None if spec.get("room") is None else str(spec["room"])
        if kind in REQUEST_KINDS:
            endpoints = spec.get("endpoint", spec.get("endpoints"))
            if isinstance(endpoints, str):
                endpoints = None if endpoints == "*" else (endpoints,)
            elif endpoints is not None:
                endpoints = tuple(str(e) for e in endpoints)
            count = spec.get("count")
            self.request_faults.append(
                RequestFault(
                    kind=kind,
                    room=room,
                    endpoints=endpoints,
                    status=int(spec.get("status", 503)),
                    result=spec.get("result"),
                    html=bool(spec.get("html", False)),
                    delay_s=float(spec.get("delay_s", 0.0)),
                    count=None if count is None else int(count),
                )
            )
            log.info("fault armed: %s room=%s endpoints=%s", kind, room, endpoints)
        else:
            after = float(spec.get("after_s", 0.0))
            if after > 0:
                handle = asyncio.get_running_loop().call_later(after, self._run, kind, room, spec)
                self._scheduled.add(handle)
            else:
                self._run(kind, room, spec)

    def clear(self) -> None:
        self.request_faults.clear()
        self.cancel_scheduled()

    def cancel_scheduled(self) -> None:
        for handle in self._scheduled:
            handle.cancel()
        self._scheduled.clear()

    def _rooms(self, room: str | None) -> list[Any]:
        return [r for r in self.node.rooms.values() if room in (None, r.alias)]

    def _run(self, kind: str, room: str | None, spec: dict[str, Any]) -> None:
        log.info("fault action: %s room=%s", kind, room)
        if kind == "drop_sse":
            for r in self._rooms(room):
                for p in r.participants.values():
                    p.close_streams()
        elif kind == "expire_tokens":
            self.node.expire_tokens(self.node.rooms[room] if room else None)
        elif kind == "kill_calls":
            self.node.calls.kill_calls(room)
        elif kind == "host_timeout":
            for r in self._rooms(room):
                r.host_timeout_now()
        elif kind == "maintenance":
            self.node.maintenance = bool(spec.get("on", True))
        elif kind == "refresh_token":
            for r in self._rooms(room):
                r.broadcast("refresh_token", None)

    def take(self, room: str | None, endpoint: str) -> list[RequestFault]:
        """Faults that act on this request (counts are consumed)."""
        hits: list[RequestFault] = []
        for fault in list(self.request_faults):
            if fault.matches(room, endpoint):
                hits.append(fault)
                if fault.count is not None:
                    fault.count -= 1
                    if fault.count <= 0:
                        self.request_faults.remove(fault)
        return hits


def error_body(fault: RequestFault) -> tuple[str, str]:
    """(content type, body) of an injected HTTP error."""
    try:
        phrase = f"{fault.status} {HTTPStatus(fault.status).phrase}"
    except ValueError:
        phrase = str(fault.status)
    if fault.html:
        return "text/html", f"<html><body><h1>{phrase}</h1></body></html>"
    return "application/json", json.dumps({"status": "failed", "result": fault.result or phrase})
