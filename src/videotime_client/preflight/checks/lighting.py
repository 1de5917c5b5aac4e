"""Lighting and framing: advice, never a blocker (the verdict is at worst ``limited``).

Codes: ``too_dark``, ``backlit`` (the seed's "light behind you"), ``overexposed``, ``no_face``.

The face detector is OpenCV's trained frontal-face Haar cascade (the model file is vendored in
``preflight/data/``; no download, no model hub), evaluated in NumPy by
:mod:`videotime_client.preflight.facedetect` — OpenCV itself is only a test dependency, which
checks that both find the same faces.  The picture is histogram-equalised before detection so
that a dark face, or a face in a dim room, is still found.

Exposure is judged *relative*, never by absolute skin brightness (anchors §9 and the skin-tone
caveat of tracky-mouse#26): dark skin in good light has a darker face than a pale wall, and that
is not "backlit".  Backlit means the face is starved of light *because* of a bright background:
the face is much darker than the background (< 55 %), the background is bright, and even the
face's highlights (95th percentile) stay below the background's average — a lit face of any
skin tone has highlights (forehead, eyes, shine) that reach the room's brightness.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from videotime_client.preflight import facedetect
from videotime_client.preflight.checks.camera import RGBFrame, capture, luma
from videotime_client.preflight.context import CheckContext
from videotime_client.preflight.models import CheckResult, Verdict, not_run
from videotime_client.preflight.thresholds import t
from videotime_client.texts import Text

BRIGHT_BACKGROUND_LUMA = 170.0  # background at least this bright for "backlit" (ours)
NO_FACE_CLIP_SHARE = 0.4  # without a face: this much of the picture clipped = overexposed

ADVICE: dict[str, Text] = {
    "ok": Text(
        nb="Lyset er bra, og ansiktet ditt synes godt.",
        nn="Lyset er bra, og andletet ditt syner godt.",
        en="The light is good and your face is clearly visible.",
    ),
    "too_dark": Text(
        nb="Bildet er mørkt. Slå på en lampe foran deg, eller sett deg nærmere et vindu du ser "
        "mot.",
        nn="Biletet er mørkt. Slå på ei lampe framfor deg, eller set deg nærare eit vindauge du "
        "ser mot.",
        en="The picture is dark. Turn on a lamp in front of you, or sit facing a window.",
    ),
    "backlit": Text(
        nb="Lyset er bak deg, så ansiktet blir mørkt. Snu deg slik at lyset kommer forfra, "
        "eller trekk for vinduet bak deg.",
        nn="Lyset er bak deg, så andletet blir mørkt. Snu deg slik at lyset kjem framanfrå, "
        "eller dra for vindauget bak deg.",
        en="The light is behind you, so your face looks dark. Turn so the light comes from the "
        "front, or close the curtain behind you.",
    ),
    "overexposed": Text(
        nb="Det er så mye lys at ansiktet blir hvitt. Flytt deg bort fra sterkt lys, eller "
        "trekk for gardinen.",
        nn="Det er så mykje lys at andletet blir kvitt. Flytt deg bort frå sterkt lys, eller "
        "dra for gardina.",
        en="There is so much light that your face looks white. Move away from strong light or "
        "draw the curtain.",
    ),
    "no_face": Text(
        nb="Vi ser ikke ansiktet ditt. Sett deg rett foran kameraet, slik at hele ansiktet er "
        "med i bildet.",
        nn="Vi ser ikkje andletet ditt. Set deg rett framfor kameraet, slik at heile andletet er "
        "med i biletet.",
        en="We cannot see your face. Sit straight in front of the camera so your whole face is "
        "in the picture.",
    ),
}
NO_CAMERA = Text(
    nb="Vi kunne ikke sjekke lyset fordi vi ikke fikk bilde fra kameraet.",
    nn="Vi kunne ikkje sjekke lyset fordi vi ikkje fekk bilete frå kameraet.",
    en="We could not check the light because we got no picture from the camera.",
)


DETECT_MAX_WIDTH = 640  # wider frames are shrunk first: cost grows with pixels
DETECT_MIN_FACE = 0.1  # smallest face searched for, as a share of the picture's short side


def find_face(frame: RGBFrame) -> tuple[int, int, int, int] | None:
    """The largest frontal face as (x, y, w, h) in ``frame``'s pixels, or None."""
    grey = facedetect.rgb_to_grey(frame)
    scale = 1.0
    if grey.shape[1] > DETECT_MAX_WIDTH:
        scale = DETECT_MAX_WIDTH / grey.shape[1]
        size = (DETECT_MAX_WIDTH, max(1, round(grey.shape[0] * scale)))
        grey = facedetect.resize_area(grey, *size)
    grey = facedetect.equalize_hist(grey)  # finds dark faces and faces in dim rooms
    min_side = max(24, int(min(grey.shape) * DETECT_MIN_FACE))
    faces = facedetect.detect_multiscale(grey, 1.1, 5, (min_side, min_side))
    if not faces:
        return None
    x, y, w, h = max(faces, key=lambda f: f[2] * f[3])
    return (int(x / scale), int(y / scale), int(w / scale), int(h / scale))


