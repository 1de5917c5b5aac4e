"""Camera check: at least two seconds of frames through a ``FrameSource``.

Measures the delivered resolution and frame rate, black frames (mean Rec.709 luma < 20) and
frozen frames (SSIM against the previous frame > 0.985), the testrtc rules (anchors §3.1),
and turns "busy", "permission denied" and "no camera" into advice for the patient's OS.  The
last frames stay in memory (``ctx.shared``) for the lighting check; nothing is written.
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Protocol

import numpy as np
import numpy.typing as npt

from videotime_client.preflight.context import CheckContext
from videotime_client.preflight.models import CheckResult, Verdict, not_run
from videotime_client.preflight.thresholds import t
from videotime_client.texts import Text

RGBFrame = npt.NDArray[np.uint8]  # H x W x 3, RGB
KEEP_FRAMES = 3
FROZEN_MAX_MEAN_DIFF = 0.25  # luma levels; sensor noise alone gives > 1


class CameraUnavailable(Exception):
    """The camera could not be opened. ``reason``: missing, busy, denied, or no_access (no way
    to reach cameras at all here: the check reports ``not_run``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FrameSource(Protocol):
    """A camera-like source of RGB frames, paced in real time by the source itself."""

    async def open(self) -> None:
        """Start delivering frames; raises :class:`CameraUnavailable`."""
        ...

    async def read(self) -> RGBFrame | None:
        """The next frame (waits for it); ``None`` when the source ended."""
        ...

    async def close(self) -> None: ...


def luma(frame: RGBFrame) -> npt.NDArray[np.float32]:
    """Rec.709 luma, the measure testrtc uses for black frames."""
    f = frame.astype(np.float32)
    return np.asarray(0.2126 * f[..., 0] + 0.7152 * f[..., 1] + 0.0722 * f[..., 2], np.float32)


def _small_grey(frame: RGBFrame) -> npt.NDArray[np.float32]:
    y = luma(frame)
    h, w = y.shape
    step = max(1, min(h, w) // 120)  # ~160x120: fast and plenty for SSIM
    return y[::step, ::step]


def ssim(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> float:
    """Global SSIM of two grey images (the frozen-frame test needs no windowing)."""
    if a.shape != b.shape:
        return 0.0
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    ma, mb = float(a.mean()), float(b.mean())
    va, vb = float(a.var()), float(b.var())
    cov = float(((a - ma) * (b - mb)).mean())
    return ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2))


def _frozen(prev: npt.NDArray[np.float32], cur: npt.NDArray[np.float32]) -> bool:
    """testrtc's SSIM rule, guarded by sensor noise: a live sensor pointed at a still patient
    gives SSIM > 0.985 on a detailed picture too (we measured 54 of 55 frames "frozen" on a
    still portrait with sigma-2 noise), while a stalled driver repeats the same buffer.  So a
    frame is frozen only when it is also (almost) bit-identical to the previous one."""
    if prev.shape != cur.shape:
        return False
    if float(np.abs(prev - cur).mean()) >= FROZEN_MAX_MEAN_DIFF:
        return False
    return ssim(prev, cur) > t("camera_frozen_ssim")


def _os_advice(reason: str) -> Text:
    if reason == "denied":
        if sys.platform == "win32":
            return Text(
                nb="Videotime har ikke lov til å bruke kameraet. Åpne Innstillinger > Personvern "
                "og sikkerhet > Kamera, og slå på tilgang for skrivebordsapper.",
                nn="Videotime har ikkje lov til å bruke kameraet. Opne Innstillingar > Personvern "
                "og tryggleik > Kamera, og slå på tilgang for skrivebordsappar.",
                en="Videotime may not use the camera. Open Settings > Privacy & security > "
                "Camera and turn on access for desktop apps.",
            )
        if sys.platform == "darwin":
            return Text(
                nb="Videotime har ikke lov til å bruke kameraet. Åpne Systeminnstillinger > "
                "Personvern og sikkerhet > Kamera, og slå på Videotime.",
                nn="Videotime har ikkje lov til å bruke kameraet. Opne Systeminnstillingar > "
                "Personvern og tryggleik > Kamera, og slå på Videotime.",
                en="Videotime may not use the camera. Open System Settings > Privacy & "
                "Security > Camera and turn on Videotime.",
            )
        return Text(
            nb="Videotime har ikke lov til å bruke kameraet. Sjekk personverninnstillingene, "
            "eller at brukeren din har tilgang til kameraet.",
            nn="Videotime har ikkje lov til å bruke kameraet. Sjekk personverninnstillingane, "
            "eller at brukaren din har tilgang til kameraet.",
            en="Videotime may not use the camera. Check your privacy settings, or that your "
            "user has access to the camera.",
        )
    if reason == "busy":
        return Text(
            nb="Kameraet brukes av et annet program (for eksempel Teams eller Zoom). Lukk det "
            "programmet og prøv igjen.",
            nn="Kameraet blir brukt av eit anna program (til dømes Teams eller Zoom). Lukk det "
            "programmet og prøv igjen.",
            en="Another program (for example Teams or Zoom) is using the camera. Close it and "
            "try again.",
        )
    return Text(
        nb="Vi fant ikke noe kamera. Koble til et kamera, eller bruk en annen enhet. Får du det "
        "ikke til, ring avdelingen.",
        nn="Vi fann ikkje noko kamera. Kopla til eit kamera, eller bruk ei anna eining. Får du "
        "det ikkje til, ring avdelinga.",
        en="We found no camera. Connect a camera or use another device. If that does not work, "
        "call the department.",
    )


ADVICE: dict[str, Text] = {
    "ok": Text(nb="Kameraet virker.", nn="Kameraet verkar.", en="Your camera works."),
    "black": Text(
        nb="Bildet fra kameraet er svart. Sjekk at linsen ikke er dekket til (noen kamera har "
        "en liten luke eller bryter).",
        nn="Biletet frå kameraet er svart. Sjekk at linsa ikkje er dekt til (nokre kamera har "
        "ei lita luke eller ein brytar).",
        en="The camera picture is black. Check that the lens is not covered (some cameras have "
        "a small shutter or switch).",
    ),
    "frozen": Text(
        nb="Bildet fra kameraet står stille. Koble kameraet fra og til igjen, eller start "
        "datamaskinen på nytt.",
        nn="Biletet frå kameraet står stille. Kopla kameraet frå og til att, eller start "
        "datamaskina på nytt.",
        en="The camera picture is frozen. Unplug and reconnect the camera, or restart the "
        "computer.",
    ),
    "no_frames": Text(
        nb="Kameraet sender ikke bilder. Koble det fra og til igjen, eller velg et annet kamera.",
        nn="Kameraet sender ikkje bilete. Kopla det frå og til att, eller vel eit anna kamera.",
        en="The camera sends no pictures. Reconnect it or choose another camera.",
    ),
    "low_fps": Text(
        nb="Kameraet gir få bilder i sekundet, så bildet kan bli hakkete. Du kan likevel delta.",
        nn="Kameraet gir få bilete i sekundet, så biletet kan bli hakkete. Du kan likevel delta.",
        en="The camera gives few pictures per second, so video may be jerky. You can still join.",
    ),
    "low_resolution": Text(
        nb="Kamerabildet er lite og uskarpt. Du kan likevel delta.",
        nn="Kamerabiletet er lite og uskarpt. Du kan likevel delta.",
        en="The camera picture is small and blurry. You can still join.",
    ),
}

NO_CAMERA_ACCESS = Text(
    nb="Vi kunne ikke teste kameraet på denne maskinen. Det betyr ikke at kameraet er feil.",
    nn="Vi kunne ikkje teste kameraet på denne maskina. Det betyr ikkje at kameraet er feil.",
    en="We could not test the camera on this machine. That does not mean the camera is faulty.",
)


async def capture(ctx: CheckContext, seconds: float) -> dict[str, object]:
    """Read frames for ``seconds``; returns stats and keeps the last frames in memory."""
    assert ctx.camera is not None
    source: FrameSource = ctx.camera()
    await source.open()
    times: list[float] = []
    black = frozen = 0
    size: tuple[int, int] | None = None
    last: list[RGBFrame] = []
    prev: npt.NDArray[np.float32] | None = None
    start = time.monotonic()
    try:
        while time.monotonic() - start < seconds:
            remaining = seconds - (time.monotonic() - start)
            try:
                frame = await asyncio.wait_for(source.read(), max(0.05, remaining) + 0.5)
            except TimeoutError:
                break
            if frame is None:
                break
            times.append(time.monotonic())
            size = (int(frame.shape[1]), int(frame.shape[0]))
            grey = _small_grey(frame)
            if float(grey.mean()) < t("camera_black_luma"):
                black += 1
            if prev is not None and _frozen(prev, grey):
                frozen += 1
            prev = grey
            last.append(frame)
            del last[:-KEEP_FRAMES]
    finally:
        await source.close()
    ctx.shared["camera_frames"] = last
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    fps = (len(times) - 1) / span if span > 0 else 0.0
    return {
        "frames": len(times),
        "seconds": round(time.monotonic() - start, 2),
        "width": size[0] if size else 0,
        "height": size[1] if size else 0,
        "fps": round(fps, 1),
        "black_frames": black,
        "frozen_frames": frozen,
    }


async def run(ctx: CheckContext) -> CheckResult:
    if ctx.camera is None:
        return not_run("camera", "no_camera_access", NO_CAMERA_ACCESS)
    try:
        m = await capture(ctx, t("camera_min_seconds"))
    except CameraUnavailable as exc:
        if exc.reason == "no_access":  # nothing to test with here; not the camera's fault
            return not_run("camera", "no_camera_access", NO_CAMERA_ACCESS)
        return CheckResult(
            "camera",
            Verdict.CANNOT,
            (exc.reason,),
            _os_advice(exc.reason),
            {"platform": sys.platform},
        )
    frames = int(m["frames"])  # type: ignore[call-overload]
    if frames < 2:
        return CheckResult("camera", Verdict.CANNOT, ("no_frames",), ADVICE["no_frames"], m)
    share = t("camera_bad_frame_share")
    if int(m["black_frames"]) > share * frames:  # type: ignore[call-overload]
        return CheckResult("camera", Verdict.CANNOT, ("black",), ADVICE["black"], m)
    if int(m["frozen_frames"]) > share * (frames - 1):  # type: ignore[call-overload]
        return CheckResult("camera", Verdict.CANNOT, ("frozen",), ADVICE["frozen"], m)
    fps = float(m["fps"])  # type: ignore[arg-type]
    if fps < t("camera_min_fps"):
        return CheckResult("camera", Verdict.CANNOT, ("low_fps",), ADVICE["no_frames"], m)
    problems: list[str] = []
    if fps < t("camera_limited_fps"):
        problems.append("low_fps")
    if int(m["width"]) < 320 or int(m["height"]) < 240:  # type: ignore[call-overload]
        problems.append("low_resolution")
    if problems:
        return CheckResult("camera", Verdict.LIMITED, tuple(problems), ADVICE[problems[0]], m)
    return CheckResult("camera", Verdict.GOOD, (), ADVICE["ok"], m)
