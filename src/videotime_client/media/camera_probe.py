"""Qt-free frame sources for the pre-flight camera and lighting checks.

* :class:`SyntheticFrameSource` — a webcam-like moving scene with sensor noise (``--camera
  synthetic``, demos, benchmarks).  It has no face in it, so lighting says ``no_face``.
* :class:`FileFrameSource` — a video file (decoded with PyAV, looped, paced in real time) or a
  still image (acts as a still camera: the picture plus sensor noise, so the frozen-frame test
  sees a live sensor, as it would with a real camera pointed at a still scene).

The real camera goes through Qt Multimedia: ``qt_camera_probe.QtCameraFrameSource``.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import numpy as np

from videotime_client.preflight.checks.camera import CameraUnavailable

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"}


class _Paced:
    def __init__(self, fps: float) -> None:
        self.fps = fps
        self._next = 0.0

    async def tick(self) -> None:
        now = time.monotonic()
        if self._next == 0.0:
            self._next = now
        self._next += 1.0 / self.fps
        delay = self._next - now
        if delay > 0:
            await asyncio.sleep(delay)


class SyntheticFrameSource:
    def __init__(self, width: int = 640, height: int = 480, fps: float = 30.0) -> None:
        self.width, self.height = width, height
        self._pace = _Paced(fps)
        self._rng = np.random.default_rng(7)
        self._i = 0
        yy, xx = np.mgrid[:height, :width]
        self._base = (((xx // 40 + yy // 40) % 2) * 50 + 100).astype(np.int16)
        # A few precomputed noise fields, cycled: live-sensor noise without per-frame cost.
        self._noise = [self._rng.normal(0, 3, (height, width)).astype(np.int16) for _ in range(4)]

    async def open(self) -> None:
        self._i = 0

    async def read(self) -> np.ndarray | None:
        await self._pace.tick()
        img = self._base.copy()
        x = 100 + (self._i * 7) % (self.width - 200)
        img[140:340, x : x + 120] = 190
        img = img + self._noise[self._i % len(self._noise)]
        self._i += 1
        grey = np.clip(img, 0, 255).astype(np.uint8)
        return np.repeat(grey[:, :, None], 3, axis=2)

    async def close(self) -> None:
        return None


class FileFrameSource:
    def __init__(self, path: str | Path, fps: float = 30.0) -> None:
        self.path = Path(path)
        self._pace = _Paced(fps)
        self._still: np.ndarray | None = None
        self._frames: list[np.ndarray] = []
        self._i = 0
        self._rng = np.random.default_rng(3)

    async def open(self) -> None:
        if not self.path.is_file():
            raise CameraUnavailable("missing")
        await asyncio.to_thread(self._load)

    def _load(self) -> None:
        import av

        if self.path.suffix.lower() in IMAGE_SUFFIXES:
            # PyAV (FFmpeg's image demuxers and decoders) reads the still: no image library of
            # its own in the installer.  The first frame is the picture.
            try:
                with av.open(str(self.path)) as container:
                    frame = next(container.decode(video=0), None)
                    if frame is not None:
                        self._still = frame.to_ndarray(format="rgb24")
            except (av.FFmpegError, ValueError) as exc:
                raise CameraUnavailable("missing") from exc
            if self._still is None:
                raise CameraUnavailable("missing")
            return
        try:
            with av.open(str(self.path)) as container:
                for i, frame in enumerate(container.decode(video=0)):
                    self._frames.append(frame.to_ndarray(format="rgb24"))
                    if i >= 90:  # three seconds is plenty; bounded memory
                        break
        except av.FFmpegError as exc:
            raise CameraUnavailable("missing") from exc
        if not self._frames:
            raise CameraUnavailable("missing")

    async def read(self) -> np.ndarray | None:
        await self._pace.tick()
        if self._still is not None:
            noise = self._rng.normal(0, 2, self._still.shape)
            return np.clip(self._still + noise, 0, 255).astype(np.uint8)
        frame = self._frames[self._i % len(self._frames)]
        self._i += 1
        return frame

    async def close(self) -> None:
        self._frames.clear()
        self._still = None
