"""The real camera for the pre-flight check: Qt Multimedia (QCamera → QVideoSink) behind the
core's ``FrameSource`` interface.

Qt objects live on the Qt (GUI) thread; the check runs on the media engine's asyncio thread.
Work crosses into Qt through a queued signal on an invoker object that lives in the Qt thread,
and frames cross back through a **bounded** drop-oldest queue (``loop.call_soon_threadsafe``),
so a slow check can never pile frames up (aiortc-notes §3).  Frames are converted to RGB numpy
arrays and held only in memory.

Errors become ``CameraUnavailable`` reasons the check turns into patient advice: ``missing``
(no camera), ``busy`` (another program has it), ``denied`` (OS privacy settings / macOS TCC),
``no_access`` (no Qt application: nothing to test with — the check says ``not_run``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot

from videotime_client.preflight.checks.camera import CameraUnavailable

OPEN_TIMEOUT_S = 5.0
QUEUE_SIZE = 2


class _Invoker(QObject):
    """Runs callables on the thread it lives in (the Qt thread)."""

    call = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.call.connect(self._run, Qt.ConnectionType.QueuedConnection)

    @Slot(object)
    def _run(self, fn: Callable[[], None]) -> None:
        fn()


def reason_from_error(text: str) -> str:
    """Map a back end's error string to missing / busy / denied."""
    t = text.lower()
    if any(w in t for w in ("busy", "in use", "used by another", "device or resource busy")):
        return "busy"
    if any(w in t for w in ("permission", "denied", "not authorized", "access is denied")):
        return "denied"
    return "missing"


def frame_to_rgb(frame: Any) -> np.ndarray | None:
    """A QVideoFrame as an RGB uint8 array (copied: the mapping dies with the frame)."""
    from PySide6.QtGui import QImage

    image = frame.toImage()
    if image.isNull():
        return None
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h, stride = image.width(), image.height(), image.bytesPerLine()
    buf = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * h)
    return buf.reshape(h, stride)[:, : w * 3].reshape(h, w, 3).copy()


class QtCameraFrameSource:
    """``FrameSource`` over the default (or ``device_id``) camera."""

    def __init__(self, device_id: bytes | None = None) -> None:
        self.device_id = device_id
        self._invoker: _Invoker | None = None
        self._queue: asyncio.Queue[np.ndarray | None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._qt: dict[str, Any] = {}

    # ------------------------------------------------------------ asyncio side
    async def open(self) -> None:
        app = QCoreApplication.instance()
        if app is None:
            raise CameraUnavailable("no_access")
        self._loop = asyncio.get_running_loop()
        self._queue = asyncio.Queue(maxsize=QUEUE_SIZE)
        invoker = _Invoker()
        invoker.moveToThread(app.thread())
        self._invoker = invoker
        started: concurrent.futures.Future[str | None] = concurrent.futures.Future()
        invoker.call.emit(lambda: self._start(started))
        try:
            reason = await asyncio.wait_for(asyncio.wrap_future(started), OPEN_TIMEOUT_S)
        except TimeoutError:
            await self.close()
            raise CameraUnavailable("missing") from None
        if reason is not None:
            await self.close()
            raise CameraUnavailable(reason)

    async def read(self) -> np.ndarray | None:
        assert self._queue is not None
        return await self._queue.get()

    async def close(self) -> None:
        if self._invoker is not None:
            done: concurrent.futures.Future[None] = concurrent.futures.Future()
            self._invoker.call.emit(lambda: self._stop(done))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.wrap_future(done), OPEN_TIMEOUT_S)
            self._invoker.deleteLater()
            self._invoker = None

    def _push(self, item: np.ndarray | None) -> None:
        """On the asyncio thread: newest frame wins (drop the oldest when full)."""
        q = self._queue
        if q is None:
            return
        if q.full():
            with contextlib.suppress(asyncio.QueueEmpty):
                q.get_nowait()
        q.put_nowait(item)

    # ------------------------------------------------------------ Qt side
    def _start(self, started: concurrent.futures.Future[str | None]) -> None:
        from PySide6.QtMultimedia import QCamera, QMediaCaptureSession, QMediaDevices, QVideoSink

        denied = _permission_denied()
        if denied:
            started.set_result("denied")
            return
        devices = QMediaDevices.videoInputs()
        if not devices:
            started.set_result("missing")
            return
        device = next((d for d in devices if d.id().data() == self.device_id), None)
        camera = QCamera(device or QMediaDevices.defaultVideoInput())
        session = QMediaCaptureSession()
        sink = QVideoSink()
        session.setCamera(camera)
        session.setVideoSink(sink)
        loop = self._loop
        assert loop is not None

        def on_frame(frame: Any) -> None:
            rgb = frame_to_rgb(frame)
            if rgb is not None and not started.done():
                started.set_result(None)
            if rgb is not None:
                loop.call_soon_threadsafe(self._push, rgb)

        def on_error(error: Any, text: str) -> None:
            reason = reason_from_error(text)
            if not started.done():
                started.set_result(reason)
            else:
                loop.call_soon_threadsafe(self._push, None)  # the source ended

        sink.videoFrameChanged.connect(on_frame)
        camera.errorOccurred.connect(on_error)
        self._qt = {"camera": camera, "session": session, "sink": sink}
        camera.start()

    def _stop(self, done: concurrent.futures.Future[None]) -> None:
        camera = self._qt.get("camera")
        if camera is not None:
            camera.stop()
        self._qt.clear()
        done.set_result(None)


def _permission_denied() -> bool:
    """macOS/Windows camera privacy: True when the OS says no (Qt ≥ 6.5 QPermission)."""
    try:
        from PySide6.QtCore import QCameraPermission
    except ImportError:  # pragma: no cover - older Qt
        return False
    app = QCoreApplication.instance()
    if app is None:
        return False
    status = app.checkPermission(QCameraPermission())
    return bool(status == Qt.PermissionStatus.Denied)
