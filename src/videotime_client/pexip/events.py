"""The server-sent event stream (reference §5): reader thread, reconnects, roster snapshots.

Parsing is done by ``sseclient-py`` (a small, well-kept SSE parser that works over any byte
iterator, so it runs on top of the injected ``requests`` session); connecting, reconnecting and
silence detection are ours, because every reconnect must use the *current* token.

* Every connection starts with ``participant_sync_begin``, one ``participant_create`` per
  participant, ``participant_sync_end``: :class:`Roster` rebuilds itself from each snapshot.
* Unknown event names are passed on untouched (consumers ignore what they do not know).
* No byte for ``silence_timeout`` seconds (the read timeout) counts as a dead stream: reconnect.
* ``disconnect`` means we were removed: the token is dead, so the reader stops for good.
* Reconnect backoff 100 ms → 30 s with 20 % jitter (the SDK's numbers); after ``max_failures``
  failed connection attempts in a row the stream reports itself lost and stops.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import requests
import sseclient

from videotime_client.pexip.api import PexipApi
from videotime_client.pexip.errors import (
    InvalidToken,
    NodeUnavailable,
    PexipError,
    UntrustedCertificate,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ServerEvent:
    """One SSE event: ``name`` as sent, ``data`` JSON-decoded (``None`` for ``data: null``)."""

    name: str
    data: Any = field(repr=False)
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Participant:
    """The fields of a participant object the client uses (reference §5.3)."""

    uuid: str
    role: str  # "chair" (host) or "guest"
    service_type: str | None
    display_name: str = field(repr=False)
    is_muted: bool = False  # muted by a host or the server
    is_client_muted: bool = False
    is_video_muted: bool = False
    raw: dict[str, Any] = field(repr=False, default_factory=dict, compare=False)

    @property
    def is_host(self) -> bool:
        return self.role == "chair"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Participant:
        service = data.get("service_type")
        name = data.get("display_name")
        return cls(
            uuid=str(data.get("uuid", "")),
            role=str(data.get("role", "guest")).lower(),
            service_type=service if isinstance(service, str) else None,
            display_name=name if isinstance(name, str) else "",
            is_muted=data.get("is_muted") == "YES",
            is_client_muted=data.get("is_client_muted") is True,
            is_video_muted=data.get("is_video_muted") is True,
            raw=data,
        )


class Roster:
    """Participants by uuid, rebuilt from every ``participant_sync_begin … end`` snapshot.

    Not thread-safe on its own: the session updates it under its lock.
    """

    def __init__(self) -> None:
        self._live: dict[str, Participant] = {}
        self._pending: dict[str, Participant] | None = None
        self.synced = False  # a complete snapshot has been seen on the current connection

    @property
    def participants(self) -> tuple[Participant, ...]:
        return tuple(self._live.values())

    def get(self, uuid: str) -> Participant | None:
        return self._live.get(uuid)

    def apply(self, event: ServerEvent) -> bool:
        """Update from one event; True when the visible roster changed."""
        name, data = event.name, event.data
        if name == "participant_sync_begin":
            self._pending = {}
            return False
        if name == "participant_sync_end":
            if self._pending is None:
                return False
            self._live, self._pending = self._pending, None
            self.synced = True
            return True
        if name in ("participant_create", "participant_update") and isinstance(data, dict):
            participant = Participant.from_json(data)
            if not participant.uuid:
                return False
            target = self._pending if self._pending is not None else self._live
            target[participant.uuid] = participant
            return self._pending is None
        if name == "participant_delete" and isinstance(data, dict):
            uuid = str(data.get("uuid", ""))
            target = self._pending if self._pending is not None else self._live
            removed = target.pop(uuid, None) is not None
            return removed and self._pending is None
        return False

    def connection_lost(self) -> None:
        """A half-received snapshot is worthless; the next connection sends a new one."""
        self._pending = None
        self.synced = False


@dataclass(frozen=True, slots=True)
class StreamStatus:
    """Synthesised by the reader: ``connected`` flips on open/loss; ``error`` when it gives up."""

    connected: bool
    error: PexipError | None = None


class Backoff:
    """100 ms doubling to 30 s, ±20 % jitter (the Pexip SDK's reconnect numbers)."""

    def __init__(
        self,
        first: float = 0.1,
        cap: float = 30.0,
        jitter: float = 0.2,
        rng: random.Random | None = None,
    ) -> None:
        self.first, self.cap, self.jitter = first, cap, jitter
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography

    def delay(self, attempt: int) -> float:
        """The wait before attempt ``attempt`` (1-based)."""
        base = min(self.cap, self.first * (2 ** max(0, attempt - 1)))
        return float(base * (1 + self._rng.uniform(-self.jitter, self.jitter)))


class EventStream:
    """Reads ``/events`` on its own (non-daemon) thread until :meth:`close`.

    ``on_event`` receives every :class:`ServerEvent` and every :class:`StreamStatus`, on the
    reader thread, in order. Keep it short and non-blocking (hand over to your own loop).
    """

    def __init__(
        self,
        api: PexipApi,
        token_source: Callable[[], str],
        on_event: Callable[[ServerEvent | StreamStatus], None],
        *,
        silence_timeout: float = 90.0,
        max_failures: int = 8,
        backoff: Backoff | None = None,
    ) -> None:
        self._api = api
        self._token_source = token_source
        self._on_event = on_event
        self._silence_timeout = silence_timeout
        self._max_failures = max_failures
        self._backoff = backoff or Backoff()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._response: requests.Response | None = None
        self._thread: threading.Thread | None = None
        self.connections = 0  # successful opens, for diagnostics and tests

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("EventStream already started")
        self._thread = threading.Thread(target=self._run, name="pexip-events", daemon=False)
        self._thread.start()

    def close(self, timeout: float = 10.0) -> None:
        """Stop the reader and wait for it (safe from any thread, also from ``on_event``)."""
        self._stop.set()
        self._abort_response()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # ------------------------------------------------------------------ reader thread

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                response = self._api.open_events(
                    self._token_source(), silence_timeout=self._silence_timeout
                )
            except Exception as exc:  # PexipError, or anything unexpected: never kill the thread
                failures += 1
                code = exc.code if isinstance(exc, PexipError) else type(exc).__name__
                log.info("pexip events: could not connect (%s), attempt %d", code, failures)
                if failures >= self._max_failures:
                    error = (
                        exc
                        if isinstance(exc, InvalidToken | UntrustedCertificate)
                        else NodeUnavailable()
                    )
                    self._emit(StreamStatus(connected=False, error=error))
                    return
                self._stop.wait(self._backoff.delay(failures))
                continue
            with self._lock:
                self._response = response
            if self._stop.is_set():
                self._abort_response()
                return
            self.connections += 1
            log.info("pexip events: connected")
            self._emit(StreamStatus(connected=True))
            removed = False
            try:
                for event in self._events(response):
                    if event.name == "participant_sync_end":
                        failures = 0  # a full snapshot arrived: this connection is healthy
                    self._emit(event)
                    if event.name == "disconnect":
                        removed = True
                        break
            except (requests.RequestException, OSError, ValueError, AttributeError) as exc:
                # Drops, resets and read timeouts (silence) all land here.
                if not self._stop.is_set():
                    log.info("pexip events: stream lost (%s)", type(exc).__name__)
            finally:
                self._abort_response()
            if removed or self._stop.is_set():
                return
            self._emit(StreamStatus(connected=False))
            failures += 1
            if failures >= self._max_failures:
                self._emit(StreamStatus(connected=False, error=NodeUnavailable()))
                return
            self._stop.wait(self._backoff.delay(failures))

    def _events(self, response: requests.Response) -> Iterator[ServerEvent]:
        client = sseclient.SSEClient(_ByteStream(response))
        for raw in client.events():
            if self._stop.is_set():
                return
            try:
                data = json.loads(raw.data) if raw.data else None
            except (ValueError, RecursionError):  # RecursionError: absurdly nested JSON
                log.debug("pexip events: undecodable data for %s", raw.event)
                continue
            yield ServerEvent(raw.event, data, raw.id or None)

    def _emit(self, item: ServerEvent | StreamStatus) -> None:
        if self._stop.is_set():
            return
        try:
            self._on_event(item)
        except Exception:  # a consumer bug must not kill the stream
            log.exception("pexip events: event handler failed")

    def _abort_response(self) -> None:
        with self._lock:
            response, self._response = self._response, None
        if response is None:
            return
        # Closing alone does not wake a thread blocked in recv(); shutting the socket down does.
        with contextlib.suppress(Exception):
            connection = response.raw.connection  # urllib3 2.x
            sock = connection.sock if connection is not None else None
            if sock is not None:
                sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(Exception):
            response.close()


class _ByteStream(Iterator[bytes]):
    """What ``sseclient`` wants: an iterator of byte chunks with ``close()``."""

    def __init__(self, response: requests.Response) -> None:
        self._response = response
        # chunk_size=None yields data as it arrives instead of waiting for a full buffer.
        self._chunks = response.iter_content(chunk_size=None)

    def __next__(self) -> bytes:
        return bytes(next(self._chunks))

    def close(self) -> None:
        self._response.close()
