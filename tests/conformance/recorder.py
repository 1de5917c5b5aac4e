"""A recording ``requests`` transport for conformance checks against a real (embedded) node.

Mount :class:`RecordingAdapter` on the ``requests.Session`` given to ``PexipApi``: it sends through
the real ``HTTPAdapter`` and keeps every exchange (request body, status, response body) plus a
copy of every SSE byte stream. :meth:`RecordingAdapter.problems` validates them all against
Pexip's schemas: requests strictly, responses and SSE payloads leniently.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
import sseclient
from requests.adapters import HTTPAdapter

from tests.conformance import pexip_schemas

API = "/api/client/v2"


@dataclass
class Exchange:
    method: str
    path: str
    request_body: Any
    status: int
    response_body: Any


def _decode(raw: bytes | str | None) -> Any:
    if raw is None or raw in (b"", ""):
        return None
    text = raw.decode() if isinstance(raw, bytes) else raw
    try:
        return json.loads(text)
    except ValueError:
        return text


class _Tee:
    """Wraps a urllib3 response: SSE bytes go to the reader *and* into ``data``."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw
        self.data = bytearray()

    def stream(self, amt: int | None = None, decode_content: bool = True) -> Iterator[bytes]:
        for chunk in self._raw.stream(amt, decode_content=decode_content):
            self.data.extend(chunk)
            yield chunk

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


class RecordingAdapter(HTTPAdapter):
    def __init__(self) -> None:
        super().__init__()
        self.exchanges: list[Exchange] = []
        self.streams: list[_Tee] = []
        self._lock = threading.Lock()

    def session(self, verify: bool | str = True) -> requests.Session:
        s = requests.Session()
        s.verify = verify
        s.mount("http://", self)
        s.mount("https://", self)
        return s

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        response = super().send(request, **kwargs)
        path = urlsplit(request.url or "").path.removeprefix(API)
        body = _decode(request.body)  # type: ignore[arg-type]
        is_sse = response.headers.get("Content-Type", "").startswith("text/event-stream")
        if is_sse and response.status_code == 200:
            tee = _Tee(response.raw)
            response.raw = tee
            with self._lock:
                self.streams.append(tee)
            return response
        content = response.content  # read now; requests would do the same for stream=False
        with self._lock:
            self.exchanges.append(
                Exchange(request.method or "", path, body, response.status_code, _decode(content))
            )
        return response

    def of(self, suffix: str) -> list[Exchange]:
        return [e for e in self.exchanges if e.path.endswith(suffix)]

    def sse_events(self) -> list[tuple[str, Any]]:
        events: list[tuple[str, Any]] = []
        for tee in list(self.streams):
            for event in sseclient.SSEClient(iter([bytes(tee.data)])).events():  # type: ignore[arg-type]
                try:
                    events.append((event.event, json.loads(event.data)))
                except ValueError:
                    events.append((event.event, event.data))
        return events

    def problems(self) -> list[str]:
        found: list[str] = []
        for ex in self.exchanges:
            found += pexip_schemas.check_request(ex.method, ex.path, ex.request_body)
            found += pexip_schemas.check_response(ex.method, ex.path, ex.status, ex.response_body)
        for name, data in self.sse_events():
            found += pexip_schemas.check_sse(name, data)
        return found
