"""The CLI contract ``videotime demo --tour --screenshots DIR [--lang]``: the whole journey
against the real embedded node, the real pre-flight runner and the real call engine, offscreen
and on an X server (Xvfb).  Each run takes ~15 s."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

EXPECTED = [
    "01-home.png",
    "02-appointment.png",
    "03-equipment-check.png",
    "04-before-joining.png",
    "05-waiting-room.png",
    "06-introductions.png",
    "07-consultation.png",
    "08-ended.png",
]


def run_tour(shots: Path, lang: str, env: dict[str, str], tmp: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "videotime_client",
            "--data-dir",
            str(tmp / "data"),
            "demo",
            "--tour",
            "--screenshots",
            str(shots),
            "--lang",
            lang,
        ],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
        check=False,
    )


def assert_screenshots(qapp, shots: Path) -> None:
    from PySide6.QtGui import QImage

    assert sorted(p.name for p in shots.iterdir()) == EXPECTED
    for name in EXPECTED:
        image = QImage(str(shots / name))
        assert not image.isNull(), name
        assert image.width() >= 720, name
        assert image.height() >= 560, name
        # Not a blank grab: many distinct colours (text, controls; video on 07).
        colours = {
            image.pixel(x, y)
            for x in range(0, image.width(), 7)
            for y in range(0, image.height(), 7)
        }
        assert len(colours) > 20, name
    consultation = QImage(str(shots / "07-consultation.png"))
    # The clinician's picture (the node's moving test pattern) fills the stage: count colours
    # in the middle of the window, where only video is drawn.
    w, h = consultation.width(), consultation.height()
    middle = {
        consultation.pixel(x, y)
        for x in range(w // 4, w // 2, 3)
        for y in range(h // 3, 2 * h // 3, 3)
    }
    assert len(middle) > 50


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(extra)
    return env


@pytest.mark.slow
@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
def test_tour_offscreen_bokmaal_with_real_audio(qapp, tmp_path, pulse) -> None:
    pulse.virtual_mic("vt_tour_mic")
    pulse.null_sink("vt_tour_speaker")
    pulse.set_default(sink="vt_tour_speaker", source="vt_tour_mic")
    shots = tmp_path / "shots"
    # Someone speaks into the (virtual) microphone throughout: the meter moves, the mic is good.
    with pulse.play_tone("vt_tour_mic", freq=440, dbfs=-20, seconds=60):
        proc = run_tour(shots, "nb", _env(QT_QPA_PLATFORM="offscreen"), tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (
        "tour complete: home, appointment, equipment, before-joining, waiting-room, "
        "introductions, consultation, ended" in proc.stdout
    )
    assert "Traceback" not in proc.stderr
    # With the virtual sound card the microphone and the tone question really ran.
    checks = dict(kv.split("=") for kv in proc.stdout.split("equipment check: ")[1].split()[:8])
    assert checks["speaker"] == "good"  # the tour answered "yes, I heard the tone"
    assert checks["microphone"] == "good"
    assert checks["camera"] == "good"
    assert checks["network"] == "good"
    assert_screenshots(qapp, shots)


@pytest.mark.slow
def test_tour_offscreen_nynorsk(qapp, tmp_path) -> None:
    shots = tmp_path / "shots"
    proc = run_tour(shots, "nn", _env(QT_QPA_PLATFORM="offscreen"), tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert_screenshots(qapp, shots)


def _free_display() -> int:
    for n in range(90, 200):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            return n
    raise RuntimeError("no free X display number")


@pytest.mark.slow
def test_tour_under_xvfb_english(qapp, tmp_path) -> None:
    display = _free_display()
    xvfb = subprocess.Popen(
        ["Xvfb", f":{display}", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not Path(f"/tmp/.X11-unix/X{display}").exists():
            assert xvfb.poll() is None, "Xvfb exited"
            assert time.monotonic() < deadline, "Xvfb did not start"
            time.sleep(0.05)
        shots = tmp_path / "shots"
        proc = run_tour(shots, "en", _env(DISPLAY=f":{display}", QT_QPA_PLATFORM="xcb"), tmp_path)
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert_screenshots(qapp, shots)
    finally:
        xvfb.terminate()
        try:
            xvfb.wait(10)
        except subprocess.TimeoutExpired:
            xvfb.kill()
            xvfb.wait(5)


def test_screenshots_need_tour(tmp_path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "videotime_client",
            "--data-dir",
            str(tmp_path),
            "demo",
            "--screenshots",
            str(tmp_path / "x"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(QT_QPA_PLATFORM="offscreen"),
        check=False,
    )
    assert proc.returncode == 2
    assert "--screenshots needs --tour" in proc.stderr
