"""Which camera, microphone and speaker the app uses, and the media objects built from them.

Two kinds of media, one interface:

* **real** (the patient's app): Qt Multimedia devices — ``media.qt_devices`` for the call
  (camera and microphone tracks, the speaker player) and ``media.qt_camera_probe`` /
  ``qt_audio_probe`` (or PulseAudio on Linux, as ``videotime check`` does) for the check;
* **synthetic** (``videotime demo``, the tour, tests): the synthetic test picture and tone.

Everything here that touches Qt objects runs on the GUI thread.  Qt Multimedia is imported
only when it is used, with its back-end chatter (PipeWire probes, FFmpeg versions) muted.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from videotime_client.ui.models import Device
from videotime_client.ui.strings import S

log = logging.getLogger(__name__)

SYNTHETIC_CAMERA = "synthetic"
SYNTHETIC_MICROPHONE = "tone"
DEFAULT_SPEAKER = "default"


def quiet_qt_multimedia() -> None:
    """Qt Multimedia's back-end chatter is not for patients (nor for the log at WARNING)."""
    rules = os.environ.get("QT_LOGGING_RULES", "")
    if "qt.multimedia" not in rules:
        os.environ["QT_LOGGING_RULES"] = ";".join(filter(None, [rules, "qt.multimedia.*=false"]))


def _qt_devices() -> tuple[list[Any], list[Any], list[Any]]:
    quiet_qt_multimedia()
    try:
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError:  # Qt Multimedia missing from this installation
        return [], [], []
    return (
        list(QMediaDevices.videoInputs()),
        list(QMediaDevices.audioInputs()),
        list(QMediaDevices.audioOutputs()),
    )


def _key(device: Any) -> str:
    return bytes(device.id().data()).hex()


def _listed(devices: list[Any]) -> list[Device]:
    # The system default first: a patient who changes nothing gets what the OS uses.
    ordered = sorted(devices, key=lambda d: not d.isDefault())
    return [Device(_key(d), d.description()) for d in ordered]


class MediaChoice:
    """The devices on offer and the objects to use for the chosen ones."""

    def __init__(self, synthetic: bool) -> None:
        self.synthetic = synthetic

    # ------------------------------------------------------------------ lists
    def devices(self) -> tuple[list[Device], list[Device], list[Device]]:
        if self.synthetic:
            return (
                [Device(SYNTHETIC_CAMERA, S.DEVICE_TEST_PATTERN)],
                [Device(SYNTHETIC_MICROPHONE, S.DEVICE_TEST_TONE)],
                [Device(DEFAULT_SPEAKER, S.DEVICE_DEFAULT)],
            )
        cameras, mics, speakers = _qt_devices()
        return _listed(cameras), _listed(mics), _listed(speakers)

    def _find(self, kind: int, key: str | None) -> Any | None:
        devices = _qt_devices()[kind]
        if key is not None:
            for d in devices:
                if _key(d) == key:
                    return d
        return next((d for d in devices if d.isDefault()), devices[0] if devices else None)

    # ------------------------------------------------------------------ the check and preview
    def frame_source(self, camera: str | None = None) -> Any | None:
        """A pre-flight ``FrameSource`` (None: no camera — the check says "not run")."""
        if self.synthetic:
            from videotime_client.media.camera_probe import SyntheticFrameSource

            return SyntheticFrameSource()
        device = self._find(0, camera)
        if device is None:
            return None
        from videotime_client.media.qt_camera_probe import QtCameraFrameSource

        return QtCameraFrameSource(bytes(device.id().data()))

    def check_audio(self) -> Any | None:
        """The pre-flight ``AudioDevice``: PulseAudio where it runs (Linux), else Qt."""
        from videotime_client.media.audio_probe import PulseAudioDevice

        if PulseAudioDevice.available():
            return PulseAudioDevice()
        if self.synthetic:
            return None
        quiet_qt_multimedia()
        from videotime_client.media.qt_audio_probe import QtAudioDevice

        return QtAudioDevice()

    # ------------------------------------------------------------------ the call
    def call_sources(
        self,
        engine: Any,
        camera: str | None,
        microphone: str | None,
        show_self: Callable[[Any], object],
    ) -> tuple[Any | None, Any | None]:
        """(video track, audio track), started; ``show_self`` gets each local picture."""
        if self.synthetic:
            from videotime_client.media.synthetic import SyntheticVideoTrack, ToneAudioTrack

            return _tee_track(SyntheticVideoTrack(label="patient"), show_self), ToneAudioTrack()
        from videotime_client.media.qt_devices import QtCameraTrack, QtMicrophoneTrack

        video = audio = None
        cam = self._find(0, camera)
        if cam is not None:
            video = QtCameraTrack(engine, cam, self_view=show_self)
            video.start()
        mic = self._find(1, microphone)
        if mic is not None:
            audio = QtMicrophoneTrack(engine, mic)
            audio.start()
        return video, audio

    def player(self, speaker: str | None) -> Any | None:
        """The remote sound's way out (a ``QtAudioPlayer``), started; None without Qt audio."""
        quiet_qt_multimedia()
        try:
            from videotime_client.media.qt_devices import QtAudioPlayer
        except ImportError:
            return None
        chosen = speaker not in (None, DEFAULT_SPEAKER)
        device = self._find(2, speaker) if chosen or not self.synthetic else None
        player = QtAudioPlayer(device)
        player.start()
        return player


def _tee_track(inner: Any, show: Callable[[Any], object]) -> Any:
    """A local video track that also feeds the self-view (media thread, no copy)."""
    from aiortc.mediastreams import MediaStreamTrack

    class Tee(MediaStreamTrack):
        kind = "video"

        async def recv(self) -> Any:
            frame = await inner.recv()
            show(frame)
            return frame

        def stop(self) -> None:
            super().stop()
            inner.stop()

    return Tee()
