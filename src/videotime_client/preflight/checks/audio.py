"""Microphone and speaker checks.

Microphone: listen for two seconds (the UI asks the patient to say a few words and shows the
live meter).  The classic false alarm is calling a quiet room a broken microphone (anchors §8,
testrtc's "-60 dBFS" rule fires on a working mic in a silent room).  So we separate three
things:

* **silent** — every sample is (almost) exactly zero.  A working microphone always has some
  noise, so this means muted, switched off or blocked: ``limited`` (some headsets gate
  silence to zero, so we do not say ``cannot``).
* **quiet room** — a living noise floor but nothing louder: the mic works; ``good``.
* **too quiet** — we *heard speech* (windows clearly above the noise floor) but even the
  speech stayed below -60 dBFS: ``limited`` (move closer, raise the input volume).

Clipping is a warning only (anchors §9: never fail a patient on clipping).

Speaker: a short tone through the chosen output, then a yes/no question; optionally "hear
yourself" — a few seconds recorded and played back, held only in memory, never written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np
import numpy.typing as npt

from videotime_client.preflight.context import CheckContext
from videotime_client.preflight.levels import dbfs, longest_clip_run, window_levels
from videotime_client.preflight.models import CheckResult, Verdict, not_run
from videotime_client.preflight.thresholds import t
from videotime_client.texts import Text

RATE = 48000
SPEECH_ABOVE_FLOOR_DB = 10.0  # a window this much above the noise floor counts as "heard"


class AudioUnavailable(Exception):
    """The audio device could not be used. ``reason``: missing, busy, denied, no_audio_system."""

    def __init__(self, reason: str, kind: str = "microphone") -> None:
        super().__init__(f"{kind}: {reason}")
        self.reason = reason
        self.kind = kind


class AudioDevice(Protocol):
    """Microphone and speaker access (``media.audio_probe.PulseAudioDevice`` is the real one)."""

    async def capture(
        self, seconds: float, on_chunk: Callable[[npt.NDArray[np.int16]], None] | None = None
    ) -> npt.NDArray[np.int16]:
        """Mono int16 at 48 kHz; ``on_chunk`` gets ~100 ms pieces as they arrive."""
        ...

    async def play(self, samples: npt.NDArray[np.int16]) -> None:
        """Play mono int16 at 48 kHz through the chosen output and return when done."""
        ...


NO_AUDIO_DEVICE = Text(
    nb="Vi fant ingen lydenhet å teste. Dette er ikke en feil ved utstyret ditt.",
    nn="Vi fann inga lydeining å teste. Dette er ikkje ein feil ved utstyret ditt.",
    en="We found no sound device to test. This is not a fault in your equipment.",
)

MIC_ADVICE: dict[str, Text] = {
    "ok": Text(
        nb="Mikrofonen virker.",
        nn="Mikrofonen verkar.",
        en="Your microphone works.",
    ),
    "quiet_room": Text(
        nb="Mikrofonen virker. Det var stille i rommet, så si gjerne noen ord og se at "
        "lydmåleren beveger seg.",
        nn="Mikrofonen verkar. Det var stille i rommet, så sei gjerne nokre ord og sjå at "
        "lydmålaren rører seg.",
        en="Your microphone works. The room was quiet, so say a few words and watch the "
        "sound meter move.",
    ),
    "too_quiet": Text(
        nb="Vi hører deg svakt. Sett deg nærmere datamaskinen, eller skru opp mikrofonvolumet.",
        nn="Vi høyrer deg svakt. Set deg nærare datamaskina, eller skru opp mikrofonvolumet.",
        en="We can hear you only faintly. Sit closer to the computer or turn up the "
        "microphone volume.",
    ),
    "silent": Text(
        nb="Vi hørte ingenting fra mikrofonen. Sjekk at den ikke er slått av (dempet), og at "
        "riktig mikrofon er valgt.",
        nn="Vi høyrde ingenting frå mikrofonen. Sjekk at han ikkje er slått av (dempa), og at "
        "rett mikrofon er vald.",
        en="We heard nothing from the microphone. Check that it is not muted and that the "
        "right microphone is chosen.",
    ),
    "clipping": Text(
        nb="Lyden er så sterk at den kan skurre. Skru ned mikrofonvolumet litt.",
        nn="Lyden er så sterk at han kan skurre. Skru ned mikrofonvolumet litt.",
        en="The sound is so loud it may crackle. Turn the microphone volume down a little.",
    ),
    "missing": Text(
        nb="Vi fant ingen mikrofon. Koble til en mikrofon eller et hodesett. Får du det ikke "
        "til, ring avdelingen.",
        nn="Vi fann ingen mikrofon. Kopla til ein mikrofon eller eit hovudsett. Får du det "
        "ikkje til, ring avdelinga.",
        en="We found no microphone. Connect a microphone or headset. If that does not work, "
        "call the department.",
    ),
    "busy": Text(
        nb="Mikrofonen brukes av et annet program. Lukk andre program som bruker lyd, og prøv "
        "igjen.",
        nn="Mikrofonen blir brukt av eit anna program. Lukk andre program som brukar lyd, og "
        "prøv igjen.",
        en="Another program is using the microphone. Close other programs that use sound and "
        "try again.",
    ),
    "denied": Text(
        nb="Videotime har ikke lov til å bruke mikrofonen. Gi tillatelse i "
        "personverninnstillingene på datamaskinen.",
        nn="Videotime har ikkje lov til å bruke mikrofonen. Gi løyve i "
        "personverninnstillingane på datamaskina.",
        en="Videotime is not allowed to use the microphone. Allow it in your computer's "
        "privacy settings.",
    ),
}

SPEAKER_ADVICE: dict[str, Text] = {
    "ok": Text(nb="Lyden virker.", nn="Lyden verkar.", en="Your sound works."),
    "not_heard": Text(
        nb="Du hørte ikke lyden. Skru opp volumet, sjekk hodetelefonene, eller velg en annen "
        "høyttaler. Virker det fortsatt ikke, ring avdelingen.",
        nn="Du høyrde ikkje lyden. Skru opp volumet, sjekk hovudtelefonane, eller vel ein "
        "annan høgtalar. Verkar det framleis ikkje, ring avdelinga.",
        en="You did not hear the sound. Turn up the volume, check your headphones, or choose "
        "another speaker. If it still does not work, call the department.",
    ),
    "no_answer": Text(
        nb="Vi spilte av en lyd, men fikk ikke svar på om du hørte den.",
        nn="Vi spelte av ein lyd, men fekk ikkje svar på om du høyrde han.",
        en="We played a sound but got no answer whether you heard it.",
    ),
    "missing": Text(
        nb="Vi fant ingen høyttaler. Koble til hodetelefoner eller høyttaler. Får du det ikke "
        "til, ring avdelingen.",
        nn="Vi fann ingen høgtalar. Kopla til hovudtelefonar eller høgtalar. Får du det ikkje "
        "til, ring avdelinga.",
        en="We found no speaker. Connect headphones or a speaker. If that does not work, call "
        "the department.",
    ),
    "busy": MIC_ADVICE["busy"],
    "denied": MIC_ADVICE["denied"],
    "self_not_heard": Text(
        nb="Lyden virker, men du hørte ikke deg selv. Sjekk at riktig mikrofon er valgt.",
        nn="Lyden verkar, men du høyrde ikkje deg sjølv. Sjekk at rett mikrofon er vald.",
        en="Sound works, but you did not hear yourself. Check that the right microphone is chosen.",
    ),
}

Q_TONE = Text(nb="Hørte du en tone?", nn="Høyrde du ein tone?", en="Did you hear a tone?")
Q_OFFER_ECHO = Text(
    nb="Vil du høre deg selv? Si noen ord etter pipet; vi spiller dem av igjen med en gang.",
    nn="Vil du høyre deg sjølv? Sei nokre ord etter pipet; vi spelar dei av att med ein gong.",
    en="Would you like to hear yourself? Say a few words after the beep; we play them back "
    "at once.",
)
Q_ECHO = Text(nb="Hørte du deg selv?", nn="Høyrde du deg sjølv?", en="Did you hear yourself?")


def classify_microphone(
    samples: npt.NDArray[np.int16],
) -> tuple[Verdict, list[str], dict[str, float]]:
    """Verdict, problem codes and measurements for ``samples`` (mono int16, 48 kHz)."""
    windows = window_levels(samples, RATE)
    overall = dbfs(samples)
    peak_window = max(windows) if windows else overall
    # The noise floor of the room: quietest fifth of the windows that carry any signal at all
    # (a capture often starts with a few all-zero buffers while the device wakes up).
    live = [w for w in windows if w > t("mic_silence_dbfs")]
    floor = float(np.percentile(live, 20)) if live else peak_window
    clip_run = longest_clip_run(samples)
    measurements = {
        "level_dbfs": round(overall, 1),
        "peak_window_dbfs": round(peak_window, 1),
        "noise_floor_dbfs": round(floor, 1),
        "longest_clip_run": float(clip_run),
        "seconds": round(len(samples) / RATE, 2),
    }
    problems: list[str] = []
    if peak_window <= t("mic_silence_dbfs"):
        return Verdict.LIMITED, ["silent"], measurements
    heard_speech = peak_window - floor >= SPEECH_ABOVE_FLOOR_DB
    verdict = Verdict.GOOD
    if heard_speech and peak_window < t("mic_too_quiet_dbfs"):
        verdict, problems = Verdict.LIMITED, ["too_quiet"]
    elif not heard_speech and peak_window < t("mic_too_quiet_dbfs"):
        problems = ["quiet_room"]  # information, not a fault
    if clip_run > t("mic_clip_run"):
        problems.append("clipping")  # a warning only; the verdict stays as it is
    return verdict, problems, measurements


def _advice(table: dict[str, Text], problems: list[str]) -> Text:
    for code in problems:
        if code in table:
            return table[code]
    return table["ok"]


async def run_microphone(ctx: CheckContext) -> CheckResult:
    device: AudioDevice | None = ctx.audio
    if device is None:
        return not_run("microphone", "no_audio_system", NO_AUDIO_DEVICE)

    def chunk(samples: npt.NDArray[np.int16]) -> None:
        if ctx.meter is not None:
            ctx.meter("microphone", dbfs(samples))

    try:
        samples = await device.capture(t("mic_listen_seconds"), chunk)
    except AudioUnavailable as exc:
        if exc.reason == "no_audio_system":
            return not_run("microphone", "no_audio_system", NO_AUDIO_DEVICE)
        return CheckResult(
            "microphone",
            Verdict.CANNOT,
            (exc.reason,),
            MIC_ADVICE.get(exc.reason, MIC_ADVICE["missing"]),
        )
    verdict, problems, measurements = classify_microphone(samples)
    return CheckResult(
        "microphone", verdict, tuple(problems), _advice(MIC_ADVICE, problems), measurements
    )


def tone_samples(
    seconds: float = 1.0, freq: float = 440.0, level_dbfs: float = -20.0
) -> npt.NDArray[np.int16]:
    """A gentle 440 Hz tone with 50 ms fades (no clicks), the pitch Chime's checker uses."""
    n = int(RATE * seconds)
    x = np.sin(2 * np.pi * freq * np.arange(n) / RATE) * (10 ** (level_dbfs / 20)) * np.sqrt(2)
    fade = int(RATE * 0.05)
    ramp = np.linspace(0.0, 1.0, fade)
    x[:fade] *= ramp
    x[-fade:] *= ramp[::-1]
    samples: npt.NDArray[np.int16] = (x * 32767).astype(np.int16)
    return samples


