"""No traceback ever reaches the patient: uncaught errors become a calm dialog and a log record.

* :func:`friendly` maps any exception to one sentence in the patient's language: a core
  :class:`~videotime_client.errors.VideotimeError` speaks for itself (``for_patient``), anything
  else is "an unexpected error happened; try again or call the department".
* :func:`install` replaces ``sys.excepthook`` (exceptions escaping Qt slots land there) and
  ``threading.excepthook`` (worker threads); the full traceback goes to the log only.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from videotime_client.errors import VideotimeError
from videotime_client.ui.i18n import LanguageModel
from videotime_client.ui.strings import S

log = logging.getLogger(__name__)


def friendly(exc: BaseException, lang: str) -> str:
    """The sentence a patient sees for ``exc`` (never a traceback, never internals)."""
    if isinstance(exc, VideotimeError):
        return exc.for_patient(lang)
    return S.ERR_UNEXPECTED(lang)


class ErrorReporter(QObject):
    """Receives errors from any thread and shows them on the GUI thread, one dialog at a time."""

    _report = Signal(str)
    shown = Signal(str)  # the message shown (tests, diagnostics)

    def __init__(
        self,
        language: LanguageModel,
        parent_window: Callable[[], QWidget | None],
        *,
        show_dialog: bool = True,
    ) -> None:
        super().__init__()
        self.language = language
        self.parent_window = parent_window
        self.show_dialog = show_dialog
        self._open = False
        self._report.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def report(self, exc: BaseException) -> None:
        self._report.emit(friendly(exc, self.language.lang))

    def _show(self, message: str) -> None:
        self.shown.emit(message)
        if not self.show_dialog or self._open:
            return
        self._open = True
        try:
            box = QMessageBox(self.parent_window())
            box.setIcon(QMessageBox.Icon.Warning)
            box.setWindowTitle(S.ERR_TITLE(self.language.lang))
            box.setText(message)
            box.setAccessibleName(S.ERR_TITLE(self.language.lang))
            box.setAccessibleDescription(message)
            ok = box.addButton(S.OK(self.language.lang), QMessageBox.ButtonRole.AcceptRole)
            ok.setAccessibleName(S.OK(self.language.lang))
            ok.setAccessibleDescription(message)
            box.exec()
        finally:
            self._open = False


_previous: tuple[object, object] | None = None


def install(reporter: ErrorReporter) -> None:
    """Route uncaught exceptions (GUI and worker threads) to ``reporter`` and the log."""
    global _previous
    if _previous is None:
        _previous = (sys.excepthook, threading.excepthook)

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        log.error("uncaught error", exc_info=(kind, exc, tb))
        reporter.report(exc)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        log.error(
            "uncaught error in thread %s",
            args.thread.name if args.thread else "?",
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
        )
        reporter.report(args.exc_value)

    sys.excepthook = hook
    threading.excepthook = thread_hook


def uninstall() -> None:
    global _previous
    if _previous is not None:
        sys.excepthook, threading.excepthook = _previous  # type: ignore[assignment]
        _previous = None
