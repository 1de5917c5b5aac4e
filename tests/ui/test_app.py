"""The desktop app and ``videotime demo`` as the patient starts them (real processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest


def _env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(QT_QPA_PLATFORM="offscreen", VIDEOTIME_DATA_DIR=str(data), VIDEOTIME_LANG="nb")
    return env


def _wait_for(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _saved_aliases(data: Path) -> list[str]:
    try:
        doc = json.loads((data / "data" / "appointments.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [a["alias"] for a in doc["appointments"]]


def _stop(proc: subprocess.Popen) -> tuple[int, bytes]:
    """SIGTERM (as a logout would), then the exit code and stderr."""
    proc.terminate()
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate(timeout=5)
        raise
    return proc.returncode, err


@pytest.mark.slow
def test_second_launch_hands_its_link_to_the_running_app(tmp_path) -> None:
    env = _env(tmp_path)
    first = subprocess.Popen(
        [sys.executable, "-m", "videotime_client"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        # The primary holds its lock once it is up.
        assert _wait_for(
            lambda: any((tmp_path / "data").glob("*.lock")) or any(tmp_path.rglob("*.lock"))
        ), "the app did not start"
        second = subprocess.run(
            [sys.executable, "-m", "videotime_client", "123456"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert second.returncode == 0, second.stderr[-2000:]
        # The running app opened it: the appointment is saved (join.nhn.no, room 123456).
        assert _wait_for(lambda: _saved_aliases(tmp_path) == ["123456"])
    finally:
        code, err = _stop(first)
    assert code == 0, err[-2000:]
    assert b"Traceback" not in err


@pytest.mark.slow
def test_demo_opens_the_app_on_a_demo_appointment_and_stops_cleanly(tmp_path) -> None:
    env = _env(tmp_path)
    demo = subprocess.Popen(
        [sys.executable, "-m", "videotime_client", "--data-dir", str(tmp_path), "demo"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        assert _wait_for(lambda: _saved_aliases(tmp_path) == ["123456"]), "no demo appointment"
        doc = json.loads((tmp_path / "data" / "appointments.json").read_text(encoding="utf-8"))
        appt = doc["appointments"][0]
        assert appt["node"].startswith("127.0.0.1:")
        assert appt["department"] == "Demoklinikken"
        assert appt["start"] is not None
        node = [
            c for c in psutil.Process(demo.pid).children(recursive=True) if "serve" in c.cmdline()
        ]
        assert node, "the embedded node runs as a child process"
    finally:
        code, err = _stop(demo)
    assert code == 0, err[-2000:]
    assert _wait_for(
        lambda: not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in node),
        timeout=10,
    )


@pytest.mark.slow
def test_join_dev_opens_a_loopback_link_in_the_app(tmp_path) -> None:
    """``videotime join LINK --dev`` without --headless: the app accepts the loopback node
    (without --dev passed through, the link is rejected on the home screen and never saved)."""
    env = _env(tmp_path)
    link = "http://127.0.0.1:9/webapp/conference/654321?dept=Testklinikken"
    command = ["join", link, "--dev"]
    app = subprocess.Popen(
        [sys.executable, "-m", "videotime_client", "--data-dir", str(tmp_path), *command],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        assert _wait_for(lambda: _saved_aliases(tmp_path) == ["654321"]), "link not opened"
        doc = json.loads((tmp_path / "data" / "appointments.json").read_text(encoding="utf-8"))
        assert doc["appointments"][0]["node"] == "127.0.0.1:9"
    finally:
        code, err = _stop(app)
    assert code == 0, err[-2000:]
    assert b"Traceback" not in err
