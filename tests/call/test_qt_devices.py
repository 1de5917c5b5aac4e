"""Qt Multimedia adapters: picture conversions (synthetic QVideoFrames; no camera exists here)
and the microphone/loudspeaker classes against PulseAudio virtual devices."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import av
import numpy as np
import pytest
from PySide6.QtCore import QSize
from PySide6.QtMultimedia import QVideoFrame, QVideoFrameFormat
from tests.helpers.pulse import PulseServer

from videotime_client.media.qt_devices import av_to_qvideoframe, qvideoframe_to_av

PF = QVideoFrameFormat.PixelFormat


def _qframe(fmt: QVideoFrameFormat.PixelFormat, w: int, h: int, fill: list[bytes]) -> QVideoFrame:
    frame = QVideoFrame(QVideoFrameFormat(QSize(w, h), fmt))
    assert frame.map(QVideoFrame.MapMode.WriteOnly)
    for plane, data in enumerate(fill):
        bits = frame.bits(plane)
        bits[: len(data)] = data
    frame.unmap()
    return frame


def test_yuv420p_round_trip_keeps_the_picture() -> None:
    import asyncio

    from videotime_client.media.synthetic import SyntheticVideoTrack, read_stamp

    async def one() -> av.VideoFrame:
        return await SyntheticVideoTrack(320, 240).recv()

    original = asyncio.run(one())
    back = qvideoframe_to_av(av_to_qvideoframe(original))
    assert back is not None
    assert (back.width, back.height) == (320, 240)
    assert np.array_equal(back.to_ndarray(), original.to_ndarray())
    assert read_stamp(back) == read_stamp(original)  # the latency stamp survives the trip


def test_nv12_camera_frame_converts() -> None:
    w, h = 64, 48
    frame = _qframe(
        PF.Format_NV12, w, h, [bytes([100]) * (w * h), bytes([128, 200]) * (w * h // 4)]
    )
    out = qvideoframe_to_av(frame)
    assert out is not None
    assert out.format.name == "nv12"
    yuv = out.reformat(format="yuv420p").to_ndarray()
    assert yuv[:h].mean() == pytest.approx(100, abs=1)


def test_bgra_camera_frame_converts_to_the_right_colour() -> None:
    w, h = 32, 16
    pixel = bytes([255, 0, 0, 255])  # blue in BGRA
    out = qvideoframe_to_av(_qframe(PF.Format_BGRA8888, w, h, [pixel * (w * h)]))
    assert out is not None
    rgb = out.to_ndarray(format="rgb24")
    assert tuple(rgb[0, 0]) == (0, 0, 255)


def test_unknown_format_is_skipped_not_crashed() -> None:
    frame = _qframe(PF.Format_Y16, 16, 16, [bytes(16 * 16 * 2)])
    assert qvideoframe_to_av(frame) is None


_AUDIO_SCRIPT = textwrap.dedent(
    """
    import asyncio, sys, numpy as np
    from PySide6.QtCore import QCoreApplication, QTimer
    from PySide6.QtMultimedia import QMediaDevices
    from videotime_client.call.engine import MediaEngine
    from videotime_client.media.qt_devices import QtMicrophoneTrack, QtAudioPlayer
    from videotime_client.media.synthetic import ToneAudioTrack

    app = QCoreApplication([])
    mic_name, spk_name = sys.argv[1], sys.argv[2]
    mic = next(d for d in QMediaDevices.audioInputs() if d.id().data().decode() == mic_name)
    spk = next(d for d in QMediaDevices.audioOutputs() if d.id().data().decode() == spk_name)
    engine = MediaEngine()
    track = QtMicrophoneTrack(engine, mic)
    track.start()
    player = QtAudioPlayer(spk)
    player.start()
    tone = ToneAudioTrack(frequency=660, amplitude=0.3)
    got = []

    async def capture():
        for _ in range(50):  # one second of microphone
            got.append((await track.recv()).to_ndarray().reshape(-1))

    async def feed_player():
        for _ in range(100):
            player.push(await tone.recv())

    fut = engine.submit(capture())
    fut2 = engine.submit(feed_player())
    QTimer.singleShot(4000, app.quit)
    while not (fut.done() and fut2.done()):
        app.processEvents()
    fut.result(); fut2.result()
    samples = np.concatenate(got).astype(float)
    spectrum = np.abs(np.fft.rfft(samples[-24000:]))
    peak_hz = np.argmax(spectrum) * 48000 / 24000
    print(f"{peak_hz:.0f} {player.written_bytes}", flush=True)
    track.stop(); player.stop(); app.processEvents()
    engine.close()
    """
)


@pytest.mark.slow
def test_qt_microphone_and_loudspeaker_through_pulseaudio(pulse: PulseServer) -> None:
    """A tone played into a virtual mic arrives as 20 ms frames; our player's sound reaches a
    virtual loudspeaker (checked on its monitor).  In a subprocess so Qt meets PulseAudio fresh."""
    mic = pulse.virtual_mic("vt_qt_mic")
    speaker = pulse.null_sink("vt_qt_speaker")
    env = {**os.environ, **pulse.env, "QT_QPA_PLATFORM": "offscreen"}
    with pulse.play_tone(mic.name, freq=440, dbfs=-20, seconds=8):
        proc = subprocess.Popen(
            [sys.executable, "-c", _AUDIO_SCRIPT, mic.name, speaker.name],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        heard = pulse.record(speaker.monitor or "", 2.0)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err[-3000:]
    peak_hz, written = out.split()
    assert abs(float(peak_hz) - 440) < 5  # the microphone delivered the tone
    assert int(written) > 48000 * 4 // 2  # at least half a second reached the device
    spectrum = np.abs(np.fft.rfft(heard.astype(float)))
    assert abs(np.argmax(spectrum) * 48000 / len(heard) - 660) < 5  # and it was our tone