def analyse(frame: RGBFrame) -> tuple[list[str], dict[str, Any]]:
    """Problem codes (at most one exposure code, plus ``no_face``) and measurements."""
    y = luma(frame)
    face = find_face(frame)
    clip = t("light_clip_luma")
    m: dict[str, Any] = {"mean_luma": round(float(y.mean()), 1), "face_found": face is not None}
    problems: list[str] = []
    if face is None:
        clipped = float((y >= clip).mean())
        m["clipped_share"] = round(clipped, 3)
        if float(y.mean()) < t("light_too_dark_luma"):
            return ["too_dark"], m  # too dark to find a face: say the cause, not the symptom
        if clipped > NO_FACE_CLIP_SHARE:
            return ["overexposed"], m
        return ["no_face"], m
    x, yy, w, h = face
    # The skin: the middle of the detected box (drops hair, ears and the backdrop corners).
    fy = y[yy + h // 5 : yy + h * 4 // 5, x + w // 5 : x + w * 4 // 5]
    # The background that matters is what is *behind the head*: the band from the top of the
    # picture down to the chin, beside the head. A window or lamp behind you shows up there;
    # the patient's own body and desk below do not count.
    band = y[: yy + h]
    mask = np.ones_like(band, dtype=bool)
    pad_w = w // 2  # hair and ears beside the face are not background
    mask[:, max(0, x - pad_w) : x + w + pad_w] = False
    bg: npt.NDArray[np.float32] = band[mask] if mask.any() else y.ravel()
    face_mean, bg_mean = float(fy.mean()), float(bg.mean())
    face_p95 = float(np.percentile(fy, 95))
    face_clipped = float((fy >= clip).mean())
    m.update(
        face_box_share=round(w * h / (y.shape[0] * y.shape[1]), 3),
        face_luma=round(face_mean, 1),
        face_p95_luma=round(face_p95, 1),
        background_luma=round(bg_mean, 1),
        face_to_background=round(face_mean / max(bg_mean, 1.0), 2),
        face_clipped_share=round(face_clipped, 3),
    )
    if face_clipped > t("light_overexposed_share"):
        problems.append("overexposed")
    elif (
        face_mean / max(bg_mean, 1.0) < t("light_backlit_ratio")
        and bg_mean >= BRIGHT_BACKGROUND_LUMA
        and face_p95 < bg_mean
    ):
        problems.append("backlit")
    elif float(y.mean()) < t("light_too_dark_luma") and face_p95 < 2 * t("light_too_dark_luma"):
        problems.append("too_dark")
    return problems, m


async def run(ctx: CheckContext) -> CheckResult:
    frames: list[RGBFrame] | None = ctx.shared.get("camera_frames")
    if not frames:
        if ctx.camera is None:
            return not_run("lighting", "no_camera", NO_CAMERA)
        try:
            await capture(ctx, 0.5)
        except Exception:
            return not_run("lighting", "no_camera", NO_CAMERA)
        frames = ctx.shared.get("camera_frames")
        if not frames:
            return not_run("lighting", "no_camera", NO_CAMERA)
    import asyncio

    problems, m = await asyncio.to_thread(analyse, frames[-1])
    if not problems:
        return CheckResult("lighting", Verdict.GOOD, (), ADVICE["ok"], m)
    # Advice, never a blocker: the worst lighting verdict is "limited".
    return CheckResult("lighting", Verdict.LIMITED, tuple(problems), ADVICE[problems[0]], m)
