"""Qt Multimedia devices as aiortc tracks, and remote media back into Qt.

Why Qt Multimedia rather than aiortc's MediaPlayer (aiortc-notes §2): native back ends on all
three OSes, device enumeration and hot-plug, macOS permission prompts, and PyAV wheels without
``pulse`` input on Linux.

Threading: Qt objects live on the GUI thread; tracks are read on the media thread.  Frames cross
through a bounded, drop-oldest queue (``call.tracks.DropOldestQueue.put_threadsafe``: stored
under a lock, at most one wake-up pending on the media loop), so a stalled encoder or media loop
can never make memory grow and a slow GUI never stalls media.

* :class:`QtCameraTrack`     ``QCamera`` → ``QMediaCaptureSession`` → ``QVideoSink`` → track
* :class:`QtMicrophoneTrack` ``QAudioSource`` (48 kHz mono Int16) → 20 ms frames → track
* :class:`QtAudioPlayer`     remote audio → bounded buffer → ``QAudioSink`` (push mode)
* :func:`qvideoframe_to_av` / :func:`av_to_qvideoframe`  picture conversions (copies: a mapped
  ``QVideoFrame`` dies at ``unmap``)

No camera exists on the test machines: the conversions are tested with synthetic QVideoFrames,
the audio classes against PulseAudio virtual devices.
"""

from __future__ import annotations

import collections
import fractions
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import av
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from PySide6.QtCore import QByteArray, QIODevice, QObject, QSize, QTimer, Slot
from PySide6.QtMultimedia import (
    QAudioDevice,
    QAudioFormat,
    QAudioSink,
    QAudioSource,
    QCamera,
    QCameraDevice,
    QMediaCaptureSession,
    QVideoFrame,
    QVideoFrameFormat,
    QVideoSink,
)

from videotime_client.call.tracks import DropOldestQueue

log = logging.getLogger(__name__)

RATE = 48000
FRAME_SAMPLES = RATE // 50  # 20 ms
VIDEO_TIME_BASE = fractions.Fraction(1, 90_000)
AUDIO_TIME_BASE = fractions.Fraction(1, RATE)
PF = QVideoFrameFormat.PixelFormat


# ---------------------------------------------------------------- picture conversions
def _plane(frame: QVideoFrame, index: int, rows: int, row_bytes: int) -> np.ndarray:
    stride = frame.bytesPerLine(index)
    data = np.frombuffer(frame.bits(index), dtype=np.uint8)
    return data[: stride * rows].reshape(rows, stride)[:, :row_bytes].copy()


