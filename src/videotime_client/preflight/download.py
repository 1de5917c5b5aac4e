"""The receive (download) capacity: a timed HTTPS download from the appointment's own node.

Why a download and not media: the node's encoder decides what it sends us (the test call loops
back our own picture, and we send none during the check), so the media path only ever shows a
lower bound of the downlink.  Every Pexip Infinity node, though, serves its own web app over
HTTPS: ``/webapp/`` is an index page whose script bundles weigh several MB.  Fetching such a
static file from the node itself — the same host and TLS path as the consultation's
signalling, never a third-party server — fills the downlink the way a browser loading the web
app does.

How it is measured:

* Candidate paths (``DEFAULT_PATHS``; ``NetworkTarget.download_paths`` per node) are tried in
  order.  An HTML page is read (it is small) and its same-origin ``<script src>`` and
  stylesheet links become the assets; any other 200/206 answer is an asset itself.  A redirect
  to another host is never followed into a measurement.
* Assets are fetched back to back on ONE keep-alive connection with ``Accept-Encoding:
  identity`` (wire bytes = body bytes) and a ``Range`` no larger than the byte cap.  The bytes
  are counted and dropped: nothing is kept, nothing is written.
* Every arrival is time-stamped.  A response's first arrival only marks its start (it may have
  waited in the network during the request's round trip), so the gaps between responses never
  count: the responses are stitched into one bytes-over-time curve.
* The rate is the **Theil–Sen slope** (median of the slopes between every pair of arrivals at
  least 20 ms apart) of the **last 65 % of the bytes**.  The first part is the round trip, TCP
  slow start and the shaper's token-bucket burst.  TLS delivers whole records (16 kB: a quarter
  of a second at 0.5 Mbit/s), and a lost segment holds a record back until it is resent, after
  which several arrive at once; a slope between two chosen points can start right after such a
  stall (measured: up to +37 %), the median of all pairs cannot.
* Duration: at least ``MIN_S`` and until ``ENOUGH_ARRIVALS`` arrivals, at most ``MAX_S`` (or
  less when the check's budget is short), or until the byte cap.  Measured on a tbf link (16
  runs per rate, Theil-Sen, cubic sender): 2 and 5 Mbit/s are within ±2 % after 2 s; 0.5
  Mbit/s (a record every 0.26 s) reads +8..+20 % after 2.5 s and ±2 % after 3 s, so a slow
  line gets up to 3.5 s.  A fast line hits the byte cap and stops early.
* The payload rate is scaled to IP packets (TCP/IP headers per segment of the connection's own
  MSS, TLS record overhead), so ``receive_kbps`` counts what ``send_kbps`` counts.
* When the transfer stops, the connection is **reset**, not closed politely: a polite TLS close
  lets the node push the rest of the range for up to 30 s (measured: a leftover transfer
  halved the next estimate, and it would load the line during the call).

Fallback: when the node serves nothing suitable (404s, tiny files, errors), the result has no
rate and says why; the network check then keeps the media lower bound and labels it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import re
import socket
import ssl
import statistics
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

log = logging.getLogger(__name__)

# A real node: the web app's index (it links its bundles) and the legacy PexRTC library every
# node serves (pexip-client-api.md, [PEXRTC]).
DEFAULT_PATHS: tuple[str, ...] = ("/webapp/", "/static/webrtc/js/pexrtc.js")
MIN_S = 2.0  # measure at least this long (discovery included) ...
ENOUGH_ARRIVALS = 24  # ... and until this many arrivals (TLS records) ...
MAX_S = 3.5  # ... but never longer
BYTE_CAP = 3_500_000  # 8 Mbit/s (the send probe's cap) for 3.5 s; a fast line stops early
STEADY_SHARE = 0.65  # the rate over the last 65 % of the bytes
MIN_PAIR_S = 0.02  # Theil-Sen: ignore pairs of arrivals closer than this (one burst)
MIN_STEADY_S = 0.5  # less steady state than this is no measurement (unless the cap was hit)
MIN_STEADY_ARRIVALS = 4
MAX_PAGE_BYTES = 512_000
MAX_ASSETS = 8
MAX_REQUESTS = 200
HARD_GRACE_S = 0.25  # past max_s, whatever is pending (a connect, a header) is abandoned
# Per TCP segment: IPv4 20 + TCP 20 + timestamps 12.  Per full TLS 1.3 record (16 kB): 22.
TCPIP_HEADER_BYTES = 52
DEFAULT_MSS = 1448  # Ethernet MTU 1500 with TCP timestamps
TLS_RECORD_OVERHEAD = 22 / 16384


@dataclass
class DownloadResult:
    kbps: float | None = None  # IP-level rate, like send_kbps; None = no usable measurement
    goodput_kbps: float | None = None  # payload rate (what the app sees)
    bytes: int = 0  # body bytes received (and dropped)
    seconds: float = 0.0  # time spent receiving bodies (gaps between responses excluded)
    steady_s: float = 0.0  # the part the rate is taken from
    arrivals: int = 0
    responses: int = 0
    byte_cap_hit: bool = False  # the line may be faster than measured: a lower bound
    path: str | None = None  # the asset measured (stays on this machine: not exported)
    mss: int = DEFAULT_MSS  # the connection's TCP segment size (header overhead)
    # no_asset / too_little_data / unreachable / tls_failed / http_error / timed_out
    why: str | None = None


@dataclass
class Timeline:
    """Arrivals per response, stitched into one curve without the gaps between responses."""

    segments: list[list[tuple[float, int]]] = field(default_factory=list)

    def start_response(self) -> None:
        self.segments.append([])

    def add(self, t: float, n: int) -> None:
        self.segments[-1].append((t, n))

    @property
    def arrivals(self) -> int:
        return sum(max(0, len(s) - 1) for s in self.segments)

    def curve(self) -> list[tuple[float, int]]:
        """(time receiving, bytes counted) points; each response's first arrival only marks
        its start."""
        points = [(0.0, 0)]
        v, b = 0.0, 0
        for seg in self.segments:
            for (t0, _), (t1, n1) in itertools.pairwise(seg):
                v += max(0.0, t1 - t0)
                b += n1
                points.append((v, b))
        return points

    def steady(self, share: float = STEADY_SHARE) -> list[tuple[float, int]]:
        """The points from where the last ``share`` of the counted bytes begins."""
        points = self.curve()
        start_at = (1.0 - share) * points[-1][1]
        first = next(i for i, (_, b) in enumerate(points) if b >= start_at)
        return points[first:]


def theil_sen(points: list[tuple[float, int]], min_dt: float = MIN_PAIR_S) -> float | None:
    """Median slope (bytes/s) over all pairs at least ``min_dt`` apart; None if no pair is."""
    if len(points) > 400:  # keep it cheap on a fast line: thin evenly
        step = len(points) / 400
        points = [points[int(i * step)] for i in range(400)] + [points[-1]]
    slopes = [
        (q[1] - p[1]) / (q[0] - p[0])
        for i, p in enumerate(points)
        for q in points[i + 1 :]
        if q[0] - p[0] >= min_dt
    ]
    return statistics.median(slopes) if slopes else None


def estimate(timeline: Timeline, *, byte_cap_hit: bool) -> tuple[float | None, float]:
    """(payload bytes/s or None, seconds of steady state it was taken from)."""
    points = timeline.curve()
    total_s, total_b = points[-1]
    if byte_cap_hit and total_s < 2 * MIN_STEADY_S:
        # The cap came first (a fast line; loopback: milliseconds): the average of the whole
        # transfer is the better number, and the line does at least that.
        return (total_b / total_s if total_s > 0.001 else None), total_s
    steady = timeline.steady()
    span = steady[-1][0] - steady[0][0]
    if span < MIN_STEADY_S or len(steady) < MIN_STEADY_ARRIVALS:
        return None, span
    return theil_sen(steady), span


def _assets_in(page: str, page_url: str) -> list[str]:
    """Same-origin scripts, then stylesheets, linked from an HTML page (absolute URLs)."""
    origin = urlsplit(page_url)[:2]
    links = re.findall(r"<script\b[^>]*\bsrc\s*=\s*[\"']([^\"']+)[\"']", page, re.I)
    links += re.findall(r"<link\b[^>]*\bhref\s*=\s*[\"']([^\"']+\.css\b[^\"']*)[\"']", page, re.I)
    found: list[str] = []
    for link in links:
        url = urljoin(page_url, link)
        if urlsplit(url)[:2] == origin and url not in found:
            found.append(url)
    return found[:MAX_ASSETS]


def _mss(response: Any) -> int:
    """The connection's TCP segment size (for the header overhead), else the Ethernet default."""
    with contextlib.suppress(Exception):
        sock = response.connection.transport.get_extra_info("socket")
        mss = int(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG))
        if 500 <= mss <= 65_535:
            return mss
    return DEFAULT_MSS


