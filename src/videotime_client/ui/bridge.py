"""The ONE bridge between Qt (GUI thread) and the media engine (its own asyncio thread).

Why a bridge and not qasync: aiortc calls ``call_soon_threadsafe`` for every decoded frame; with
qasync that is a Qt signal per frame on aiortc's hot path, and QtAsyncio cannot do UDP at all
(aiortc-notes §3).  So the media thread never touches a QObject and the GUI never touches a peer
connection; everything crosses here:

* **in** (GUI → media): :meth:`CallBridge.submit` runs a coroutine on the engine loop
  (``run_coroutine_threadsafe``); its result or exception comes back as a queued signal on the
  GUI thread, to an optional callback.
* **out, anything else** (any thread → GUI): :meth:`CallBridge.post` runs a plain callable on
  the GUI thread through a queued signal — for progress that happens in the middle of a
  coroutine (the equipment check's results, levels and questions) and for events from threads
  that are not the media thread (the conference's event stream: chat).
* **out, state** (media → GUI): :meth:`CallBridge.on_call_event` is the ``on_event`` callback for
  :class:`~videotime_client.call.session.CallSession`; it runs on the media thread and only
  emits signals, which Qt queues to the GUI thread (the bridge lives there).
* **out, pictures**: :class:`FrameMailbox` keeps only the newest frame.  The media thread
  ``put``s; the bridge emits ``remoteFrameReady``/``selfFrameReady`` only when the mailbox goes
  from empty to full, so a slow GUI gets one notification per frame it can show, never a
  backlog.  The GUI slot ``take``s the frame (and converts it with
  ``media.qt_devices.av_to_qvideoframe`` for a ``QVideoSink``).

Thread affinity: create the bridge on the GUI thread.  Signals carry plain Python objects
(frozen dataclasses from ``call.session``/``call.stats``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

from videotime_client.call.engine import MediaEngine
from videotime_client.call.session import (
    CallEvent,
    EncryptionChanged,
    FirstRemoteFrame,
    QualityChanged,
    StateChanged,
    VideoLevelChanged,
)

log = logging.getLogger(__name__)


class FrameMailbox:
    """A one-slot, lock-protected "latest frame" box (any thread may put or take)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frame: Any = None
        self.replaced = 0  # frames that were never shown because a newer one came first

    def put(self, frame: Any) -> bool:
        """Store ``frame``; True when the box was empty (the reader should be told)."""
        with self._lock:
            was_empty = self._frame is None
            if not was_empty:
                self.replaced += 1
            self._frame = frame
            return was_empty

    def take(self) -> Any:
        """The newest frame, or None; empties the box."""
        with self._lock:
            frame, self._frame = self._frame, None
            return frame


class CallBridge(QObject):
    """Coroutines in, queued signals and latest-frame mailboxes out (see module docstring)."""

    stateChanged = Signal(object)  # call.session.StateChanged
    qualityChanged = Signal(object)  # call.stats.QualitySample
    encryptionChanged = Signal(object)  # call.encryption.EncryptionInfo
    videoLevelChanged = Signal(object)  # call.adaptation.VideoLevel
    firstRemoteFrame = Signal(float)  # ms since the call started
    remoteFrameReady = Signal()
    selfFrameReady = Signal()
    _finished = Signal(object, object, object)  # callback, result, exception
    _posted = Signal(object)  # a callable to run on the GUI thread

    def __init__(self, engine: MediaEngine, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self.remote_video = FrameMailbox()
        self.self_video = FrameMailbox()
        self._finished.connect(self._deliver)
        # Queued even when posted from the GUI thread itself: ``post`` never runs ``fn`` inline,
        # so a caller holding a lock or in the middle of an update is never re-entered.
        self._posted.connect(self._run_posted, Qt.ConnectionType.QueuedConnection)

    # ---------------------------------------------------------------- GUI → media
    def submit(
        self,
        coro: Coroutine[Any, Any, Any],
        on_done: Callable[[Any, BaseException | None], None] | None = None,
    ) -> concurrent.futures.Future[Any]:
        """Run ``coro`` on the media thread; ``on_done(result, error)`` runs on the GUI thread."""
        future = self.engine.submit(coro)
        if on_done is not None:

            def done(f: concurrent.futures.Future[Any]) -> None:
                error: BaseException | None
                try:
                    result, error = f.result(), None
                except (asyncio.CancelledError, concurrent.futures.CancelledError) as exc:
                    result, error = None, exc
                except BaseException as exc:
                    result, error = None, exc
                self._finished.emit(on_done, result, error)  # queued to the GUI thread

            future.add_done_callback(done)
        return future

    def call(self, fn: Callable[..., object], *args: object) -> None:
        """Run a plain function on the media thread (fire and forget)."""
        self.engine.call_soon(fn, *args)

    @Slot(object, object, object)
    def _deliver(self, callback: Any, result: Any, error: Any) -> None:
        try:
            callback(result, error)
        except Exception:
            log.exception("a bridge callback failed")

    # ---------------------------------------------------------------- any thread → GUI
    def post(self, fn: Callable[[], object]) -> None:
        """Run ``fn()`` on the GUI thread, later, from any thread (a queued signal).

        An exception from ``fn`` is logged, never raised into Qt's event loop.
        """
        self._posted.emit(fn)

    @Slot(object)
    def _run_posted(self, fn: Any) -> None:
        try:
            fn()
        except Exception:
            log.exception("a GUI update posted through the bridge failed")

    # ---------------------------------------------------------------- media → GUI
    def on_call_event(self, event: CallEvent) -> None:
        """``CallSession(on_event=...)``: runs on the media thread, emits queued signals."""
        if isinstance(event, StateChanged):
            self.stateChanged.emit(event)
        elif isinstance(event, QualityChanged):
            self.qualityChanged.emit(event.sample)
        elif isinstance(event, EncryptionChanged):
            self.encryptionChanged.emit(event.info)
        elif isinstance(event, FirstRemoteFrame):
            self.firstRemoteFrame.emit(event.ms_since_start)
        elif isinstance(event, VideoLevelChanged):
            self.videoLevelChanged.emit(event.level)

    def put_remote_frame(self, frame: Any) -> None:
        """``CallSession(video_sink=...)``: newest remote picture; media thread."""
        if self.remote_video.put(frame):
            self.remoteFrameReady.emit()

    def put_self_frame(self, frame: Any) -> None:
        """Newest self-view picture (from the camera adapter)."""
        if self.self_video.put(frame):
            self.selfFrameReady.emit()