def qvideoframe_to_av(qframe: QVideoFrame) -> av.VideoFrame | None:
    """Copy a camera frame into an ``av.VideoFrame`` (None for formats we do not handle)."""
    frame = QVideoFrame(qframe)
    if not frame.map(QVideoFrame.MapMode.ReadOnly):
        return None
    try:
        w, h = frame.width(), frame.height()
        fmt = frame.pixelFormat()
        if fmt in (PF.Format_YUV420P, PF.Format_IMC3):
            y = _plane(frame, 0, h, w)
            u = _plane(frame, 1, h // 2, w // 2)
            v = _plane(frame, 2, h // 2, w // 2)
            return av.VideoFrame.from_ndarray(
                np.concatenate([y, u.reshape(-1, w), v.reshape(-1, w)]), format="yuv420p"
            )
        if fmt == PF.Format_NV12:
            y = _plane(frame, 0, h, w)
            uv = _plane(frame, 1, h // 2, w)
            return av.VideoFrame.from_ndarray(np.concatenate([y, uv]), format="nv12")
        if fmt in (PF.Format_YUYV, PF.Format_UYVY):
            packed = _plane(frame, 0, h, w * 2).reshape(h, w, 2)
            return av.VideoFrame.from_ndarray(
                packed, format="yuyv422" if fmt == PF.Format_YUYV else "uyvy422"
            )
        rgb_formats = {
            PF.Format_BGRA8888: "bgra",
            PF.Format_BGRX8888: "bgra",
            PF.Format_RGBA8888: "rgba",
            PF.Format_RGBX8888: "rgba",
            PF.Format_ARGB8888: "argb",
            PF.Format_XRGB8888: "argb",
        }
        if fmt in rgb_formats:
            packed = _plane(frame, 0, h, w * 4).reshape(h, w, 4)
            return av.VideoFrame.from_ndarray(packed, format=rgb_formats[fmt])
        return None
    finally:
        frame.unmap()


def av_to_qvideoframe(frame: av.VideoFrame) -> QVideoFrame:
    """A ``QVideoFrame`` (YUV420P) for ``QVideoSink.setVideoFrame``; Qt converts on the GPU."""
    if frame.format.name != "yuv420p":
        frame = frame.reformat(format="yuv420p")
    w, h = frame.width, frame.height
    qframe = QVideoFrame(QVideoFrameFormat(QSize(w, h), PF.Format_YUV420P))
    if not qframe.map(QVideoFrame.MapMode.WriteOnly):
        raise RuntimeError("could not map a QVideoFrame for writing")
    try:
        for index, (plane, rows, width) in enumerate(
            zip(frame.planes, (h, h // 2, h // 2), (w, w // 2, w // 2), strict=True)
        ):
            src = np.frombuffer(plane, dtype=np.uint8).reshape(rows, plane.line_size)[:, :width]
            stride = qframe.bytesPerLine(index)
            dst = np.frombuffer(qframe.bits(index), dtype=np.uint8)[: stride * rows]
            dst.reshape(rows, stride)[:, :width] = src
    finally:
        qframe.unmap()
    return qframe


# ---------------------------------------------------------------- camera
class QtCameraTrack(MediaStreamTrack):
    """A Qt camera as an aiortc video track.  Create and ``start()`` on the GUI thread."""

    kind = "video"

    def __init__(
        self,
        engine: Any,
        device: QCameraDevice | None = None,
        *,
        self_view: Any | None = None,
        maxsize: int = 2,
    ) -> None:
        super().__init__()
        self._engine = engine
        self._queue: DropOldestQueue[av.VideoFrame] = DropOldestQueue(maxsize)
        self._self_view = self_view  # e.g. CallBridge.put_self_frame
        self._session = QMediaCaptureSession()
        self._camera = QCamera(device) if device is not None else QCamera()
        self._sink = QVideoSink()
        self._session.setCamera(self._camera)
        self._session.setVideoSink(self._sink)
        self._receiver = _FrameReceiver(self)
        self._sink.videoFrameChanged.connect(self._receiver.on_frame)
        self._t0 = time.monotonic()
        self.frames_in = 0

    def start(self) -> None:
        self._camera.start()

    def _on_qt_frame(self, qframe: QVideoFrame) -> None:
        frame = qvideoframe_to_av(qframe)
        if frame is None:
            return
        frame.pts = round((time.monotonic() - self._t0) * 90_000)
        frame.time_base = VIDEO_TIME_BASE
        self.frames_in += 1
        self._queue.put_threadsafe(frame, self._engine.call_soon)
        if self._self_view is not None:
            self._self_view(frame)

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        return await self._queue.get()

    def stop(self) -> None:
        super().stop()
        # Qt objects belong to the GUI thread.  The call stops its tracks on the media thread,
        # which has no Qt event loop: a timer without a context object would never fire there,
        # so the camera itself is the context (the stop runs on the GUI thread).
        QTimer.singleShot(0, self._camera, self._camera.stop)


class _FrameReceiver(QObject):
    def __init__(self, track: QtCameraTrack) -> None:
        super().__init__()
        self._track = track

    @Slot(QVideoFrame)
    def on_frame(self, frame: QVideoFrame) -> None:
        self._track._on_qt_frame(frame)


# ---------------------------------------------------------------- microphone
def audio_format(channels: int = 1) -> QAudioFormat:
    fmt = QAudioFormat()
    fmt.setSampleRate(RATE)
    fmt.setChannelCount(channels)
    fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
    return fmt


class QtMicrophoneTrack(MediaStreamTrack):
    """A Qt microphone (48 kHz mono Int16) as 20 ms aiortc audio frames.

    Create and ``start()`` on a thread with a Qt event loop (the GUI thread).  At most
    ``max_frames`` (default 10 = 200 ms) wait for the encoder; older ones are dropped.
    """

    kind = "audio"
    # A real microphone: the call session gives it echo cancellation, noise suppression and
    # gain control by default (synthetic and file sources have no such flag).
    is_microphone = True

    def __init__(
        self, engine: Any, device: QAudioDevice | None = None, max_frames: int = 10
    ) -> None:
        super().__init__()
        self._engine = engine
        self._queue: DropOldestQueue[av.AudioFrame] = DropOldestQueue(max_frames)
        self._source = (
            QAudioSource(device, audio_format())
            if device is not None
            else QAudioSource(audio_format())
        )
        self._source.setBufferSize(FRAME_SAMPLES * 2 * 4)
        self._io: QIODevice | None = None
        self._pending = bytearray()
        self._pts = 0
        self.frames_in = 0

    def start(self) -> None:
        self._io = self._source.start()
        self._io.readyRead.connect(self._read)

    @property
    def error(self) -> Any:
        return self._source.error()

    def _read(self) -> None:
        assert self._io is not None
        self._pending.extend(bytes(self._io.readAll().data()))
        size = FRAME_SAMPLES * 2
        while len(self._pending) >= size:
            chunk = bytes(self._pending[:size])
            del self._pending[:size]
            samples = np.frombuffer(chunk, dtype=np.int16).reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
            frame.sample_rate = RATE
            frame.pts = self._pts
            frame.time_base = AUDIO_TIME_BASE
            self._pts += FRAME_SAMPLES
            self.frames_in += 1
            self._queue.put_threadsafe(frame, self._engine.call_soon)

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        return await self._queue.get()

    def stop(self) -> None:
        super().stop()
        QTimer.singleShot(0, self._source, self._source.stop)  # on the GUI thread (see camera)


# ---------------------------------------------------------------- playback
class QtAudioPlayer(QObject):
    """Plays remote audio through a ``QAudioSink`` (the chosen output device).

    :meth:`push` is called on the media thread with decoded ``av.AudioFrame``s; it converts to
    48 kHz stereo Int16 and appends to a bounded buffer (``max_ms``, oldest dropped: late sound
    is worse than a skipped 20 ms).  A 10 ms timer on the GUI thread writes what the device can
    take.

    ``on_played`` (set by ``CallSession`` when it has an echo canceller) is called on the GUI
    thread with what was just handed to the device, int16 interleaved, ``channels`` at
    ``sample_rate``: the canceller's far-end reference, as close to the loudspeaker as Qt lets
    us get (only the device's own buffer, ~100 ms, lies between).
    """

    sample_rate = RATE
    channels = 2

    def __init__(
        self, device: QAudioDevice | None = None, max_ms: int = 200, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        fmt = audio_format(channels=2)
        self._sink = QAudioSink(device, fmt) if device is not None else QAudioSink(fmt)
        self._sink.setBufferSize(RATE * 4 // 10)  # 100 ms
        self._lock = threading.Lock()
        # Bounded by bytes (``_max_bytes``, oldest dropped in push), not by a count of chunks.
        self._chunks: collections.deque[bytes] = collections.deque()
        self._bytes = 0
        self._max_bytes = RATE * 4 * max_ms // 1000
        self._resampler = av.AudioResampler(format="s16", layout="stereo", rate=RATE)
        self._io: QIODevice | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(10)
        self._timer.timeout.connect(self._feed)
        self.dropped_bytes = 0
        self.written_bytes = 0
        self.on_played: Callable[[np.ndarray], None] | None = None  # echo canceller feed
        self._on_played_failed = False

    def start(self) -> None:
        self._io = self._sink.start()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self._sink.stop()

    @property
    def error(self) -> Any:
        return self._sink.error()

    def push(self, frame: av.AudioFrame) -> None:
        """Any thread: queue a decoded frame for playback."""
        data = b"".join(
            bytes(f.planes[0])[: f.samples * 4] for f in self._resampler.resample(frame)
        )
        with self._lock:
            self._chunks.append(data)
            self._bytes += len(data)
            while self._bytes > self._max_bytes and self._chunks:
                old = self._chunks.popleft()
                self._bytes -= len(old)
                self.dropped_bytes += len(old)

    @Slot()
    def _feed(self) -> None:
        if self._io is None:
            return
        free = self._sink.bytesFree()
        out = bytearray()
        with self._lock:
            while self._chunks and len(out) + len(self._chunks[0]) <= free:
                chunk = self._chunks.popleft()
                self._bytes -= len(chunk)
                out.extend(chunk)
        if out:
            self._io.write(QByteArray(bytes(out)))
            self.written_bytes += len(out)
            on_played = self.on_played
            if on_played is not None:
                try:
                    on_played(np.frombuffer(bytes(out), dtype=np.int16))
                except Exception:
                    if not self._on_played_failed:  # once, not every 10 ms
                        self._on_played_failed = True
                        log.exception("the echo canceller's far-end feed failed")
