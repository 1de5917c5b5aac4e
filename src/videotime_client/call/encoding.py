"""Encoder policy: stable bitrate (no keyframe storms), fast H264, encode-time measurement.

aiortc rebuilds its encoder whenever the REMB target moves by more than 10 % (``codecs/vpx.py``
l.192, ``codecs/h264.py`` l.247), and every rebuild starts with a keyframe: measured 10-12
rebuilds in 20 s of ramp-up.  On a bad network each step down sends a burst that makes things
worse.  :class:`BitrateHysteresis` lets the encoder see a new target only after a *sustained*,
*large* change, and at most once per ``min_interval`` seconds.

aiortc never sets a libx264 preset, so libx264 runs "medium" (51 fps/core at 640x480): we use
"veryfast" (276 fps/core) when H264 is negotiated.

:func:`install` swaps aiortc's ``get_encoder`` for one returning these subclasses; it is
idempotent and affects only encoders created afterwards.  Each encoder reports how long every
encode took to an :class:`EncodeMonitor` (read by the adaptation policy).
"""

from __future__ import annotations

import collections
import contextvars
import fractions
import threading
import time
from collections.abc import Iterator
from typing import Any, cast

import aiortc.codecs
import aiortc.rtcrtpsender
import av
from aiortc.codecs import h264 as _h264
from aiortc.codecs import vpx as _vpx


class EncodeMonitor:
    """Thread-safe window of recent encode times and the wanted (REMB) bitrate."""

    def __init__(self, window: int = 60) -> None:
        self._lock = threading.Lock()
        self._times: collections.deque[float] = collections.deque(maxlen=window)
        self.wanted_bitrate: int | None = None
        self.applied_bitrate: int | None = None
        self.rebuilds = 0
        self.frames = 0

    def add(self, seconds: float) -> None:
        with self._lock:
            self._times.append(seconds)
            self.frames += 1

    def percentile_ms(self, q: float = 0.8) -> float | None:
        with self._lock:
            if len(self._times) < 10:
                return None
            ordered = sorted(self._times)
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# The monitor of the call whose task is running.  aiortc creates encoders inside the sender's
# task, which inherits the context of the session task that started it, so only our own calls
# get our encoders (the embedded node, running in the same process in tests, keeps aiortc's).
_CURRENT: contextvars.ContextVar[EncodeMonitor | None] = contextvars.ContextVar(
    "videotime_encode_monitor", default=None
)


def use_monitor(monitor: EncodeMonitor) -> None:
    """Make encoders created from the current task (and its children) report to ``monitor``."""
    install()
    _CURRENT.set(monitor)


class BitrateHysteresis:
    """Only pass on bitrate changes that are large (> ``ratio``) and sustained."""

    def __init__(
        self,
        initial: int,
        *,
        ratio: float = 0.3,
        hold_down_s: float = 1.0,
        hold_up_s: float = 3.0,
        min_interval_s: float = 4.0,
        clock: Any = time.monotonic,
    ) -> None:
        self.applied = initial
        self.ratio = ratio
        self.hold_down_s = hold_down_s
        self.hold_up_s = hold_up_s
        self.min_interval_s = min_interval_s
        self._clock = clock
        self._since: float | None = None
        self._direction = 0
        self._last_change = -1e9
        self._lowest = initial
        self._highest = initial

    def offer(self, wanted: int) -> int:
        """Feed the latest wanted bitrate; returns the bitrate the encoder should use."""
        now = self._clock()
        change = (wanted - self.applied) / max(1, self.applied)
        direction = 1 if change > self.ratio else -1 if change < -self.ratio else 0
        if direction == 0:
            self._since = None
            self._direction = 0
            return self.applied
        if direction != self._direction or self._since is None:
            self._direction = direction
            self._since = now
            self._lowest = self._highest = wanted
        self._lowest = min(self._lowest, wanted)
        self._highest = max(self._highest, wanted)
        hold = self.hold_down_s if direction < 0 else self.hold_up_s
        if now - self._since >= hold and now - self._last_change >= self.min_interval_s:
            # Going down: the highest value seen while it stayed low (do not over-react);
            # going up: the lowest value seen while it stayed high (be cautious).
            self.applied = self._highest if direction < 0 else self._lowest
            self._last_change = now
            self._since = None
            self._direction = 0
        return self.applied


