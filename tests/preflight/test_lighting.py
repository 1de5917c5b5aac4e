"""Lighting and framing: real-portrait variants and generated scenes; advice, never a blocker."""

from __future__ import annotations

import asyncio

import pytest

from tests.preflight import scenes
from tests.preflight.fakes import ArrayCamera
from videotime_client.preflight.checks import lighting
from videotime_client.preflight.context import CheckContext
from videotime_client.preflight.models import Verdict


def check(frame):
    ctx = CheckContext()
    ctx.shared["camera_frames"] = [frame]
    return asyncio.run(lighting.run(ctx))


def test_good_portrait_passes() -> None:
    r = check(scenes.good())
    assert r.verdict is Verdict.GOOD, r.measurements
    assert r.measurements["face_found"] is True


def test_dark_skin_in_good_light_passes() -> None:
    """The false-alarm trap: a darker face than the wall is not 'backlit' or 'too dark'."""
    frame = scenes.dark_skin_good_light()
    r = check(frame)
    assert r.verdict is Verdict.GOOD, r.measurements
    assert r.measurements["face_found"] is True
    # The trap is real: the face is much darker than its background.
    assert r.measurements["face_to_background"] < 0.6
    assert r.measurements["face_luma"] < 0.45 * check(scenes.good()).measurements["face_luma"]


@pytest.mark.parametrize(
    ("scene", "code"),
    [
        (scenes.too_dark, "too_dark"),
        (scenes.backlit, "backlit"),
        (scenes.overexposed, "overexposed"),
        (scenes.no_face, "no_face"),
        (lambda: scenes.generated_room(18), "too_dark"),
        (lambda: scenes.generated_room(130), "no_face"),
        (lambda: scenes.generated_room(254), "overexposed"),
    ],
)
def test_each_problem_is_limited_never_cannot(scene, code: str) -> None:
    r = check(scene())
    assert r.problems[0] == code, r.measurements
    assert r.verdict is Verdict.LIMITED  # advice, never a blocker
    assert r.advice is not None
    assert all(r.advice(lang) for lang in ("nb", "nn", "en"))


def test_backlit_advice_is_the_seeds_light_behind_you() -> None:
    r = check(scenes.backlit())
    assert "Lyset er bak deg" in r.advice("nb")


def test_lighting_captures_itself_when_run_alone() -> None:
    ctx = CheckContext(camera=lambda: ArrayCamera(lambda i: scenes.good()))
    r = asyncio.run(lighting.run(ctx))
    assert r.verdict is Verdict.GOOD


def test_no_picture_is_not_run() -> None:
    r = asyncio.run(lighting.run(CheckContext(camera=None)))
    assert r.verdict is Verdict.NOT_RUN
    r = asyncio.run(
        lighting.run(CheckContext(camera=lambda: ArrayCamera(scenes.good, fail="busy")))
    )
    assert r.verdict is Verdict.NOT_RUN