def ssl_context(ca_file: str | None) -> ssl.SSLContext:
    """Verify the node as the Pexip client does (requests: the given PEM, else certifi's)."""
    if ca_file is None:
        import certifi

        ca_file = certifi.where()
    return ssl.create_default_context(cafile=ca_file)


_HEADERS = {"Accept-Encoding": "identity", "Cache-Control": "no-cache"}


@dataclass
class _Transfer:
    session: Any
    started: float
    deadline: float
    min_until: float
    byte_cap: int
    timeline: Timeline = field(default_factory=Timeline)
    result: DownloadResult = field(default_factory=DownloadResult)
    current: Any = None  # the response being read (to reset it if time runs out)

    def done(self) -> bool:
        now = time.monotonic()
        return (
            now >= self.deadline
            or self.result.bytes >= self.byte_cap
            or (now >= self.min_until and self.timeline.arrivals >= ENOUGH_ARRIVALS)
        )

    async def get(self, url: str) -> tuple[str, list[str]]:
        """GET ``url``: ("page", assets) for HTML, ("asset", []) once streamed, ("none", [])."""
        left = max(1, self.byte_cap - self.result.bytes)
        headers = {**_HEADERS, "Range": f"bytes=0-{left - 1}"}
        async with self.session.get(url, headers=headers, auto_decompress=False) as resp:
            self.current = resp
            if resp.status not in (200, 206):
                self.result.why = "http_error"
                return "none", []
            if urlsplit(str(resp.url))[:2] != urlsplit(url)[:2]:
                return "none", []  # redirected off the node: never measure another host
            if "html" in resp.headers.get("Content-Type", ""):
                body = b""
                while len(body) < MAX_PAGE_BYTES and (more := await resp.content.readany()):
                    body += more
                return "page", _assets_in(body.decode("utf-8", "replace"), str(resp.url))
            await self._stream(resp)
            return "asset", []

    async def _stream(self, resp: Any) -> None:
        """Count the body's arrivals until it ends or we are done; keep nothing."""
        self.result.responses += 1
        self.result.mss = _mss(resp)
        self.timeline.start_response()
        while not self.done():
            try:
                chunk = await asyncio.wait_for(
                    resp.content.readany(), max(0.001, self.deadline - time.monotonic())
                )
            except TimeoutError:
                break
            if not chunk:
                return
            self.timeline.add(time.monotonic(), len(chunk))
            self.result.bytes += len(chunk)
        _reset(resp)


