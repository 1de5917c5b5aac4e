"""The Qt Multimedia camera source (offscreen; this machine has no camera)."""

from __future__ import annotations

import asyncio
import threading

import numpy as np
import pytest

from videotime_client.preflight.checks import camera
from videotime_client.preflight.context import CheckContext
from videotime_client.preflight.models import Verdict

# Qt Multimedia's start-up noise on a machine without PipeWire or a GPU, not ours to fix.
QT_ENV_NOISE = pytest.mark.qt_log_ignore("pipewire", "No RHI backend")


@QT_ENV_NOISE
def test_frame_conversion_keeps_pixels(qapp) -> None:
    from PySide6.QtGui import QImage
    from PySide6.QtMultimedia import QVideoFrame

    from videotime_client.media.qt_camera_probe import frame_to_rgb

    image = QImage(64, 48, QImage.Format.Format_RGB888)
    image.fill(0x336699)
    rgb = frame_to_rgb(QVideoFrame(image))
    assert rgb is not None
    assert rgb.shape == (48, 64, 3)
    assert np.all(rgb[10, 10] == [0x33, 0x66, 0x99])


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Device or resource busy", "busy"),
        ("Camera access is denied", "denied"),
        ("No such device", "missing"),
    ],
)
def test_error_strings_map_to_reasons(text: str, reason: str) -> None:
    from videotime_client.media.qt_camera_probe import reason_from_error

    assert reason_from_error(text) == reason


@QT_ENV_NOISE
def test_no_camera_on_this_machine_is_missing_with_advice(qapp, qtbot) -> None:
    """The check runs on another thread (as on the media engine); Qt answers from its own."""
    from videotime_client.media.qt_camera_probe import QtCameraFrameSource

    results = []
    worker = threading.Thread(
        target=lambda: results.append(
            asyncio.run(camera.run(CheckContext(camera=QtCameraFrameSource)))
        )
    )
    worker.start()
    qtbot.waitUntil(lambda: not worker.is_alive(), timeout=10_000)
    r = results[0]
    assert r.verdict is Verdict.CANNOT
    assert r.problems == ("missing",)
    assert "fant ikke noe kamera" in r.advice("nb")


def test_without_a_qt_application_the_camera_is_not_run(monkeypatch) -> None:
    from videotime_client.media import qt_camera_probe

    monkeypatch.setattr(qt_camera_probe.QCoreApplication, "instance", staticmethod(lambda: None))
    r = asyncio.run(camera.run(CheckContext(camera=qt_camera_probe.QtCameraFrameSource)))
    assert r.verdict is Verdict.NOT_RUN
    assert r.problems == ("no_camera_access",)
