"""The NumPy face detector against OpenCV's own ``CascadeClassifier`` (OpenCV is a test-only
dependency): same model file, same pictures, same parameters as the lighting check."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
import skimage.data

from tests.preflight import scenes
from videotime_client.preflight import facedetect
from videotime_client.preflight.checks import lighting

OPENCV_CASCADE = Path(cv2.data.haarcascades) / "haarcascade_frontalface_default.xml"  # type: ignore[attr-defined]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cv_cascade() -> cv2.CascadeClassifier:
    cascade = cv2.CascadeClassifier(str(OPENCV_CASCADE))
    assert not cascade.empty()
    return cascade


def prepared(frame: np.ndarray) -> np.ndarray:
    """The lighting check's detector input: grey, at most 640 wide, equalised."""
    grey = facedetect.rgb_to_grey(frame)
    if grey.shape[1] > lighting.DETECT_MAX_WIDTH:
        w = lighting.DETECT_MAX_WIDTH
        grey = facedetect.resize_area(grey, w, round(grey.shape[0] * w / grey.shape[1]))
    return facedetect.equalize_hist(grey)


def min_side(grey: np.ndarray) -> int:
    return max(24, int(min(grey.shape) * lighting.DETECT_MIN_FACE))


def iou(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    iw = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    ih = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = iw * ih
    return inter / (aw * ah + bw * bh - inter)


def webcam(picture: np.ndarray, size: tuple[int, int] = (640, 480)) -> np.ndarray:
    """The portrait in the middle of a 4:3 webcam frame with a plain wall around it."""
    w, h = size
    out = np.full((h, w, 3), 120, np.uint8)
    pw = picture.shape[1]
    crop = picture[:h]
    x0 = (w - pw) // 2
    out[: crop.shape[0], x0 : x0 + pw] = crop
    return out


FACE_SCENES = {
    "portrait": scenes.good,
    "dark_skin_good_light": scenes.dark_skin_good_light,
    "too_dark": scenes.too_dark,
    "backlit": scenes.backlit,
    "mirrored": lambda: scenes.good()[:, ::-1].copy(),
    "half_size": lambda: cv2.resize(scenes.good(), (256, 256), interpolation=cv2.INTER_AREA),
    "webcam_640x480": lambda: webcam(scenes.good()),
    "webcam_dark_skin": lambda: webcam(scenes.dark_skin_good_light()),
    "webcam_backlit": lambda: webcam(scenes.backlit()),
    "hd_1280x960": lambda: cv2.resize(webcam(scenes.good()), (1280, 960)),
    "dim_0.3": lambda: (scenes.good().astype(np.float32) * 0.3).astype(np.uint8),
}
NO_FACE_SCENES = {
    "no_face": scenes.no_face,
    "overexposed": scenes.overexposed,  # the face is washed out: OpenCV finds none either
    "room_18": lambda: scenes.generated_room(18),
    "room_130": lambda: scenes.generated_room(130),
    "room_254": lambda: scenes.generated_room(254),
    "cameraman": lambda: np.repeat(skimage.data.camera()[..., None], 3, axis=2),
    "coffee": skimage.data.coffee,
    "cat": skimage.data.chelsea,
    "rocket": skimage.data.rocket,
}


@pytest.mark.parametrize("name", FACE_SCENES)
def test_finds_the_face_opencv_finds(name: str, cv_cascade) -> None:
    grey = prepared(FACE_SCENES[name]())
    side = min_side(grey)
    theirs = [
        tuple(map(int, f)) for f in cv_cascade.detectMultiScale(grey, 1.1, 5, minSize=(side, side))
    ]
    ours = facedetect.detect_multiscale(grey, 1.1, 5, (side, side))
    assert theirs, "the scene must have a face OpenCV finds, or it tests nothing"
    main_theirs = max(theirs, key=lambda f: f[2] * f[3])
    main_ours = max(ours, key=lambda f: f[2] * f[3])
    assert iou(main_ours, main_theirs) >= 0.5, (ours, theirs)
    assert len(ours) == len(theirs), (ours, theirs)


@pytest.mark.parametrize("name", NO_FACE_SCENES)
def test_no_face_where_opencv_finds_none(name: str, cv_cascade) -> None:
    grey = prepared(NO_FACE_SCENES[name]())
    side = min_side(grey)
    assert len(cv_cascade.detectMultiScale(grey, 1.1, 5, minSize=(side, side))) == 0
    assert facedetect.detect_multiscale(grey, 1.1, 5, (side, side)) == []


@pytest.mark.parametrize(
    "name", ["portrait", "dark_skin_good_light", "webcam_backlit", "hd_1280x960"]
)
def test_the_same_windows_pass_the_cascade_before_grouping(name: str, cv_cascade) -> None:
    """Stronger than "same face": every window position and scale that passes all 25 stages
    (minNeighbors=0 turns OpenCV's grouping off) — the trained thresholds mean the same."""
    grey = prepared(FACE_SCENES[name]())
    side = min_side(grey)
    theirs = {
        tuple(map(int, f)) for f in cv_cascade.detectMultiScale(grey, 1.1, 0, minSize=(side, side))
    }
    ours = {tuple(map(int, f)) for f in facedetect.candidate_windows(grey, 1.1, (side, side))}
    assert len(theirs) >= 20
    assert len(theirs & ours) / len(theirs | ours) >= 0.95, (sorted(theirs ^ ours), len(theirs))


def test_labelled_faces_in_the_wild_agree(cv_cascade) -> None:
    """skimage's LFW subset (25x25 crops, the first half faces), enlarged: real faces of many
    people and lightings, and non-faces."""
    lfw = skimage.data.lfw_subset()[::2]
    agree, found = 0, 0
    for crop in lfw:
        grey = facedetect.equalize_hist(
            facedetect.resize_bilinear(np.round(crop * 255).astype(np.uint8), 96, 96)
        )
        theirs = sorted(tuple(map(int, f)) for f in cv_cascade.detectMultiScale(grey, 1.1, 3))
        ours = sorted(facedetect.detect_multiscale(grey, 1.1, 3))
        agree += theirs == ours
        found += bool(theirs)
    assert found >= 30  # OpenCV finds a face in most of the 50 face crops
    assert agree >= 0.95 * len(lfw)


def test_grouping_matches_opencv_group_rectangles() -> None:
    rng = np.random.default_rng(1)
    for _ in range(200):
        rects: list[list[int]] = []
        for _cluster in range(int(rng.integers(1, 6))):
            x, y, s = (int(v) for v in rng.integers([0, 0, 20], [300, 300, 120]))
            for _member in range(int(rng.integers(1, 12))):
                j = rng.normal(0, s * 0.08, 3)
                rects.append([int(x + j[0]), int(y + j[1]), int(s + j[2]), int(s + j[2])])
        if rng.random() < 0.5:  # small boxes inside a big one
            x, y, s, _ = rects[0]
            rects += [[x + s // 4, y + s // 4, s // 2, s // 2]] * int(rng.integers(1, 8))
        threshold = int(rng.integers(1, 6))
        theirs, _ = cv2.groupRectangles(rects, threshold, 0.2)
        ours = facedetect.group_rectangles(np.array(rects, np.int64), threshold)
        assert sorted(box for box, _n in ours) == sorted(
            map(tuple, np.asarray(theirs).reshape(-1, 4).tolist())
        )


def test_picture_helpers_match_opencv() -> None:
    rgb = scenes.good()
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    assert np.array_equal(facedetect.rgb_to_grey(rgb), grey)
    assert np.array_equal(facedetect.equalize_hist(grey), cv2.equalizeHist(grey))
    dark = (grey // 8 + 3).astype(np.uint8)  # few levels, the darkest not at 0
    assert np.array_equal(facedetect.equalize_hist(dark), cv2.equalizeHist(dark))
    flat = np.full((10, 10), 77, np.uint8)
    assert np.array_equal(facedetect.equalize_hist(flat), cv2.equalizeHist(flat))
    for w, h in [(465, 465), (423, 423), (300, 200), (222, 333), (512, 512)]:
        theirs = cv2.resize(grey, (w, h), interpolation=cv2.INTER_LINEAR_EXACT)
        assert np.array_equal(facedetect.resize_bilinear(grey, w, h), theirs), (w, h)
    theirs = cv2.resize(grey, (320, 240), interpolation=cv2.INTER_AREA)
    ours = facedetect.resize_area(grey, 320, 240)
    assert np.abs(ours.astype(int) - theirs).max() <= 1


def test_vendored_model_is_opencvs_with_its_licence() -> None:
    ours = facedetect.CASCADE_FILE.read_bytes()
    assert ours == OPENCV_CASCADE.read_bytes()
    head = ours[:3000].decode()
    assert "Intel License Agreement" in head
    assert "Redistribution's of source code must retain the above copyright notice" in head
    cascade = facedetect.load_cascade()
    assert (cascade.width, cascade.height, len(cascade.stages)) == (24, 24, 25)
    assert sum(s.thresholds.size for s in cascade.stages) == 2913


def test_a_broken_model_file_is_a_clear_error(tmp_path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text(
        "<opencv_storage><cascade><featureType>LBP</featureType></cascade></opencv_storage>"
    )
    with pytest.raises(ValueError, match="not an OpenCV Haar cascade"):
        facedetect.load_cascade(bad)
    bad.write_text("not xml at all")
    with pytest.raises(ValueError, match="not an XML file"):
        facedetect.load_cascade(bad)
    with pytest.raises(ValueError, match="8-bit single-channel"):
        facedetect.detect_multiscale(np.zeros((50, 50, 3), np.uint8))
    with pytest.raises(ValueError, match="scale_factor"):
        facedetect.detect_multiscale(np.zeros((50, 50), np.uint8), scale_factor=1.0)
    assert facedetect.detect_multiscale(np.zeros((10, 10), np.uint8)) == []  # smaller than 24


def test_the_app_runs_lighting_and_still_pictures_without_opencv(tmp_path) -> None:
    """cv2 made unimportable: the lighting check still finds the face, and a still picture
    is read as a camera (PyAV), i.e. the installer needs no OpenCV."""
    path = tmp_path / "portrait.png"
    assert cv2.imwrite(str(path), cv2.cvtColor(scenes.good(), cv2.COLOR_RGB2BGR))
    code = f"""
import asyncio, json, sys
sys.modules["cv2"] = None  # import cv2 now raises ImportError
from videotime_client.media.camera_probe import FileFrameSource
from videotime_client.preflight.checks import lighting
from videotime_client.preflight.context import CheckContext

async def main():
    src = FileFrameSource({str(path)!r})
    await src.open()
    frame = await src.read()
    await src.close()
    ctx = CheckContext()
    ctx.shared["camera_frames"] = [frame]
    r = await lighting.run(ctx)
    try:
        import cv2  # noqa: F401
        blocked = False
    except ImportError:
        blocked = True
    print(json.dumps({{"shape": list(frame.shape), "verdict": r.verdict.value,
                      "m": r.measurements, "blocked": blocked}}))

asyncio.run(main())
"""
    r = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["blocked"] is True
    assert out["shape"] == [512, 512, 3]
    assert out["verdict"] == "good", out
    assert out["m"]["face_found"] is True
