"""`videotime --self-test` from the source tree (the frozen app is tested in test_deb.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from videotime_client.cli import selftest

pytestmark = pytest.mark.gui

ITEMS = ["qt-multimedia", "codecs", "keyring", "translations", "face-detection", "loopback-call"]


def test_every_item_runs_and_a_missing_keyring_fails_only_its_own_line() -> None:
    """conftest installs keyring's 'fail' backend: exactly the keyring item must fail."""
    results = {r.name: r for r in selftest.run_checks()}
    assert list(results) == ITEMS
    assert not results["keyring"].ok
    assert "no usable keyring backend" in results["keyring"].detail
    for name in ("qt-multimedia", "codecs", "translations", "face-detection", "loopback-call"):
        assert results[name].ok, f"{name}: {results[name].detail}"
    assert "VP8" in results["codecs"].detail
    assert "Opus" in results["codecs"].detail
    face = results["face-detection"].detail
    assert "haarcascade_frontalface_default.xml loaded (25 stages)" in face
    assert "found at" in face
    assert "none in a gradient" in face
    call = results["loopback-call"].detail
    assert "127.0.0.1" in call
    assert "VP8/90000" in call
    assert "opus/48000/2" in call
    assert "verified DTLS fingerprint" in call


def test_one_line_per_item_and_exit_1_when_any_fails(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken() -> str:
        raise RuntimeError("plugin went missing")

    monkeypatch.setattr(selftest, "check_codecs", broken)
    assert selftest.run(None) == 1  # type: ignore[arg-type]
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "FAIL codecs: RuntimeError: plugin went missing"
    assert [line.split()[1].rstrip(":") for line in lines[: len(ITEMS)]] == ITEMS
    assert len(lines) == len(ITEMS) + 1
    assert lines[-1] == "self-test FAILED: codecs, keyring"


def test_face_detection_fails_on_its_own_line_without_the_model_or_the_face(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """What a frozen build without the cascade XML (or with a broken detector) reports."""
    from videotime_client.preflight import facedetect

    monkeypatch.setattr(
        facedetect, "CASCADE_FILE", tmp_path / "haarcascade_frontalface_default.xml"
    )
    with pytest.raises(selftest.CheckFailed, match=r"face model \S+ is missing"):
        selftest.check_face_detection()
    monkeypatch.undo()

    portrait = selftest._test_face_picture()
    assert portrait.shape == (160, 160, 3)
    monkeypatch.setattr(
        selftest, "_test_face_picture", lambda: np.full(portrait.shape, 128, np.uint8)
    )
    with pytest.raises(selftest.CheckFailed, match="found no face in the test portrait"):
        selftest.check_face_detection()


def test_command_passes_with_a_real_secret_service(tmp_path: Path) -> None:
    """A private D-Bus session with gnome-keyring: the keyring a Linux desktop really has."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"}
    env.update(
        HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "share"), QT_QPA_PLATFORM="offscreen"
    )
    videotime = Path(sys.executable).with_name("videotime")
    script = (
        "echo -n test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && "
        f"exec {videotime} --self-test"
    )
    result = subprocess.run(
        ["dbus-run-session", "--", "bash", "-c", script],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stdout + result.stderr
    assert [line.split()[0] for line in lines[: len(ITEMS)]] == ["ok"] * len(ITEMS)
    assert "SecretService" in lines[2]
    assert lines[4].startswith("ok   face-detection: haarcascade_frontalface_default.xml")
    assert lines[-1].startswith(f"self-test passed ({len(ITEMS)} checks")
