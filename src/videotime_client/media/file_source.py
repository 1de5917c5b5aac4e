"""``--camera FILE``: an image or a video file as the camera, looping and paced.

Used by tests and by support staff ("send this picture instead of the camera").  PyAV reads the
file; decoding runs in a worker thread so the media loop never waits on disk or the decoder.
An image is decoded once and repeated.  A video plays at its own frame rate (capped at
``max_fps``) and starts over at the end.  Pictures larger than ``max_size`` are scaled down
keeping their shape.  Nothing is ever written.

A file that cannot be used fails *before* the call starts, with a plain sentence.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from videotime_client.errors import VideotimeError
from videotime_client.media.synthetic import VIDEO_TIME_BASE, FramePacer
from videotime_client.texts import Text


class FileSourceError(VideotimeError):
    code = "media.file_unusable"
    message = Text(
        nb="Filen kan ikke brukes som kamera. Velg et bilde eller en video.",
        nn="Fila kan ikkje brukast som kamera. Vel eit bilete eller ein video.",
        en="This file cannot be used as the camera. Choose a picture or a video.",
    )


class FileVideoTrack(MediaStreamTrack):
    """A looping, paced video track from an image or video file."""

    kind = "video"

    def __init__(
        self, path: str | Path, *, max_fps: float = 30.0, max_size: tuple[int, int] = (640, 480)
    ) -> None:
        super().__init__()
        self.path = Path(path)
        self.max_size = max_size
        self._lock = threading.Lock()
        if not self.path.is_file():
            raise FileSourceError(code="media.file_missing")
        try:
            self._container = av.open(str(self.path))
            streams = self._container.streams.video
            if not streams:
                raise FileSourceError()
            self._stream = streams[0]
            self._frames = self._container.decode(self._stream)
            first = self._scale(next(self._frames))
        except FileSourceError:
            raise
        except (av.FFmpegError, StopIteration, OSError, ValueError) as exc:
            raise FileSourceError() from exc
        rate = self._stream.average_rate
        frame_count = self._stream.frames
        self.is_image = frame_count in (0, 1) and (rate is None or float(rate) <= 1.0)
        if not self.is_image:
            # Probe for a second frame: single-frame containers (png, jpeg) report odd rates.
            try:
                self._pending: av.VideoFrame | None = self._scale(next(self._frames))
            except StopIteration:
                self._pending = None
                self.is_image = True
        else:
            self._pending = None
        self.fps = min(max_fps, float(rate)) if rate and not self.is_image else min(max_fps, 15.0)
        self._still = first if self.is_image else None
        self._first = first
        self._pacer = FramePacer()
        self.frames_sent = 0

    def _scale(self, frame: av.VideoFrame) -> av.VideoFrame:
        w, h = frame.width, frame.height
        scale = min(self.max_size[0] / w, self.max_size[1] / h, 1.0)
        tw, th = max(2, int(w * scale) // 2 * 2), max(2, int(h * scale) // 2 * 2)
        return frame.reformat(width=tw, height=th, format="yuv420p")

    def _decode_next(self) -> av.VideoFrame:
        with self._lock:
            if self._pending is not None:
                frame, self._pending = self._pending, None
                return frame
            try:
                return self._scale(next(self._frames))
            except StopIteration:
                self._container.seek(0)
                self._frames = self._container.decode(self._stream)
                try:
                    return self._scale(next(self._frames))
                except StopIteration:
                    return self._first

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        pts = await self._pacer.next_frame(self.fps)
        if self._still is not None:
            src = self._still
        else:
            src = await asyncio.get_running_loop().run_in_executor(None, self._decode_next)
        frame = av.VideoFrame.from_ndarray(src.to_ndarray(), format="yuv420p")
        frame.pts = pts
        frame.time_base = VIDEO_TIME_BASE
        self.frames_sent += 1
        return frame

    def stop(self) -> None:
        super().stop()
        with self._lock:
            self._container.close()
