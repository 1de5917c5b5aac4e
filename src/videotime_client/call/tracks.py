"""The tracks of a call: bounded, drop-oldest hand-offs in both directions.

aiortc bounds none of its queues (aiortc-notes §1.2): a renderer that is 50 ms slow made latency
grow to 6 s.  So:

* :class:`DropOldestQueue` is the hand-off from a pushing source (a Qt camera or microphone) to
  the media thread: when full, the oldest item goes, and a stalled media loop never collects
  more than one pending wake-up.
* :class:`LocalVideoTrack` wraps any video source and applies the adaptation level (frame rate
  and size) before the encoder sees a frame.
* :class:`RemoteVideoReceiver` / :class:`RemoteAudioReceiver` drain remote tracks *always*, even
  when nobody shows the picture, count what arrives (fps, freezes, first frame, glass-to-glass
  latency from the synthetic stamp) and pass only the newest frame on to a sink.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, cast

import av
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from videotime_client.call.adaptation import VideoLevel

log = logging.getLogger(__name__)


class DropOldestQueue[T]:
    """A bounded queue that drops the oldest item instead of blocking or growing.

    The consumer awaits :meth:`get` on its asyncio loop.  Producers call :meth:`put_nowait` on
    that loop, or :meth:`put_threadsafe` from any other thread (a Qt camera or microphone).  The
    thread-safe put stores the item at once, under a lock, and keeps at most ONE wake-up
    scheduled on the loop: scheduling a callback per item (``call_soon_threadsafe(put, item)``)
    would park every frame in the loop's own, unbounded callback queue whenever the loop
    stalls.
    """

    def __init__(self, maxsize: int = 2) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self._items: collections.deque[T] = collections.deque(maxlen=maxsize)
        self._lock = threading.Lock()
        self._ready: asyncio.Event | None = None  # made by the consumer, on its loop
        self._wake_pending = False
        self.dropped = 0

    def _store(self, item: T) -> None:
        if len(self._items) == self.maxsize:
            self.dropped += 1  # the deque's maxlen drops the oldest
        self._items.append(item)

    def put_nowait(self, item: T) -> None:
        """Add ``item`` (on the consumer's loop)."""
        with self._lock:
            self._store(item)
        self._wake()

    def put_threadsafe(self, item: T, call_soon: Callable[[Callable[[], None]], object]) -> None:
        """Add ``item`` from any thread; ``call_soon`` schedules a callable on the consumer's
        loop (``MediaEngine.call_soon`` or ``loop.call_soon_threadsafe``)."""
        with self._lock:
            self._store(item)
            if self._wake_pending:
                return
            self._wake_pending = True
        call_soon(self._wake)

    def _wake(self) -> None:
        with self._lock:
            self._wake_pending = False
        if self._ready is not None:
            self._ready.set()

    async def get(self) -> T:
        while True:
            with self._lock:
                if self._items:
                    return self._items.popleft()
            if self._ready is None:
                self._ready = asyncio.Event()
            self._ready.clear()
            await self._ready.wait()

    def qsize(self) -> int:
        with self._lock:
            return len(self._items)


def fit_size(src_w: int, src_h: int, level: VideoLevel) -> tuple[int, int]:
    """Largest even size inside ``level`` keeping the source's aspect ratio."""
    scale = min(level.width / src_w, level.height / src_h, 1.0)
    return max(2, int(src_w * scale) // 2 * 2), max(2, int(src_h * scale) // 2 * 2)


class LocalVideoTrack(MediaStreamTrack):
    """What we send: the source's frames at the adaptation level's frame rate and size."""

    kind = "video"

    def __init__(self, source: MediaStreamTrack, level: Callable[[], VideoLevel]) -> None:
        super().__init__()
        self.source = source
        self._level = level
        self._last_sent = 0.0
        self.frames_sent = 0
        self.frames_dropped = 0
        self.enabled = True  # False: camera off (a black picture once a second)
        self._times: collections.deque[float] = collections.deque(maxlen=90)

    async def recv(self) -> av.VideoFrame:
        while True:
            frame = cast(av.VideoFrame, await self.source.recv())
            level = self._level()
            if hasattr(self.source, "fps") and self.source.fps != level.fps:
                self.source.fps = level.fps  # a paced source can simply produce less
            now = time.monotonic()
            fps = level.fps if self.enabled else 1
            if now - self._last_sent < 0.9 / fps:
                self.frames_dropped += 1
                continue
            self._last_sent = now
            width, height = fit_size(frame.width, frame.height, level)
            if not self.enabled:
                out = av.VideoFrame(width, height, "yuv420p")
                for plane, value in zip(out.planes, (16, 128, 128), strict=True):
                    plane.update(bytes([value]) * plane.buffer_size)
            elif (width, height) != (frame.width, frame.height):
                out = frame.reformat(width=width, height=height, format="yuv420p")
            else:
                out = frame
            out.pts, out.time_base = frame.pts, frame.time_base
            self.frames_sent += 1
            self._times.append(now)
            return out

    def stop(self) -> None:
        super().stop()
        self.source.stop()

    @property
    def fps(self) -> float:
        return _rate(self._times)


class LocalAudioTrack(MediaStreamTrack):
    """What we send as sound: the source through audio processing; silence when muted."""

    kind = "audio"

    def __init__(self, source: MediaStreamTrack, processor: Any | None = None) -> None:
        super().__init__()
        self.source = source
        self.processor = processor
        self.muted = False
        self.frames_sent = 0

    async def recv(self) -> av.AudioFrame:
        frame = cast(av.AudioFrame, await self.source.recv())
        if self.processor is not None or self.muted:
            samples = frame.to_ndarray()
            if self.muted:
                samples = np.zeros_like(samples)
            elif self.processor is not None:
                samples = self.processor.process_capture(samples, frame.sample_rate)
            out = av.AudioFrame.from_ndarray(
                samples, format=frame.format.name, layout=frame.layout.name
            )
            out.sample_rate, out.pts, out.time_base = frame.sample_rate, frame.pts, frame.time_base
            frame = out
        self.frames_sent += 1
        return frame

    def stop(self) -> None:
        super().stop()
        self.source.stop()


def _rate(times: collections.deque[float], window: float = 2.0) -> float:
    if len(times) < 2:
        return 0.0
    now = time.monotonic()
    recent = [t for t in times if now - t <= window]
    if len(recent) < 2 or now - recent[-1] > 1.0:
        return 0.0
    return (len(recent) - 1) / (recent[-1] - recent[0])


class _Receiver:
    def __init__(self, track: MediaStreamTrack) -> None:
        self.track = track
        self.frames = 0
        self.first_frame_at: float | None = None  # monotonic
        self.last_frame_at: float | None = None
        self.skipped = 0
        self._times: collections.deque[float] = collections.deque(maxlen=120)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, MediaStreamError):
                await self._task
            self._task = None

    @property
    def fps(self) -> float:
        return _rate(self._times)

    def _backlog(self) -> int:
        # aiortc's RemoteStreamTrack keeps an unbounded asyncio.Queue in ``_queue``.
        queue = getattr(self.track, "_queue", None)
        return queue.qsize() if queue is not None else 0

    async def _run(self) -> None:
        while True:
            try:
                frame = await self.track.recv()
            except MediaStreamError:
                return
            now = time.monotonic()
            if self.first_frame_at is None:
                self.first_frame_at = now
            self.frames += 1
            self._observe(frame, now)
            self.last_frame_at = now
            self._times.append(now)
            try:
                self._deliver(frame, self._backlog())
            except Exception:
                log.exception("a media sink failed; the frame is dropped")

    def _observe(self, frame: Any, now: float) -> None:
        pass

    def _deliver(self, frame: Any, backlog: int) -> None:
        pass


class RemoteVideoReceiver(_Receiver):
    """Drains the remote picture; counts fps and freezes; hands the newest frame to a sink."""

    def __init__(
        self,
        track: MediaStreamTrack,
        sink: Callable[[av.VideoFrame], None] | None = None,
        *,
        measure_latency: bool = False,
    ) -> None:
        super().__init__(track)
        self.sink = sink
        self.measure_latency = measure_latency
        self.freezes = 0
        self.width = 0
        self.height = 0
        self.latencies_ms: collections.deque[float] = collections.deque(maxlen=5000)
        self._avg_gap: float | None = None

    def _observe(self, frame: av.VideoFrame, now: float) -> None:
        self.width, self.height = frame.width, frame.height
        if self.last_frame_at is not None:
            gap = now - self.last_frame_at
            # W3C webrtc-stats freezeCount: a gap longer than max(3 x average, average + 150 ms).
            if self._avg_gap is not None and gap > max(3 * self._avg_gap, self._avg_gap + 0.150):
                self.freezes += 1
            self._avg_gap = gap if self._avg_gap is None else 0.9 * self._avg_gap + 0.1 * gap
        if self.measure_latency:
            from videotime_client.call.stamp import read_stamp_wall_time

            stamped = read_stamp_wall_time(frame)
            if stamped is not None:
                self.latencies_ms.append((time.time() - stamped) * 1000)

    def _deliver(self, frame: av.VideoFrame, backlog: int) -> None:
        if self.sink is None:
            return
        if backlog > 0:  # newer frames are already waiting: show those, not this one
            self.skipped += 1
            return
        self.sink(frame)


class RemoteAudioReceiver(_Receiver):
    """Drains the remote sound; hands every frame to a sink (the playback queue is bounded)."""

    def __init__(
        self, track: MediaStreamTrack, sink: Callable[[av.AudioFrame], None] | None = None
    ) -> None:
        super().__init__(track)
        self.sink = sink
        self.peak = 0.0

    def _observe(self, frame: av.AudioFrame, now: float) -> None:
        if self.frames % 25 == 1:  # twice a second is enough for a level meter
            samples = frame.to_ndarray()
            self.peak = float(np.abs(samples).max()) / 32768.0 if samples.size else 0.0

    def _deliver(self, frame: av.AudioFrame, backlog: int) -> None:
        if self.sink is not None:
            self.sink(frame)
