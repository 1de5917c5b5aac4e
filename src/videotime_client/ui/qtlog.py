"""Route Qt's own messages (qDebug/qWarning/... from Qt and QML) into Python logging.

Without this, Qt prints to stderr, which a patient's desktop session throws away and which
bypasses the log redaction.  ``install()`` is called once from ``ui/app.py``; records go to the
``qt`` logger (``qt.<category>`` for categorised messages) and so through the redacting handler.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _handle(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    category = context.category if context is not None else None
    name = "qt" if not category or category == "default" else f"qt.{category}"
    logging.getLogger(name).log(_LEVELS.get(mode, logging.WARNING), "%s", message)


def install() -> object:
    """Send Qt messages to logging; returns the previous handler (for :func:`uninstall`)."""
    return qInstallMessageHandler(_handle)


def uninstall(previous: object = None) -> None:
    """Restore ``previous`` (or Qt's default handler)."""
    qInstallMessageHandler(previous)  # type: ignore[arg-type]
