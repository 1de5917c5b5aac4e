"""Application start-up: QApplication, translations, theme, logging of Qt, single instance,
the services (over the one Qt⇄asyncio bridge), the journey and the main window.

``run(argv)`` is the desktop app (double-click, URL-scheme launch, ``videotime`` alone).
``build(...)`` is the same composition without ``exec()``, used by ``videotime demo`` and tests.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from videotime_client.paths import AppPaths
from videotime_client.texts import normalise_lang
from videotime_client.ui import errors, theme
from videotime_client.ui.devices import quiet_qt_multimedia
from videotime_client.ui.i18n import LanguageModel, install_qt_translators, system_language
from videotime_client.ui.journey import Journey, Services
from videotime_client.ui.main_window import MainWindow
from videotime_client.ui.models import utc_now

log = logging.getLogger(__name__)

APP_ID = "no.videotime.Videotime"


def application(argv: Sequence[str] = ()) -> QApplication:
    """The QApplication (created once), named so the OS and the single-instance lock agree."""
    app = QApplication.instance()
    if app is None:
        quiet_qt_multimedia()
        QCoreApplication.setOrganizationName("Videotime")
        QCoreApplication.setApplicationName("Videotime")
        QApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
        app = QApplication([sys.argv[0] if sys.argv else "videotime", *argv])
        app.setDesktopFileName(APP_ID)
    assert isinstance(app, QApplication)
    app.setWindowIcon(QIcon(theme.icon("videotime")))
    return app


@dataclass
class AppParts:
    app: QApplication
    language: LanguageModel
    journey: Journey
    window: MainWindow
    reporter: errors.ErrorReporter


def build(
    services: Services,
    *,
    lang: str | None = None,
    clock: Callable[[], Any] | None = None,
    error_dialogs: bool = True,
) -> AppParts:
    """Theme, translators, journey and window around ``services`` (not shown yet)."""
    app = application()
    language = LanguageModel(lang or os.environ.get("VIDEOTIME_LANG") or system_language())
    theme.apply(app)
    if not app.property("videotimeFollowsSystem"):
        theme.follow_system(app)
        app.setProperty("videotimeFollowsSystem", True)
    install_qt_translators(app, language.lang)
    language.changed.connect(lambda code: install_qt_translators(app, code))
    journey = Journey(services, language, clock=clock or utc_now)
    window = MainWindow(journey)
    reporter = errors.ErrorReporter(language, lambda: window, show_dialog=error_dialogs)
    errors.install(reporter)
    journey.reload_appointments()
    return AppParts(app, language, journey, window, reporter)


def quit_on_signals(app: QApplication) -> QTimer:
    """Ctrl+C / SIGTERM close the app cleanly (the media thread and child processes too).

    Python runs signal handlers only between bytecodes; a cheap timer gives it that chance
    while Qt's event loop waits in C++.
    """

    def stop(*_: object) -> None:
        app.quit()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, stop)
    timer = QTimer(app)
    timer.setInterval(250)
    timer.timeout.connect(lambda: None)
    timer.start()
    return timer


def _install_qt_logging() -> None:
    try:
        from videotime_client.ui import qtlog
    except ImportError:  # pragma: no cover - qtlog ships with the app
        return
    qtlog.install()


def run(
    argv: list[str],
    *,
    lang: str | None = None,
    paths: AppPaths | None = None,
    dev: bool = False,
) -> int:
    """The desktop app. ``argv`` may carry links (URL-scheme launch, second launch).

    ``dev`` (``videotime join LINK --dev``) lets the journey open loopback development links;
    it applies to this process only: a link handed to an already running app is parsed there,
    with that app's setting.
    """
    from videotime_client.ui import url_events
    from videotime_client.ui.services import AppServices
    from videotime_client.ui.single_instance import Role, SingleInstance

    paths = paths or AppPaths.resolve()
    app = application()
    _install_qt_logging()
    instance = SingleInstance(paths)
    role = instance.claim(argv)
    if role is not Role.PRIMARY:
        log.info("another Videotime is running (%s); handed over and exiting", role.value)
        return 0
    services = AppServices(paths, dev=dev)
    parts = build(services, lang=normalise_lang(lang) if lang else None)
    window, journey = parts.window, parts.journey
    instance.link_received.connect(journey.open_link)
    instance.activation_requested.connect(window.bring_to_front)
    url_events.install(app, instance)
    app.aboutToQuit.connect(journey.shutdown)
    app.aboutToQuit.connect(instance.close)
    window.show()
    quit_on_signals(app)
    for link in instance.initial_links():
        journey.open_link(link)
    code = int(app.exec())
    errors.uninstall()
    return code
