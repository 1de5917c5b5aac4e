"""Microphone and speaker through a real (private) PulseAudio daemon with virtual devices."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from tests.helpers.pulse import PulseServer
from videotime_client.media.audio_probe import PulseAudioDevice
from videotime_client.preflight.checks import audio
from videotime_client.preflight.context import CheckContext
from videotime_client.preflight.models import Verdict

RATE = 48000


def speechlike(floor_dbfs: float, speech_dbfs: float, seconds: float = 4.0) -> np.ndarray:
    """A noise floor with 300 ms 'words' (tone bursts) every 600 ms."""
    rng = np.random.default_rng(1)
    n = int(RATE * seconds)
    x = rng.normal(0, 32767 * 10 ** (floor_dbfs / 20), n)
    burst = PulseServer.tone(220, speech_dbfs, 0.3).astype(np.float64)
    for start in range(0, n - len(burst), int(0.6 * RATE)):
        x[start : start + len(burst)] += burst
    return np.clip(x, -32768, 32767).astype(np.int16)


@pytest.fixture
def mic(pulse: PulseServer) -> PulseAudioDevice:
    pulse.virtual_mic("vt_mic")
    speaker = pulse.null_sink("vt_speaker")
    return PulseAudioDevice(source="vt_mic", sink=speaker.name)


def run_mic(device: PulseAudioDevice, meter=None):
    return asyncio.run(audio.run_microphone(CheckContext(audio=device, meter=meter)))


def test_speaking_into_the_mic_is_good_with_a_live_meter(pulse: PulseServer, mic) -> None:
    levels: list[float] = []
    with pulse.play_samples("vt_mic", speechlike(-70, -25)):
        r = run_mic(mic, lambda kind, db: levels.append(db))
    assert r.verdict is Verdict.GOOD, r.measurements
    assert -32 < r.measurements["peak_window_dbfs"] < -20
    assert len(levels) >= 15  # ~10 meter updates a second for 2 s
    assert max(levels) > -35
    assert min(levels) < -50


def test_quiet_room_is_not_a_broken_mic(pulse: PulseServer, mic) -> None:
    """The false-alarm trap: a working mic in a silent room (noise floor only, -70 dBFS)."""
    rng = np.random.default_rng(2)
    room = rng.normal(0, 32767 * 10 ** (-70 / 20), RATE * 4).astype(np.int16)
    with pulse.play_samples("vt_mic", room):
        r = run_mic(mic)
    assert r.measurements["peak_window_dbfs"] < -60  # below testrtc's "too quiet" line
    assert r.verdict is Verdict.GOOD
    assert r.problems == ("quiet_room",)


def test_faint_speech_is_too_quiet(pulse: PulseServer, mic) -> None:
    with pulse.play_samples("vt_mic", speechlike(-85, -66)):
        r = run_mic(mic)
    assert r.verdict is Verdict.LIMITED, r.measurements
    assert r.problems == ("too_quiet",)


def test_digital_silence_is_flagged_but_not_cannot(pulse: PulseServer, mic) -> None:
    r = run_mic(mic)  # nothing plays into the virtual mic: all-zero samples
    assert r.verdict is Verdict.LIMITED
    assert r.problems == ("silent",)
    assert "dempet" in r.advice("nb")


def test_clipping_is_a_warning_only(pulse: PulseServer, mic) -> None:
    loud = np.tile(np.array([32767] * 20 + [-32768] * 20, np.int16), RATE * 4 // 40)
    with pulse.play_samples("vt_mic", loud):
        r = run_mic(mic)
    assert "clipping" in r.problems
    assert r.verdict is Verdict.GOOD


def test_missing_microphone_cannot(pulse: PulseServer) -> None:
    r = run_mic(PulseAudioDevice(source="no_such_mic"))
    assert r.verdict is Verdict.CANNOT
    assert r.problems == ("missing",)


def test_no_audio_system_is_not_run(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PULSE_SERVER", f"unix:{tmp_path}/nothing-here")
    r = run_mic(PulseAudioDevice())
    assert r.verdict is Verdict.NOT_RUN
    assert r.problems == ("no_audio_system",)


def _answers(**answers: bool | None):
    asked: list[str] = []

    async def ask(code, question):
        asked.append(code)
        assert question("nb")
        assert question("en")
        return answers.get(code)

    return ask, asked


def test_speaker_tone_reaches_the_output_and_yes_is_good(pulse: PulseServer, mic) -> None:
    ask, asked = _answers(heard_tone=True, offer_hear_yourself=False)

    async def scenario():
        recording = asyncio.create_task(asyncio.to_thread(pulse.record, "vt_speaker.monitor", 2.0))
        await asyncio.sleep(0.3)
        result = await audio.run_speaker(CheckContext(audio=mic, ask=ask))
        return result, await recording

    r, captured = asyncio.run(scenario())
    assert r.verdict is Verdict.GOOD
    assert asked == ["heard_tone", "offer_hear_yourself"]
    # The 440 Hz tone really came out of the chosen output.
    spectrum = np.abs(np.fft.rfft(captured.astype(np.float64)))
    peak_hz = np.argmax(spectrum) * RATE / len(captured)
    assert abs(peak_hz - 440) < 5


def test_speaker_not_heard_cannot_and_no_answer_is_not_run(mic) -> None:
    ask, _ = _answers(heard_tone=False)
    r = asyncio.run(audio.run_speaker(CheckContext(audio=mic, ask=ask)))
    assert r.verdict is Verdict.CANNOT
    assert r.problems == ("not_heard",)
    ask, _ = _answers()
    r = asyncio.run(audio.run_speaker(CheckContext(audio=mic, ask=ask)))
    assert r.verdict is Verdict.NOT_RUN
    assert r.problems == ("no_answer",)


def test_hear_yourself_replays_the_recording(pulse: PulseServer, mic) -> None:
    ask, asked = _answers(heard_tone=True, offer_hear_yourself=True, heard_yourself=True)

    async def scenario():
        with pulse.play_samples("vt_mic", speechlike(-70, -25, seconds=8)):
            recording = asyncio.create_task(
                asyncio.to_thread(pulse.record, "vt_speaker.monitor", 6.0)
            )
            result = await audio.run_speaker(CheckContext(audio=mic, ask=ask))
            return result, await recording

    r, captured = asyncio.run(scenario())
    assert r.verdict is Verdict.GOOD
    assert asked == ["heard_tone", "offer_hear_yourself", "heard_yourself"]
    assert r.measurements["echo_recorded_dbfs"] > -40  # we recorded the "voice"...
    # ...and played it back: the 220 Hz words reached the speaker.
    spectrum = np.abs(np.fft.rfft(captured.astype(np.float64)))
    freqs = np.fft.rfftfreq(len(captured), 1 / RATE)
    band = spectrum[(freqs > 200) & (freqs < 240)].max()
    assert band > 10 * np.median(spectrum)


def test_classifier_units() -> None:
    zeros = np.zeros(RATE * 2, np.int16)
    assert audio.classify_microphone(zeros)[1] == ["silent"]
    tone = PulseServer.tone(440, -20, 2.0)
    verdict, problems, m = audio.classify_microphone(tone)
    assert verdict is Verdict.GOOD
    assert problems == []
    assert abs(m["level_dbfs"] + 20) < 0.5
