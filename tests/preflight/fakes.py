"""Frame sources for camera tests: a camera cannot exist here, so these stand in for one
behind the same FrameSource interface (fakes only for what cannot exist, per the brief)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import numpy as np

from videotime_client.preflight.checks.camera import CameraUnavailable


class ArrayCamera:
    """Delivers ``make(i)`` frames at ``fps``; ``fail`` raises CameraUnavailable on open."""

    def __init__(
        self, make: Callable[[int], np.ndarray], fps: float = 30.0, fail: str | None = None
    ) -> None:
        self.make, self.fps, self.fail = make, fps, fail
        self.i = 0
        self.closed = False

    async def open(self) -> None:
        if self.fail:
            raise CameraUnavailable(self.fail)

    async def read(self) -> np.ndarray | None:
        await asyncio.sleep(1 / self.fps)
        self.i += 1
        return self.make(self.i)

    async def close(self) -> None:
        self.closed = True


def noisy(
    level: float, shape: tuple[int, int] = (240, 320), seed: int = 0
) -> Callable[[int], np.ndarray]:
    rng = np.random.default_rng(seed)
    fields = [rng.normal(0, 3, shape) for _ in range(4)]

    def make(i: int) -> np.ndarray:
        grey = np.clip(level + fields[i % 4], 0, 255).astype(np.uint8)
        return np.repeat(grey[:, :, None], 3, axis=2)

    return make


def frozen(level: float = 120.0) -> Callable[[int], np.ndarray]:
    still = noisy(level)(0)
    return lambda i: still
