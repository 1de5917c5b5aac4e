"""macOS open-URL events (QFileOpenEvent) reach the same signal as a second launch's link."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QUrl
from PySide6.QtGui import QFileOpenEvent

from videotime_client.paths import AppPaths
from videotime_client.ui import url_events
from videotime_client.ui.single_instance import SingleInstance

pytestmark = pytest.mark.gui

LINK = "videotime://join.nhn.no/webapp/conference/123456?dept=Øyeavdelingen"


def test_an_open_url_event_becomes_a_link_for_the_running_app(qtbot, qapp, tmp_path: Path) -> None:
    instance = SingleInstance(AppPaths.resolve(tmp_path))
    url_filter = url_events.install(qapp, instance)
    links: list[str] = []
    activations: list[bool] = []
    instance.link_received.connect(links.append)
    instance.activation_requested.connect(lambda: activations.append(True))
    try:
        event = QFileOpenEvent(QUrl(LINK))
        handled = QCoreApplication.sendEvent(qapp, event)
        assert handled
        assert links == [QUrl(LINK).toString()]
        assert "123456" in links[0]
        assert "Øyeavdelingen" in links[0]
        assert activations == [True]
    finally:
        qapp.removeEventFilter(url_filter)
        url_filter.deleteLater()


def test_events_before_the_app_is_ready_are_replayed_in_order(qtbot, qapp, tmp_path: Path) -> None:
    """A cold start on macOS: the event can come before the window and signals exist."""
    url_filter = url_events.install(qapp)  # no instance yet
    try:
        for room in ("111111", "222222"):
            QCoreApplication.sendEvent(
                qapp, QFileOpenEvent(QUrl(f"videotime://join.nhn.no/webapp/m/{room}"))
            )
        instance = SingleInstance(AppPaths.resolve(tmp_path))
        links: list[str] = []
        instance.link_received.connect(links.append)
        url_filter.connect_to(instance)
        assert links == [
            "videotime://join.nhn.no/webapp/m/111111",
            "videotime://join.nhn.no/webapp/m/222222",
        ]
    finally:
        qapp.removeEventFilter(url_filter)
        url_filter.deleteLater()


def test_an_event_without_a_usable_link_is_dropped_with_a_log_line(
    qtbot, qapp, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url_filter = url_events.install(qapp, SingleInstance(AppPaths.resolve(tmp_path)))
    got: list[str] = []
    url_filter.link_received.connect(got.append)
    try:
        QCoreApplication.sendEvent(qapp, QFileOpenEvent("videotime://x/" + "a" * 9000))
        assert got == []
        assert "without a usable link" in caplog.text
    finally:
        qapp.removeEventFilter(url_filter)
        url_filter.deleteLater()
