"""Synthetic camera and microphone: a moving test picture with a readable time stamp, and a tone.

Qt-free aiortc tracks used by headless joins, tests, the embedded node's simulated clinician and
the benchmarks.  Both keep precomputed frames so that producing one costs a memory copy, not
maths: on a 2-core laptop the encoder must be the only real per-frame cost.

Picture
    A static gradient background, a "head" disc that circles once a second and per-frame sensor
    noise (sigma 2).  Flat frames cost nearly nothing to encode; this content costs about what a
    webcam does (aiortc-notes §1.1 "scene").

Time stamp (glass-to-glass latency)
    The top band of every frame carries wall-clock milliseconds and a frame counter as a grid of
    black and white squares (layout: ``videotime_client.call.stamp``, which the call engine reads
    on received frames).  :func:`read_stamp` returns the stamped wall-clock time.
"""

from __future__ import annotations

import asyncio
import fractions
import math
import time
import zlib
from functools import lru_cache

import av
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from videotime_client.call.stamp import (  # noqa: F401  (re-exported for callers of this module)
    Stamp,
    decode_stamp,
    decode_stamp_luma,
    draw_stamp,
    read_stamp_wall_time,
)

VIDEO_CLOCK_RATE = 90_000
VIDEO_TIME_BASE = fractions.Fraction(1, VIDEO_CLOCK_RATE)

_PATTERN_FRAMES = 30  # one full circle of the disc; noise differs in every one of them


# --------------------------------------------------------------------------- pictures


def _label_tint(label: str) -> tuple[int, int]:
    """A stable chroma (U, V) per label so that two synthetic cameras look different."""
    h = zlib.crc32(label.encode()) if label else 0
    return 96 + (h & 0x3F), 96 + ((h >> 6) & 0x3F)


@lru_cache(maxsize=4)
def _pattern(width: int, height: int, label: str) -> tuple[np.ndarray, ...]:
    """Precomputed I420 frames (shape ``(height * 3 // 2, width)``), one disc circle."""
    rng = np.random.default_rng(zlib.crc32(label.encode()) + width * 7919 + height)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    background = 60 + 100 * (xx / max(1, width - 1)) + 40 * (yy / max(1, height - 1))
    cu, cv = _label_tint(label)
    chroma_h, chroma_w = height // 2, width // 2
    cyy, cxx = np.mgrid[0:chroma_h, 0:chroma_w].astype(np.float32)
    radius = min(width, height) / 6
    frames = []
    for i in range(_PATTERN_FRAMES):
        angle = 2 * math.pi * i / _PATTERN_FRAMES
        dx = width / 2 + (width / 4) * math.cos(angle)
        dy = height / 2 + (height / 5) * math.sin(angle)
        disc = (xx - dx) ** 2 + (yy - dy) ** 2 < radius**2
        luma = np.where(disc, 200.0, background) + rng.normal(0, 2, size=(height, width))
        y = np.clip(luma, 0, 255).astype(np.uint8)
        cdisc = (cxx - dx / 2) ** 2 + (cyy - dy / 2) ** 2 < (radius / 2) ** 2
        u = np.where(cdisc, 110, cu).astype(np.uint8)
        v = np.where(cdisc, 160, cv).astype(np.uint8)
        # I420 layout as PyAV's from_ndarray expects: Y, then U and V rows packed two per row.
        uv = np.concatenate([u.reshape(-1, width), v.reshape(-1, width)])
        frame = np.concatenate([y, uv])
        frame.setflags(write=False)
        frames.append(frame)
    return tuple(frames)


