"""macOS delivers ``videotime://`` links as open-URL events, not as program arguments.

Launch Services sends the app an Apple event (``kAEGetURL``) for a click on a link, both on a
cold start and while the app runs; Qt turns it into a ``QFileOpenEvent`` (``QEvent.FileOpen``,
``event.url()``) sent to the ``QApplication``. PyInstaller's argv emulation stays off (one-folder
builds and UI toolkits do not mix with it), so this filter is the only way a link reaches a
frozen macOS app.

Install it right after creating the ``QApplication`` and *before* ``exec()``: the event for a
cold start arrives as soon as the event loop runs. Events that arrive before anyone is connected
are kept (at most a few) and replayed on :meth:`UrlEventFilter.take_pending`.

On Windows and Linux the filter is harmless (Qt never sends the event there), so the UI may
install it everywhere.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Signal
from PySide6.QtGui import QFileOpenEvent

from videotime_client.ui.single_instance import MAX_ARG_CHARS, SingleInstance, describe_link

log = logging.getLogger(__name__)

_MAX_PENDING = 8


class UrlEventFilter(QObject):
    """Event filter on the application; emits ``link_received(str)`` for each opened URL."""

    link_received = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pending: list[str] = []
        self._connected = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.FileOpen or not isinstance(event, QFileOpenEvent):
            return False
        url = event.url()
        text = url.toString() if url.isValid() and url.scheme() else event.file()
        if not text or len(text) > MAX_ARG_CHARS:
            log.warning("ignored an open-URL event without a usable link")
            return True
        log.info("link received from the operating system: %s", describe_link(text))
        if self._connected:
            self.link_received.emit(text)
        elif len(self._pending) < _MAX_PENDING:
            self._pending.append(text)
        return True  # handled: Qt's default would try to open it as a file

    def connect_to(self, instance: SingleInstance) -> None:
        """Route links into the single-instance signal, replaying any that arrived early."""
        self.link_received.connect(instance.link_received.emit)
        self.link_received.connect(lambda _link: instance.activation_requested.emit())
        self._connected = True
        for link in self.take_pending():
            self.link_received.emit(link)

    def take_pending(self) -> list[str]:
        pending, self._pending = self._pending, []
        return pending


def install(app: QCoreApplication, instance: SingleInstance | None = None) -> UrlEventFilter:
    """Install the open-URL filter on ``app`` (and route it to ``instance`` if given)."""
    url_filter = UrlEventFilter(app)
    app.installEventFilter(url_filter)
    if instance is not None:
        url_filter.connect_to(instance)
    return url_filter