class _PolicyEncoder:
    """What our encoders add to aiortc's: bitrate hysteresis and encode timing.

    A mixin placed before aiortc's encoder class: ``target_bitrate`` (which aiortc's sender sets
    from every REMB) goes through :class:`BitrateHysteresis`, so the codec context, which
    aiortc rebuilds on any > 10 % change of the value it reads, sees only sustained, large
    changes.  Each rebuild-worthy change is counted in the monitor.
    """

    def _init_policy(self, monitor: EncodeMonitor, initial: int, low: int, high: int) -> None:
        self._monitor = monitor
        self._hysteresis = BitrateHysteresis(initial)
        self._applied = initial
        self._bounds = (low, high)

    @property
    def target_bitrate(self) -> int:
        return self._applied

    @target_bitrate.setter
    def target_bitrate(self, bitrate: int) -> None:
        low, high = self._bounds
        bitrate = max(low, min(bitrate, high))
        self._monitor.wanted_bitrate = bitrate
        applied = self._hysteresis.offer(bitrate)
        if applied != self._applied:
            self._monitor.rebuilds += 1
        self._applied = applied
        self._monitor.applied_bitrate = applied
        self._bitrate_applied(applied)

    def _bitrate_applied(self, bitrate: int) -> None:
        """Hook for an encoder that keeps its own copy of the target."""

    def encode(self, frame: Any, force_keyframe: bool = False) -> tuple[list[bytes], int]:
        started = time.perf_counter()
        try:
            result: tuple[list[bytes], int] = cast(Any, super()).encode(frame, force_keyframe)
            return result
        finally:
            self._monitor.add(time.perf_counter() - started)


class StableVp8Encoder(_PolicyEncoder, _vpx.Vp8Encoder):
    """aiortc's VP8 encoder with bitrate hysteresis and encode timing."""

    def __init__(self, monitor: EncodeMonitor) -> None:
        super().__init__()
        self._init_policy(monitor, _vpx.DEFAULT_BITRATE, _vpx.MIN_BITRATE, _vpx.MAX_BITRATE)

    def _bitrate_applied(self, bitrate: int) -> None:
        # aiortc's VP8 reads its name-mangled copy for the rate-control buffer size.
        self._Vp8Encoder__target_bitrate = bitrate


class FastH264Encoder(_PolicyEncoder, _h264.H264Encoder):
    """aiortc's H264 encoder with preset ``veryfast``, bitrate hysteresis and encode timing."""

    def __init__(self, monitor: EncodeMonitor) -> None:
        super().__init__()
        self._init_policy(monitor, _h264.DEFAULT_BITRATE, _h264.MIN_BITRATE, _h264.MAX_BITRATE)

    def _encode_frame(self, frame: av.VideoFrame, force_keyframe: bool) -> Iterator[bytes]:
        # Same as aiortc 1.16's H264Encoder._encode_frame plus ``preset``.
        if self.codec and (
            frame.width != self.codec.width
            or frame.height != self.codec.height
            or abs(self.target_bitrate - (self.codec.bit_rate or 1)) / (self.codec.bit_rate or 1)
            > 0.1
        ):
            self.buffer_data = b""
            self.buffer_pts = None
            self.codec = None
        if force_keyframe:
            frame.pict_type = av.video.frame.PictureType.I
        else:
            frame.pict_type = av.video.frame.PictureType.NONE
        if self.codec is None:
            self.codec = av.CodecContext.create("libx264", "w")
            self.codec.width = frame.width
            self.codec.height = frame.height
            self.codec.bit_rate = self.target_bitrate
            self.codec.pix_fmt = "yuv420p"
            self.codec.framerate = fractions.Fraction(_h264.MAX_FRAME_RATE, 1)
            self.codec.time_base = fractions.Fraction(1, _h264.MAX_FRAME_RATE)
            self.codec.options = {"level": "31", "tune": "zerolatency", "preset": "veryfast"}
            self.codec.profile = "Baseline"
        data = b"".join(bytes(p) for p in self.codec.encode(frame))
        if data:
            yield from self._split_bitstream(data)


_original_get_encoder = aiortc.codecs.get_encoder
_installed = False


def _get_encoder(codec: Any) -> Any:
    monitor = _CURRENT.get()
    mime = codec.mimeType.lower()
    if monitor is not None and mime == "video/vp8":
        return StableVp8Encoder(monitor)
    if monitor is not None and mime == "video/h264":
        return FastH264Encoder(monitor)
    return _original_get_encoder(codec)


def install() -> None:
    """Make aiortc's senders use our encoders (idempotent, process-wide)."""
    global _installed
    if not _installed:
        # aiortc's sender looks ``get_encoder`` up in its own module namespace.
        setattr(aiortc.rtcrtpsender, "get_encoder", _get_encoder)  # noqa: B010
        _installed = True
