"""In-memory transport and clock for Pexip client tests (owner: Pexip client area).

* :class:`FakeTransport` is a ``requests`` transport adapter: mount it on a real
  ``requests.Session`` (``transport.session()`` does) and hand that session to ``PexipApi``. The
  client code runs unchanged; nothing is patched. Replies are queued per endpoint
  (``transport.reply("request_token", 403, {...})``); unqueued endpoints get sensible defaults
  (``refresh_token`` issues a fresh token, SSE opens a :class:`FakeEventFeed` ...). Every request
  is recorded (``transport.requests``).
* :class:`FakeEventFeed` is one SSE connection: ``feed.send("participant_create", {...})``,
  ``feed.drop()``; a read blocks like a socket and raises after the read timeout (silence).
* :class:`ManualScheduler` implements ``videotime_client.pexip.scheduler.Scheduler`` on a
  simulated clock: ``advance(seconds)`` runs due timers on the calling thread, so minutes of token
  refresh take milliseconds.
"""

from __future__ import annotations

import heapq
import itertools
import json
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

API = "/api/client/v2"


def envelope(result: Any, status: str = "success") -> dict[str, Any]:
    return {"status": status, "result": result}


def grant_result(token: str = "T1", **overrides: Any) -> dict[str, Any]:  # noqa: S107
    """A 200 request_token ``result`` like a v36 node's (expires as a string)."""
    result: dict[str, Any] = {
        "token": token,
        "expires": "120",
        "participant_uuid": "me-uuid",
        "display_name": "Ola Nordmann",
        "role": "GUEST",
        "version": {"version_id": "36", "pseudo_version": "79019.0.0"},
        "current_service_type": "conference",
        "service_type": "conference",
        "call_type": "video",
        "chat_enabled": True,
        "direct_media": False,
        "trickle_ice_enabled": True,
        "stun": [{"url": "stun:stun.example:3478"}],
        "turn": [],
    }
    result.update(overrides)
    return result


def participant(
    uuid: str, role: str = "guest", service_type: str = "conference", **extra: Any
) -> dict[str, Any]:
    return {
        "uuid": uuid,
        "display_name": f"name-{uuid}",
        "role": role,
        "service_type": service_type,
        "is_muted": "NO",
        "is_video_muted": False,
        **extra,
    }


@dataclass
class Recorded:
    method: str
    path: str  # after /api/client/v2
    endpoint: str  # last path segment, e.g. "request_token", "ack", "events"
    headers: dict[str, str]
    body: Any  # decoded JSON, None when no body
    raw_body: bytes | None
    timeout: Any
    url: str


@dataclass
class Canned:
    status: int
    body: Any = None  # dict/list → JSON; str → plain text; Exception → raised
    headers: dict[str, str] = field(default_factory=dict)


class FakeEventFeed:
    """One open SSE connection; a ``raw`` object for a ``requests.Response``."""

    def __init__(self, read_timeout: float | None) -> None:
        self._q: queue.Queue[bytes | Exception | None] = queue.Queue()
        self._read_timeout = read_timeout
        self.closed = threading.Event()

    # --- test side
    def send(self, name: str, data: Any = None, event_id: str | None = None) -> None:
        lines = [f"event: {name}"]
        if event_id:
            lines.append(f"id: {event_id}")
        lines.append(f"data: {json.dumps(data)}")
        self._q.put(("\n".join(lines) + "\n\n").encode())

    def send_raw(self, chunk: bytes) -> None:
        self._q.put(chunk)

    def snapshot(self, participants: list[dict[str, Any]]) -> None:
        self.send("participant_sync_begin")
        for p in participants:
            self.send("participant_create", p)
        self.send("participant_sync_end")

    def drop(self) -> None:
        """The server ends the stream (EOF)."""
        self._q.put(None)

    def fail(self, exc: Exception) -> None:
        self._q.put(exc)

    # --- requests side
    def stream(self, amt: int | None = None, decode_content: bool = True) -> Iterator[bytes]:
        while True:
            if self.closed.is_set():
                return
            try:
                item = self._q.get(timeout=self._read_timeout)
            except queue.Empty:
                raise requests.exceptions.ConnectionError("Read timed out.") from None
            if item is None:
                self.closed.set()
                return
            if isinstance(item, Exception):
                raise item
            yield item

    def read(self, amt: int | None = None, **_: Any) -> bytes:
        return b"".join(self.stream())

    def close(self) -> None:
        self.closed.set()
        self._q.put(None)

    def release_conn(self) -> None:
        pass


