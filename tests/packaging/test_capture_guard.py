"""Window-capture exclusion: one function, never raises, honest about what it achieved."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QWidget

from videotime_client.ui import capture_guard

pytestmark = pytest.mark.gui


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="the no-op path is Linux's")
def test_on_linux_it_is_a_logged_no_op(qtbot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="videotime_client.ui.capture_guard")
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    assert capture_guard.exclude_from_capture(widget) is False
    assert "not available on linux" in caplog.text


def test_an_os_api_failure_is_reported_as_false_not_raised(
    qtbot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Pretend to be Windows: the ctypes WinDLL does not exist here, which must not escape."""
    caplog.set_level("INFO", logger="videotime_client.ui.capture_guard")
    widget = QWidget()
    qtbot.addWidget(widget)
    monkeypatch.setattr(capture_guard.sys, "platform", "win32")
    assert capture_guard.exclude_from_capture(widget) is False
    assert "window-capture exclusion failed" in caplog.text


def test_macos_without_pyobjc_says_so(
    qtbot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="videotime_client.ui.capture_guard")
    monkeypatch.setitem(sys.modules, "objc", None)  # import objc -> ImportError
    widget = QWidget()
    qtbot.addWidget(widget)
    monkeypatch.setattr(capture_guard.sys, "platform", "darwin")
    assert capture_guard.exclude_from_capture(widget) is False
    assert "needs pyobjc" in caplog.text
