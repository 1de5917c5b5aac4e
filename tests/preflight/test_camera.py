"""Camera verdict paths: good, black, frozen, slow, busy/denied/missing, no camera access."""

from __future__ import annotations

import asyncio

import pytest

from tests.preflight.fakes import ArrayCamera, frozen, noisy
from videotime_client.media.camera_probe import FileFrameSource, SyntheticFrameSource
from videotime_client.preflight.checks import camera
from videotime_client.preflight.context import CheckContext
from videotime_client.preflight.models import Verdict


def run(ctx: CheckContext):
    return asyncio.run(camera.run(ctx))


def test_live_camera_is_good_and_measures_resolution_and_fps() -> None:
    ctx = CheckContext(camera=lambda: SyntheticFrameSource(640, 480, 30))
    r = run(ctx)
    assert r.verdict is Verdict.GOOD, r
    m = r.measurements
    assert (m["width"], m["height"]) == (640, 480)
    assert 20 <= m["fps"] <= 40
    assert m["frames"] >= 40  # at least two seconds of frames
    assert m["black_frames"] == 0
    assert m["frozen_frames"] == 0
    assert len(ctx.shared["camera_frames"]) >= 1  # left for lighting, in memory


def test_black_frames_cannot() -> None:
    r = run(CheckContext(camera=lambda: ArrayCamera(noisy(8))))
    assert r.verdict is Verdict.CANNOT
    assert r.problems == ("black",)
    assert "dekket" in r.advice("nb")


def test_dim_but_not_black_room_is_not_black() -> None:
    r = run(CheckContext(camera=lambda: ArrayCamera(noisy(35))))
    assert r.verdict is Verdict.GOOD


def test_frozen_frames_cannot() -> None:
    r = run(CheckContext(camera=lambda: ArrayCamera(frozen())))
    assert r.verdict is Verdict.CANNOT
    assert r.problems == ("frozen",)


def test_slow_camera_is_limited() -> None:
    r = run(CheckContext(camera=lambda: ArrayCamera(noisy(120), fps=10)))
    assert r.verdict is Verdict.LIMITED
    assert "low_fps" in r.problems


def test_tiny_picture_is_limited() -> None:
    r = run(CheckContext(camera=lambda: ArrayCamera(noisy(120, shape=(120, 160)))))
    assert r.verdict is Verdict.LIMITED
    assert r.problems == ("low_resolution",)


@pytest.mark.parametrize("reason", ["busy", "denied", "missing"])
def test_unavailable_camera_cannot_with_advice(
    reason: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = run(CheckContext(camera=lambda: ArrayCamera(noisy(120), fail=reason)))
    assert r.verdict is Verdict.CANNOT
    assert r.problems == (reason,)
    assert r.advice is not None
    assert r.advice("en")


@pytest.mark.parametrize(
    ("platform", "words"),
    [
        ("win32", "Personvern og sikkerhet > Kamera"),
        ("darwin", "Systeminnstillinger"),
        ("linux", "personverninnstillingene"),
    ],
)
def test_permission_advice_is_os_specific(
    platform: str, words: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(camera.sys, "platform", platform)
    r = run(CheckContext(camera=lambda: ArrayCamera(noisy(120), fail="denied")))
    assert words in r.advice("nb")


def test_no_camera_access_is_not_run_not_a_broken_camera() -> None:
    r = run(CheckContext(camera=None))
    assert r.verdict is Verdict.NOT_RUN
    assert r.problems == ("no_camera_access",)


def test_file_camera_missing_file_is_missing(tmp_path) -> None:
    r = run(CheckContext(camera=lambda: FileFrameSource(tmp_path / "nope.png")))
    assert r.verdict is Verdict.CANNOT
    assert r.problems == ("missing",)


def test_still_image_file_acts_as_a_live_camera(tmp_path) -> None:
    import cv2
    import skimage.data

    path = tmp_path / "portrait.png"
    cv2.imwrite(str(path), cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR))
    r = run(CheckContext(camera=lambda: FileFrameSource(path)))
    assert r.verdict is Verdict.GOOD, r
    assert (r.measurements["width"], r.measurements["height"]) == (512, 512)
