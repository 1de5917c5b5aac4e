"""The Qt Multimedia microphone/speaker adapter against the private PulseAudio daemon: Qt's
audio back end sees the same virtual devices, so the check runs on real Qt audio here too."""

from __future__ import annotations

import asyncio
import threading

import numpy as np
import pytest

from tests.helpers.pulse import PulseServer
from videotime_client.preflight.checks import audio
from videotime_client.preflight.context import CheckContext
from videotime_client.preflight.models import Verdict

pytestmark = pytest.mark.qt_log_ignore("pipewire")


def in_worker(qtbot, coro_factory):
    """Run a check on a worker thread (like the media engine) while Qt runs here."""
    out: list[object] = []
    worker = threading.Thread(target=lambda: out.append(asyncio.run(coro_factory())))
    worker.start()
    qtbot.waitUntil(lambda: not worker.is_alive(), timeout=20_000)
    return out[0]


def test_qt_microphone_hears_the_virtual_mic(qapp, qtbot, pulse: PulseServer) -> None:
    from videotime_client.media.qt_audio_probe import QtAudioDevice

    pulse.virtual_mic("vt_qt_mic")
    device = QtAudioDevice(input_id=b"vt_qt_mic")
    levels: list[float] = []
    with pulse.play_tone("vt_qt_mic", 440, -25, 8):
        r = in_worker(
            qtbot,
            lambda: audio.run_microphone(
                CheckContext(audio=device, meter=lambda k, db: levels.append(db))
            ),
        )
    assert r.verdict is Verdict.GOOD, r.measurements
    assert -30 < r.measurements["level_dbfs"] < -20
    assert len(levels) >= 10


def test_qt_speaker_plays_the_tone_to_the_chosen_output(qapp, qtbot, pulse: PulseServer) -> None:
    from videotime_client.media.qt_audio_probe import QtAudioDevice

    pulse.null_sink("vt_qt_speaker")
    device = QtAudioDevice(output_id=b"vt_qt_speaker")
    captured: list[np.ndarray] = []
    recorder = threading.Thread(
        target=lambda: captured.append(pulse.record("vt_qt_speaker.monitor", 2.0))
    )
    recorder.start()

    async def answer(code, question):
        return code == "heard_tone"

    r = in_worker(qtbot, lambda: audio.run_speaker(CheckContext(audio=device, ask=answer)))
    recorder.join(10)
    assert r.verdict is Verdict.GOOD
    spectrum = np.abs(np.fft.rfft(captured[0].astype(np.float64)))
    assert abs(np.argmax(spectrum) * 48000 / len(captured[0]) - 440) < 5


def test_qt_unknown_microphone_cannot(qapp, qtbot, pulse: PulseServer) -> None:
    from videotime_client.media.qt_audio_probe import QtAudioDevice

    device = QtAudioDevice(input_id=b"no_such_mic")
    r = in_worker(qtbot, lambda: audio.run_microphone(CheckContext(audio=device)))
    assert r.verdict is Verdict.CANNOT
    assert r.problems == ("missing",)
