"""Media plumbing of the node's transcoded calls (aiortc).

Every picture or sound the node can send is a *source*: a pump task reads an aiortc track (a
participant's received track, the simulated clinician's synthetic camera and tone) and keeps the
latest video frame, or a short bounded queue of audio frames per listener. Each outgoing track of
a call picks its source on every frame through a selector, so switching from the "waiting for
your clinician" slate to the clinician's picture, or looping a test call back, needs no
renegotiation. All buffers are bounded (aiortc's are not: aiortc-notes §1.2).

Outgoing tracks wait for ``ack`` before producing anything: Pexip starts media on ack.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import contextvars
import fractions
import logging
import time
from collections.abc import Callable

import aioice.ice
import av
import numpy as np
from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, VideoStreamTrack

from videotime_node.slate import slate_i420

log = logging.getLogger(__name__)

AUDIO_RATE = 48000
AUDIO_PTIME = 0.020
_AUDIO_SAMPLES = int(AUDIO_RATE * AUDIO_PTIME)

# ---------------------------------------------------------------- ICE host addresses
# aioice looks up host addresses through a module-level function and never returns loopback.
# The node sets this context variable around its own gathering, so only the node's peer
# connections are affected, even when a test runs the node and a client in one process.
_HOST_ADDRESSES: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "videotime_node_host_addresses", default=None
)
_original_get_host_addresses = aioice.ice.get_host_addresses
_patched = False


def _get_host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    override = _HOST_ADDRESSES.get()
    if override is not None:
        return list(override)
    return _original_get_host_addresses(use_ipv4=use_ipv4, use_ipv6=use_ipv6)


def install_host_address_hook() -> None:
    """Route aioice's host-address lookup through the context variable (idempotent)."""
    global _patched
    if not _patched:
        aioice.ice.get_host_addresses = _get_host_addresses
        _patched = True


async def set_local_description(
    pc: RTCPeerConnection, desc: RTCSessionDescription, host_addresses: list[str] | None
) -> None:
    """``pc.setLocalDescription`` gathering candidates only on ``host_addresses`` (if given)."""
    install_host_address_hook()
    token = _HOST_ADDRESSES.set(host_addresses)
    try:
        await pc.setLocalDescription(desc)
    finally:
        _HOST_ADDRESSES.reset(token)


def new_peer_connection() -> RTCPeerConnection:
    # Explicit empty list: with None aiortc would quietly use Google's public STUN server.
    return RTCPeerConnection(RTCConfiguration(iceServers=[]))


# ---------------------------------------------------------------- sources
class VideoSource:
    """Keeps the latest frame of a video track (one-slot mailbox; stale frames are dropped)."""

    def __init__(self, track: MediaStreamTrack, name: str) -> None:
        self.name = name
        self.track = track
        self.latest: np.ndarray | None = None
        self.frames = 0
        self.last_frame_at = 0.0
        self._task = asyncio.ensure_future(self._pump())

    @property
    def live(self) -> bool:
        return self.latest is not None and time.monotonic() - self.last_frame_at < 2.0

    async def _pump(self) -> None:
        with contextlib.suppress(MediaStreamError, asyncio.CancelledError):
            while True:
                frame = await self.track.recv()
                assert isinstance(frame, av.VideoFrame)
                self.latest = frame.to_ndarray(format="yuv420p")
                self.frames += 1
                self.last_frame_at = time.monotonic()

    def stop(self) -> None:
        self._task.cancel()
        self.track.stop()


class AudioSource:
    """Fans audio frames out to listeners, each with a short bounded queue."""

    def __init__(self, track: MediaStreamTrack, name: str) -> None:
        self.name = name
        self.track = track
        self.frames = 0
        self._listeners: list[collections.deque[av.AudioFrame]] = []
        self._task = asyncio.ensure_future(self._pump())

    def listen(self) -> collections.deque[av.AudioFrame]:
        queue: collections.deque[av.AudioFrame] = collections.deque(maxlen=5)
        self._listeners.append(queue)
        return queue

    def unlisten(self, queue: collections.deque[av.AudioFrame]) -> None:
        with contextlib.suppress(ValueError):
            self._listeners.remove(queue)

    async def _pump(self) -> None:
        with contextlib.suppress(MediaStreamError, asyncio.CancelledError):
            while True:
                frame = await self.track.recv()
                assert isinstance(frame, av.AudioFrame)
                self.frames += 1
                for queue in self._listeners:
                    queue.append(frame)

    def stop(self) -> None:
        self._task.cancel()
        self.track.stop()


