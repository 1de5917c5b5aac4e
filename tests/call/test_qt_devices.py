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
    import sys, time, numpy as np
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtMultimedia import QMediaDevices, QtAudio
    from videotime_client.call.engine import MediaEngine
    from videotime_client.call.session import CallSession
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
    # Wired the way the app does it (ui/services.py): a real microphone, the player's push as
    # the sink, no audio_processor argument.  A synthetic tone gets no processing.
    session = CallSession(engine, None, video_source=None, audio_source=track,
                          audio_sink=player.push)
    tone_session = CallSession(engine, None, video_source=None, audio_source=ToneAudioTrack(),
                               audio_sink=player.push)
    apm = session.audio_processor
    tone = ToneAudioTrack(frequency=660, amplitude=0.3)
    got = []

    async def capture():
        for _ in range(50):  # one second of raw microphone
            got.append((await track.recv()).to_ndarray().reshape(-1))
        for _ in range(10):  # and some through the call's echo canceller
            await session.local_audio.recv()

    async def feed_player():
        for _ in range(250):  # five seconds of far-end sound
            player.push(await tone.recv())

    print("started", flush=True)
    fut = engine.submit(capture())
    fut2 = engine.submit(feed_player())
    deadline = time.monotonic() + 40
    while not (fut.done() and fut2.done()):
        if time.monotonic() > deadline:
            sys.exit("timed out")
        app.processEvents()
        time.sleep(0.005)
    fut.result(); fut2.result()
    samples = np.concatenate(got).astype(float)
    spectrum = np.abs(np.fft.rfft(samples[-24000:]))
    peak_hz = np.argmax(spectrum) * 48000 / 24000
    fed_at_playback = player.on_played == session._on_played

    async def stop_on_media_thread():  # where a call stops its tracks
        track.stop()

    engine.run(stop_on_media_thread(), timeout=10)
    deadline = time.monotonic() + 10
    while track._source.state() != QtAudio.State.StoppedState and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    mic_stopped = track._source.state() == QtAudio.State.StoppedState
    print(peak_hz, player.written_bytes, apm is not None and apm.available, fed_at_playback,
          apm.render_frames, apm.capture_frames, tone_session.audio_processor is None,
          mic_stopped, flush=True)
    player.stop(); app.processEvents()
    engine.close()
    """
)


@pytest.mark.slow
def test_qt_microphone_and_loudspeaker_through_pulseaudio(pulse: PulseServer) -> None:
    """A tone played into a virtual mic arrives as 20 ms frames; our player's sound reaches a
    virtual loudspeaker (checked on its monitor).  Echo cancellation is on by default for the
    real microphone, and its far-end reference is what the player hands the loudspeaker.  In a
    subprocess so Qt meets PulseAudio fresh."""
    mic = pulse.virtual_mic("vt_qt_mic")
    speaker = pulse.null_sink("vt_qt_speaker")
    env = {**os.environ, **pulse.env, "QT_QPA_PLATFORM": "offscreen"}
    with pulse.play_tone(mic.name, freq=440, dbfs=-20, seconds=30):
        proc = subprocess.Popen(
            [sys.executable, "-c", _AUDIO_SCRIPT, mic.name, speaker.name],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert proc.stdout is not None
            first = proc.stdout.readline()  # the player is playing from here on (5 s)
            heard = pulse.record(speaker.monitor or "", 2.0) if first.strip() == "started" else None
            out, err = proc.communicate(timeout=90)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
    assert proc.returncode == 0, err[-3000:]
    assert heard is not None, first
    peak_hz, written, apm_on, fed_at_playback, render, capture, tone_plain, stopped = out.split()
    assert abs(float(peak_hz) - 440) < 5  # the microphone delivered the tone
    assert int(written) > 48000 * 4 // 2  # at least half a second reached the device
    spectrum = np.abs(np.fft.rfft(heard.astype(float)))
    assert abs(np.argmax(spectrum) * 48000 / len(heard) - 660) < 5  # and it was our tone
    assert apm_on == "True"  # echo cancellation is on for a real microphone by default
    assert fed_at_playback == "True"  # fed from the player, as close to the loudspeaker as Qt gets
    assert int(render) > 100  # > 1 s of far-end reference (10 ms chunks) reached the canceller
    assert int(capture) >= 10 * 2  # the microphone frames went through it (20 ms = 2 chunks)
    assert tone_plain == "True"  # a synthetic tone is not a microphone: not processed
    assert stopped == "True"  # stop() from the media thread really stops the Qt device