class FakeTransport(BaseAdapter):
    """A requests adapter standing in for a Pexip node; see the module docstring."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[Recorded] = []
        self._canned: dict[str, list[Canned | Callable[[Recorded], Canned]]] = {}
        self._lock = threading.Lock()
        self.feeds: list[FakeEventFeed] = []
        self._feed_ready = threading.Condition(self._lock)
        self._tokens = itertools.count(2)
        self.valid_tokens: set[str] = {"T1"}
        self.check_tokens = False  # when True, token calls with an unknown token get 403
        self.events_status: list[Canned] = []  # queued non-200 answers to /events

    def session(self) -> requests.Session:
        s = requests.Session()
        s.mount("https://", self)
        s.mount("http://", self)
        return s

    # --- scripting
    def reply(self, endpoint: str, status: int, body: Any = None, **headers: str) -> None:
        with self._lock:
            self._canned.setdefault(endpoint, []).append(Canned(status, body, headers))

    def reply_with(self, endpoint: str, handler: Callable[[Recorded], Canned]) -> None:
        with self._lock:
            self._canned.setdefault(endpoint, []).append(handler)

    def of(self, endpoint: str) -> list[Recorded]:
        return [r for r in self.requests if r.endpoint == endpoint]

    def wait_feed(self, count: int = 1, timeout: float = 5.0) -> FakeEventFeed:
        """Wait until ``count`` event connections have been opened; return the latest."""
        deadline = time.monotonic() + timeout
        with self._feed_ready:
            while len(self.feeds) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"only {len(self.feeds)} event connections, wanted {count}"
                    )
                self._feed_ready.wait(left)
            return self.feeds[-1]

    # --- adapter
    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        url = request.url or ""
        path = urlsplit(url).path
        rel = path[len(API) :] if path.startswith(API) else path
        raw = (
            request.body
            if isinstance(request.body, bytes)
            else (request.body.encode() if isinstance(request.body, str) else None)
        )
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        rec = Recorded(
            method=request.method or "",
            path=rel,
            endpoint=rel.rstrip("/").rsplit("/", 1)[-1],
            headers=dict(request.headers),
            body=body,
            raw_body=raw,
            timeout=timeout,
            url=url,
        )
        with self._lock:
            self.requests.append(rec)
            queued = self._canned.get(rec.endpoint)
            item = queued.pop(0) if queued else None
        if item is not None:
            canned = item(rec) if callable(item) else item
            return self._response(request, canned)
        return self._default(request, rec, timeout)

    def _default(
        self, request: requests.PreparedRequest, rec: Recorded, timeout: Any
    ) -> requests.Response:
        ep = rec.endpoint
        if ep == "events":
            with self._lock:
                if self.events_status:
                    return self._response(request, self.events_status.pop(0))
            if self.check_tokens and rec.headers.get("token") not in self.valid_tokens:
                return self._response(request, Canned(403, envelope("Invalid token", "failed")))
            read_timeout = timeout[1] if isinstance(timeout, tuple) else timeout
            feed = FakeEventFeed(read_timeout)
            resp = requests.Response()
            resp.status_code = 200
            resp.headers = CaseInsensitiveDict({"Content-Type": "text/event-stream"})
            resp.raw = feed
            resp.url = request.url or ""
            resp.request = request
            with self._feed_ready:
                self.feeds.append(feed)
                self._feed_ready.notify_all()
            return resp
        if ep == "request_token":
            return self._response(request, Canned(200, envelope(grant_result())))
        if self.check_tokens and rec.headers.get("token") not in self.valid_tokens:
            return self._response(request, Canned(403, envelope("Invalid token", "failed")))
        if ep == "refresh_token":
            token = f"T{next(self._tokens)}"
            with self._lock:
                self.valid_tokens = {token}
            return self._response(
                request, Canned(200, envelope({"token": token, "expires": "120"}))
            )
        if ep == "calls":
            return self._response(
                request, Canned(200, envelope({"call_uuid": "call-1", "sdp": "v=0\r\n(answer)"}))
            )
        if ep == "participants":
            return self._response(request, Canned(200, envelope([])))
        if ep == "conference_status":
            return self._response(
                request,
                Canned(200, envelope({"locked": False, "guests_muted": False, "started": True})),
            )
        if ep == "disconnect":
            return self._response(request, Canned(200, envelope(None)))
        return self._response(request, Canned(200, envelope(True)))

    @staticmethod
    def _response(request: requests.PreparedRequest, canned: Canned) -> requests.Response:
        if isinstance(canned.body, Exception):
            raise canned.body
        resp = requests.Response()
        resp.status_code = canned.status
        if canned.body is None:
            content = b""
        elif isinstance(canned.body, str):
            content = canned.body.encode()
            resp.headers = CaseInsensitiveDict({"Content-Type": "text/plain"})
        else:
            content = json.dumps(canned.body).encode()
            resp.headers = CaseInsensitiveDict({"Content-Type": "application/json"})
        resp.headers.update(canned.headers)
        resp._content = content
        resp._content_consumed = True  # type: ignore[attr-defined]
        resp.encoding = "utf-8"
        resp.url = request.url or ""
        resp.request = request
        return resp

    def close(self) -> None:
        for feed in self.feeds:
            feed.close()


class _Handle:
    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class ManualScheduler:
    """Simulated time: ``advance`` runs due callbacks in order on the calling thread."""

    def __init__(self, start: float = 1000.0) -> None:
        self._now = start
        self._heap: list[tuple[float, int, _Handle, Callable[[], None]]] = []
        self._seq = itertools.count()
        self._lock = threading.Lock()
        self.closed = False

    def now(self) -> float:
        with self._lock:
            return self._now

    def call_later(self, delay: float, callback: Callable[[], None]) -> _Handle:
        handle = _Handle()
        with self._lock:
            if not self.closed:
                heapq.heappush(
                    self._heap, (self._now + max(0.0, delay), next(self._seq), handle, callback)
                )
        return handle

    def pending(self) -> list[float]:
        with self._lock:
            return sorted(due - self._now for due, _, h, _ in self._heap if not h.cancelled)

    def run_due(self) -> None:
        self.advance(0)

    def advance(self, seconds: float, *, step: float | None = None) -> None:
        """Move the clock forward, running timers as they fall due (``step`` for coarse ticks)."""
        target = self.now() + seconds
        while True:
            with self._lock:
                if not self._heap or self._heap[0][0] > target:
                    self._now = max(self._now, target)
                    return
                due, _, handle, callback = heapq.heappop(self._heap)
                self._now = max(self._now, due)
            if not handle.cancelled:
                callback()

    def close(self) -> None:
        with self._lock:
            self.closed = True
            self._heap.clear()