VideoSelector = Callable[[], "VideoSource | str"]  # a source, or a slate key
AudioSelector = Callable[[], "AudioSource | None"]


class OutgoingVideoTrack(VideoStreamTrack):
    """30 fps; each frame comes from whatever the selector names right now."""

    def __init__(self, select: VideoSelector, gate: asyncio.Event) -> None:
        super().__init__()
        self._select = select
        self._gate = gate
        self.frames_sent = 0
        self.source_name = ""  # what the last frame showed (admin view, tests)

    async def recv(self) -> av.VideoFrame:
        await self._gate.wait()
        pts, time_base = await self.next_timestamp()
        source = self._select()
        if isinstance(source, VideoSource) and source.latest is not None:
            data = source.latest
            self.source_name = source.name
        else:
            key = source if isinstance(source, str) else "waiting"
            data = slate_i420(key)
            self.source_name = f"slate:{key}"
        frame = av.VideoFrame.from_ndarray(data, format="yuv420p")
        frame.pts = pts
        frame.time_base = time_base
        self.frames_sent += 1
        return frame


class OutgoingAudioTrack(MediaStreamTrack):
    """20 ms frames from the selected source, silence when it has nothing."""

    kind = "audio"

    def __init__(self, select: AudioSelector, gate: asyncio.Event) -> None:
        super().__init__()
        self._select = select
        self._gate = gate
        self._source: AudioSource | None = None
        self._queue: collections.deque[av.AudioFrame] | None = None
        self._t0: float | None = None
        self._pts = 0
        self._silence = np.zeros((1, _AUDIO_SAMPLES), dtype=np.int16)
        self._time_base = fractions.Fraction(1, AUDIO_RATE)
        self._resampler: av.AudioResampler | None = None

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        await self._gate.wait()
        now = time.monotonic()
        if self._t0 is None:
            self._t0 = now
        else:
            self._pts += _AUDIO_SAMPLES
            wait = self._t0 + self._pts / AUDIO_RATE - now
            if wait > 0:
                await asyncio.sleep(wait)
            elif wait < -0.5:
                self._t0 = now - self._pts / AUDIO_RATE
        source = self._select()
        if source is not self._source:
            if self._source is not None and self._queue is not None:
                self._source.unlisten(self._queue)
            self._source = source
            self._queue = source.listen() if source is not None else None
        samples = self._silence
        if self._queue:
            samples = self._mono_s16(self._queue.popleft())
        # One fixed format (mono s16 48 kHz): aiortc's encoder sets its resampler up from the
        # first frame and rejects any frame that differs later.
        frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
        frame.sample_rate = AUDIO_RATE
        frame.pts = self._pts
        frame.time_base = self._time_base
        return frame

    def _mono_s16(self, incoming: av.AudioFrame) -> np.ndarray:
        if incoming.sample_rate == AUDIO_RATE and incoming.format.name == "s16":
            data = incoming.to_ndarray()
            channels = len(incoming.layout.channels)
            if channels == 1:
                return data.reshape(1, -1)
            return np.ascontiguousarray(data.reshape(-1, channels)[:, 0]).reshape(1, -1)
        if self._resampler is None:
            self._resampler = av.AudioResampler(format="s16", layout="mono", rate=AUDIO_RATE)
        out = self._resampler.resample(incoming)
        if not out:
            return self._silence
        return np.concatenate([f.to_ndarray().reshape(1, -1) for f in out], axis=1)

    def stop(self) -> None:
        if self._source is not None and self._queue is not None:
            self._source.unlisten(self._queue)
        super().stop()