async def run_speaker(ctx: CheckContext) -> CheckResult:
    device: AudioDevice | None = ctx.audio
    if device is None:
        return not_run("speaker", "no_audio_system", NO_AUDIO_DEVICE)
    try:
        await device.play(tone_samples())
    except AudioUnavailable as exc:
        if exc.reason == "no_audio_system":
            return not_run("speaker", "no_audio_system", NO_AUDIO_DEVICE)
        return CheckResult(
            "speaker",
            Verdict.CANNOT,
            (exc.reason,),
            SPEAKER_ADVICE.get(exc.reason, SPEAKER_ADVICE["missing"]),
        )
    heard = await ctx.ask("heard_tone", Q_TONE)
    measurements: dict[str, object] = {"tone_hz": 440, "tone_dbfs": -20, "heard_tone": heard}
    if heard is None:
        return not_run("speaker", "no_answer", SPEAKER_ADVICE["no_answer"], **measurements)
    if not heard:
        return CheckResult(
            "speaker", Verdict.CANNOT, ("not_heard",), SPEAKER_ADVICE["not_heard"], measurements
        )
    # Optional "hear yourself": only when the patient wants it. Held in memory only.
    problems: tuple[str, ...] = ()
    if await ctx.ask("offer_hear_yourself", Q_OFFER_ECHO):
        try:
            await device.play(tone_samples(0.15, 880.0))
            recording = await device.capture(3.0)
            await device.play(recording)
        except AudioUnavailable:
            recording = np.zeros(0, dtype=np.int16)
        measurements["echo_recorded_dbfs"] = round(dbfs(recording), 1)
        del recording  # nothing of the patient's voice outlives this function
        heard_self = await ctx.ask("heard_yourself", Q_ECHO)
        measurements["heard_yourself"] = heard_self
        if heard_self is False:
            problems = ("self_not_heard",)
            return CheckResult(
                "speaker", Verdict.LIMITED, problems, SPEAKER_ADVICE["self_not_heard"], measurements
            )
    return CheckResult("speaker", Verdict.GOOD, problems, SPEAKER_ADVICE["ok"], measurements)
