"""Degrade (and restore) frame rate and resolution when the encoder or the network says so.

aiortc has no frame-rate or resolution adaptation: its sender only moves the encoder bitrate
with REMB (aiortc-notes §1.3).  On a 2-core laptop the encoder is the bottleneck (§1.1), and a
low REMB target at 640x480@30 just gives mush.  So we walk a small ladder:

    640x480@30 → 640x480@20 → 480x360@20 → 320x240@15 → 320x240@10

Step down when, over the last second, encode time (80th percentile) exceeds ``slow_encode_ms``
(25 ms, from the notes' recommendation) or the wanted bitrate is below the step's floor.  Step up
only after ``hold_up_s`` of comfortable headroom, and never sooner than ``min_interval_s`` after
the previous change: hysteresis so that a noisy estimate does not make the picture flap.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class VideoLevel:
    width: int
    height: int
    fps: int
    min_bitrate: int  # below this wanted bitrate, this level looks worse than the next one


LADDER: tuple[VideoLevel, ...] = (
    VideoLevel(640, 480, 30, 400_000),
    VideoLevel(640, 480, 20, 300_000),
    VideoLevel(480, 360, 20, 200_000),
    VideoLevel(320, 240, 15, 120_000),
    VideoLevel(320, 240, 10, 0),
)


class AdaptationPolicy:
    """Pick a ladder level from encode time and wanted bitrate, with hysteresis."""

    def __init__(
        self,
        ladder: tuple[VideoLevel, ...] = LADDER,
        *,
        slow_encode_ms: float = 25.0,
        fast_encode_ms: float = 12.0,
        hold_up_s: float = 8.0,
        min_interval_s: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ladder = ladder
        self.index = 0
        self.slow_encode_ms = slow_encode_ms
        self.fast_encode_ms = fast_encode_ms
        self.hold_up_s = hold_up_s
        self.min_interval_s = min_interval_s
        self._clock = clock
        self._last_change = -1e9
        self._good_since: float | None = None
        self.changes = 0

    @property
    def level(self) -> VideoLevel:
        return self.ladder[self.index]

    def update(self, encode_ms: float | None, wanted_bitrate: int | None) -> VideoLevel:
        """Feed the latest measurements (about once a second); returns the level to use."""
        now = self._clock()
        level = self.level
        too_slow = encode_ms is not None and encode_ms > self.slow_encode_ms
        too_thin = wanted_bitrate is not None and wanted_bitrate < level.min_bitrate
        if too_slow or too_thin:
            self._good_since = None
            if self.index < len(self.ladder) - 1 and now - self._last_change >= self.min_interval_s:
                self._step(+1, now)
            return self.level
        if self.index == 0:
            return level
        better = self.ladder[self.index - 1]
        roomy = (encode_ms is None or encode_ms < self.fast_encode_ms) and (
            wanted_bitrate is None or wanted_bitrate > better.min_bitrate * 1.5
        )
        if not roomy:
            self._good_since = None
            return level
        if self._good_since is None:
            self._good_since = now
        if (
            now - self._good_since >= self.hold_up_s
            and now - self._last_change >= self.min_interval_s
        ):
            self._step(-1, now)
            self._good_since = None
        return self.level

    def _step(self, delta: int, now: float) -> None:
        self.index += delta
        self._last_change = now
        self.changes += 1
