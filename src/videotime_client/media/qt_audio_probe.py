"""Microphone and speaker for the pre-flight check through Qt Multimedia (QAudioSource /
QAudioSink) — the same ``AudioDevice`` interface as ``audio_probe.PulseAudioDevice``, for
Windows and macOS (and Linux desktops where Qt's audio back end is preferred).

Qt objects live on the Qt thread (work goes in through a queued invoker); PCM comes back to the
check's asyncio loop with ``call_soon_threadsafe``.  Mono int16 at 48 kHz, held in memory only.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QCoreApplication

from videotime_client.media.qt_camera_probe import _Invoker, reason_from_error
from videotime_client.preflight.checks.audio import RATE, AudioUnavailable

CHUNK_BYTES = int(RATE * 0.1) * 2


def _format() -> Any:
    from PySide6.QtMultimedia import QAudioFormat

    fmt = QAudioFormat()
    fmt.setSampleRate(RATE)
    fmt.setChannelCount(1)
    fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
    return fmt


def _pick(devices: list[Any], wanted: bytes | None, default: Any) -> Any | None:
    if not devices:
        return None
    if wanted is None:
        return default
    return next((d for d in devices if d.id().data() == wanted), None)


class QtAudioDevice:
    """``input_id``/``output_id``: QAudioDevice ids (None = the system defaults)."""

    def __init__(self, input_id: bytes | None = None, output_id: bytes | None = None) -> None:
        self.input_id = input_id
        self.output_id = output_id

    def _invoker(self) -> _Invoker:
        app = QCoreApplication.instance()
        if app is None:
            raise AudioUnavailable("no_audio_system")
        invoker = _Invoker()
        invoker.moveToThread(app.thread())
        return invoker

    # ------------------------------------------------------------ microphone
    async def capture(
        self,
        seconds: float,
        on_chunk: Callable[[npt.NDArray[np.int16]], None] | None = None,
    ) -> npt.NDArray[np.int16]:
        loop = asyncio.get_running_loop()
        invoker = self._invoker()
        want = int(RATE * seconds) * 2
        buf = bytearray()
        pending = bytearray()
        enough = asyncio.Event()
        opened: concurrent.futures.Future[str | None] = concurrent.futures.Future()
        held: dict[str, Any] = {}

        def take(data: bytes) -> None:  # asyncio thread
            buf.extend(data)
            pending.extend(data)
            while len(pending) >= CHUNK_BYTES and on_chunk is not None:
                on_chunk(np.frombuffer(bytes(pending[:CHUNK_BYTES]), dtype="<i2"))
                del pending[:CHUNK_BYTES]
            if len(buf) >= want:
                enough.set()

        def start() -> None:  # Qt thread
            from PySide6.QtMultimedia import QAudioSource, QMediaDevices

            device = _pick(
                QMediaDevices.audioInputs(), self.input_id, QMediaDevices.defaultAudioInput()
            )
            if device is None or device.isNull():
                opened.set_result("missing")
                return
            source = QAudioSource(device, _format())
            io = source.start()
            if io is None:
                opened.set_result(reason_from_error(str(source.error())))
                return

            def ready() -> None:
                data = bytes(io.readAll().data())
                if data:
                    loop.call_soon_threadsafe(take, data)

            io.readyRead.connect(ready)
            held.update(source=source, io=io)
            opened.set_result(None)

        def stop(done: concurrent.futures.Future[None]) -> None:  # Qt thread
            source = held.pop("source", None)
            if source is not None:
                source.stop()
            held.clear()
            done.set_result(None)

        invoker.call.emit(start)
        try:
            reason = await asyncio.wait_for(asyncio.wrap_future(opened), 5.0)
            if reason is not None:
                raise AudioUnavailable(reason)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(enough.wait(), seconds + 3.0)
        finally:
            done: concurrent.futures.Future[None] = concurrent.futures.Future()
            invoker.call.emit(lambda: stop(done))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.wrap_future(done), 5.0)
            invoker.deleteLater()
        if not buf:
            raise AudioUnavailable("missing")
        return np.frombuffer(bytes(buf[: min(len(buf), want) // 2 * 2]), dtype="<i2").copy()

    # ------------------------------------------------------------ speaker
    async def play(self, samples: npt.NDArray[np.int16]) -> None:
        invoker = self._invoker()
        finished: concurrent.futures.Future[str | None] = concurrent.futures.Future()
        held: dict[str, Any] = {}
        data = samples.astype("<i2").tobytes()

        def start() -> None:  # Qt thread
            from PySide6.QtCore import QBuffer, QByteArray, QIODevice
            from PySide6.QtMultimedia import QAudio, QAudioSink, QMediaDevices

            device = _pick(
                QMediaDevices.audioOutputs(), self.output_id, QMediaDevices.defaultAudioOutput()
            )
            if device is None or device.isNull():
                finished.set_result("missing")
                return
            buffer = QBuffer()
            buffer.setData(QByteArray(data))
            buffer.open(QIODevice.OpenModeFlag.ReadOnly)
            sink = QAudioSink(device, _format())

            def state(s: Any) -> None:
                if finished.done():
                    return
                if s == QAudio.State.IdleState:  # everything played
                    finished.set_result(None)
                elif s == QAudio.State.StoppedState and sink.error().name != "NoError":
                    finished.set_result(reason_from_error(str(sink.error())))

            sink.stateChanged.connect(state)
            held.update(sink=sink, buffer=buffer)
            sink.start(buffer)

        def stop(done: concurrent.futures.Future[None]) -> None:  # Qt thread
            sink = held.pop("sink", None)
            if sink is not None:
                sink.stop()
            held.clear()
            done.set_result(None)

        invoker.call.emit(start)
        try:
            reason = await asyncio.wait_for(
                asyncio.wrap_future(finished), len(samples) / RATE + 5.0
            )
        except TimeoutError:
            reason = "missing"
        finally:
            done: concurrent.futures.Future[None] = concurrent.futures.Future()
            invoker.call.emit(lambda: stop(done))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.wrap_future(done), 5.0)
            invoker.deleteLater()
        if reason is not None:
            raise AudioUnavailable(reason, "speaker")