class FramePacer:
    """Paces a video source at a frame rate on the monotonic clock (shared by the synthetic and
    file cameras).  After a stall (a suspended laptop, a stalled loop) it starts afresh instead
    of bursting out the frames it "owes"."""

    def __init__(self) -> None:
        self._t0: float | None = None
        self._next = 0.0

    async def next_frame(self, fps: float) -> int:
        """Wait for the next frame's moment; returns its ``pts`` in the 90 kHz video clock."""
        now = time.monotonic()
        if self._t0 is None:
            self._t0 = self._next = now
        else:
            self._next += 1.0 / fps
            wait = self._next - now
            if wait > 0:
                await asyncio.sleep(wait)
            elif wait < -0.5:
                self._next = now
        return round((self._next - self._t0) * VIDEO_CLOCK_RATE)


class SyntheticVideoTrack(MediaStreamTrack):
    """A paced synthetic camera: moving picture, sensor noise and a time stamp in the pixels."""

    kind = "video"

    def __init__(
        self, width: int = 640, height: int = 480, fps: float = 30, label: str = ""
    ) -> None:
        super().__init__()
        if width % 2 or height % 2 or width < 64 or height < 48:
            raise ValueError("width and height must be even and at least 64x48")
        self.width = width
        self.height = height
        self.label = label
        self._frames = _pattern(width, height, label)
        self._fps = float(fps)
        self._pacer = FramePacer()
        self.frames_sent = 0

    @property
    def fps(self) -> float:
        return self._fps

    @fps.setter
    def fps(self, value: float) -> None:
        """Change the frame rate on the fly (pacing continues from the next frame)."""
        self._fps = max(1.0, float(value))

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        pts = await self._pacer.next_frame(self._fps)
        counter = self.frames_sent
        self.frames_sent += 1
        data = self._frames[counter % len(self._frames)].copy()
        draw_stamp(data[: self.height], time.time(), counter)
        frame = av.VideoFrame.from_ndarray(data, format="yuv420p")
        frame.pts = pts
        frame.time_base = VIDEO_TIME_BASE
        return frame


# --------------------------------------------------------------------------- sound

AUDIO_PTIME = 0.020


@lru_cache(maxsize=8)
def _tone(frequency: float, sample_rate: int, amplitude: float) -> np.ndarray:
    """One second of tone (a whole number of periods for integer frequencies), s16 mono."""
    t = np.arange(sample_rate, dtype=np.float64) / sample_rate
    samples = (amplitude * 32767 * np.sin(2 * math.pi * frequency * t)).astype(np.int16)
    samples.setflags(write=False)
    return samples


class ToneAudioTrack(MediaStreamTrack):
    """A paced sine tone in 20 ms mono s16 frames; ``amplitude`` 0 gives silence."""

    kind = "audio"

    def __init__(
        self, frequency: float = 440.0, sample_rate: int = 48000, amplitude: float = 0.3
    ) -> None:
        super().__init__()
        self.frequency = frequency
        self.sample_rate = sample_rate
        self._samples_per_frame = int(sample_rate * AUDIO_PTIME)
        self._second = _tone(frequency, sample_rate, amplitude)
        self._time_base = fractions.Fraction(1, sample_rate)
        self._t0: float | None = None
        self._pts = 0
        self.frames_sent = 0

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        now = time.monotonic()
        if self._t0 is None:
            self._t0 = now
        else:
            self._pts += self._samples_per_frame
            wait = self._t0 + self._pts / self.sample_rate - now
            if wait > 0:
                await asyncio.sleep(wait)
            elif wait < -0.5:
                self._t0 = now - self._pts / self.sample_rate
        n = self._samples_per_frame
        start = self._pts % self.sample_rate
        chunk = self._second[start : start + n]
        if chunk.shape[0] < n:
            chunk = np.concatenate([chunk, self._second[: n - chunk.shape[0]]])
        frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = self.sample_rate
        frame.pts = self._pts
        frame.time_base = self._time_base
        self.frames_sent += 1
        return frame


def read_stamp(frame: av.VideoFrame) -> float | None:
    """Wall-clock time (seconds since the epoch) stamped into ``frame``, or ``None``."""
    return read_stamp_wall_time(frame)