def _reset(resp: Any) -> None:
    """Stop the transfer now by resetting the connection (see the module docstring)."""
    with contextlib.suppress(Exception):
        transport = resp.connection.transport if resp.connection is not None else None
        if transport is not None:
            transport.abort()
    resp.close()


async def measure_download(
    base_url: str,
    *,
    paths: tuple[str, ...] = DEFAULT_PATHS,
    ca_file: str | None = None,
    max_s: float = MAX_S,
    min_s: float = MIN_S,
    byte_cap: int = BYTE_CAP,
    session: Any | None = None,
) -> DownloadResult:
    """Download from the node for ``min_s``..``max_s`` seconds (discovery included).

    ``session`` (an ``aiohttp.ClientSession``) is injectable; by default one is made that
    verifies the node like the rest of the client and holds one connection."""
    import aiohttp

    own = session is None
    if session is None:
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(ssl=ssl_context(ca_file), limit=1),
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=3.0, sock_read=3.0),
            trust_env=False,
        )
    now = time.monotonic()
    run = _Transfer(session, now, now + max_s, now + min(min_s, max_s), byte_cap)
    result = run.result
    try:
        # One hard limit over everything, connecting and waiting for headers included: a node
        # that accepts and never answers must not cost the check its budget.
        async with asyncio.timeout(max_s + HARD_GRACE_S):
            await _fetch_all(run, base_url, paths)
    except (aiohttp.ClientSSLError, ssl.SSLError):
        result.why = "tls_failed"
    except TimeoutError:  # also aiohttp's own socket timeouts
        if run.current is not None:
            _reset(run.current)
        result.why = "timed_out"
    except (aiohttp.ClientError, OSError) as exc:
        log.info("preflight: download from the node stopped: %s", type(exc).__name__)
        result.why = "unreachable"
    finally:
        if own:
            await session.close()
    _finish(run)
    return result


async def _fetch_all(run: _Transfer, base_url: str, paths: tuple[str, ...]) -> None:
    """Find assets along ``paths``, then fetch them back to back until ``run`` is done."""
    assets: list[str] = []
    for path in paths:
        if assets or run.done():
            break
        url = urljoin(base_url.rstrip("/") + "/", path.lstrip("/"))
        kind, found = await run.get(url)
        assets.extend(found if kind == "page" else [url] if kind == "asset" else [])
    if assets:
        run.result.path = urlsplit(assets[0]).path
    for i in range(MAX_REQUESTS):
        if not assets or run.done():
            break
        kind, _ = await run.get(assets[i % len(assets)])
        if kind != "asset":
            break


def _finish(run: _Transfer) -> None:
    result, timeline = run.result, run.timeline
    result.byte_cap_hit = result.bytes >= run.byte_cap
    result.arrivals = timeline.arrivals
    result.seconds = round(timeline.curve()[-1][0], 4)
    rate, span = estimate(timeline, byte_cap_hit=result.byte_cap_hit)
    result.steady_s = round(span, 4)
    if rate is None or rate <= 0:
        if result.why is None:
            result.why = "too_little_data" if result.bytes else "no_asset"
        return
    mss = result.mss
    wire = rate * 8 / 1000 * (mss + TCPIP_HEADER_BYTES) / mss * (1 + TLS_RECORD_OVERHEAD)
    result.goodput_kbps = round(rate * 8 / 1000, 1)
    result.kbps = round(wire, 1)
    result.why = None  # measured (a transfer cut short by an error still measured)
