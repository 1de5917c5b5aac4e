"""Building blocks shared by the screens: pages, text, big buttons, video views, the level meter.

Every factory here takes the :class:`~videotime_client.ui.i18n.Binder` so that texts *and*
accessible names/descriptions follow the language, and no control can be created without a
name (``tests/ui/test_accessibility.py`` walks every screen to prove it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QPoint, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAccessible,
    QAccessibleAnnouncementEvent,
    QColor,
    QFont,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from videotime_client.texts import Text
from videotime_client.ui import theme
from videotime_client.ui.bridge import FrameMailbox
from videotime_client.ui.i18n import Binder, TextSource

log = logging.getLogger(__name__)


def announce(widget: QWidget, message: str) -> None:
    """Tell screen readers about a state change (WCAG 4.1.3), politely.

    The message is also kept as the widget's ``announcement`` property so tests can assert it.
    """
    widget.setProperty("announcement", message)
    try:
        event = QAccessibleAnnouncementEvent(widget, message)
        QAccessible.updateAccessibility(event)
    except Exception:  # accessibility must never break the call
        log.debug("announcement failed", exc_info=True)


class Page(QWidget):
    """A screen: a scrollable column with a heading; subclasses add content to ``body``."""

    def __init__(self, binder: Binder, title: TextSource, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.binder = binder
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.scroller = QScrollArea(self)
        self.scroller.setObjectName("page")
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        inner = QWidget()
        inner.setObjectName("pageBody")
        self.body = QVBoxLayout(inner)
        self.body.setContentsMargins(40, 28, 40, 28)
        self.body.setSpacing(14)
        self.scroller.setWidget(inner)
        outer.addWidget(self.scroller)
        self.title = heading(binder, title, level=1)
        self.body.addWidget(self.title)
        binder.bind(self.setAccessibleName, title)

    def on_shown(self) -> None:
        """Called by the main window when this screen becomes current."""

    def on_hidden(self) -> None:
        """Called by the main window when another screen takes over."""

    def first_focus(self) -> QWidget | None:
        """The control that gets keyboard focus when the screen opens."""
        return None


def heading(binder: Binder, text: TextSource, level: int = 1) -> QLabel:
    label = QLabel()
    label.setProperty("role", f"h{level}")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    binder.bind(label.setText, text)
    binder.bind(label.setAccessibleName, text)
    return label


def para(binder: Binder, text: TextSource, *, muted: bool = False) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if muted:
        label.setProperty("role", "muted")
    binder.bind(label.setText, text)
    binder.bind(label.setAccessibleName, text)
    return label


def bullets(binder: Binder, texts: list[Text]) -> QWidget:
    box = QWidget()
    lay = QVBoxLayout(box)
    lay.setContentsMargins(8, 0, 0, 0)
    lay.setSpacing(6)
    for text in texts:
        lay.addWidget(para(binder, _bulleted(text)))
    return box


def _bulleted(text: Text) -> Callable[[str], str]:
    return lambda lang: f"•  {text(lang)}"


def card() -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setObjectName("card")
    lay = QVBoxLayout(frame)
    lay.setContentsMargins(20, 16, 20, 16)
    lay.setSpacing(10)
    return frame, lay


def button(
    binder: Binder,
    text: TextSource,
    description: TextSource,
    *,
    kind: str = "secondary",
    on_click: Callable[[], Any] | None = None,
) -> QPushButton:
    b = QPushButton()
    b.setProperty("kind", kind)
    b.setCursor(Qt.CursorShape.PointingHandCursor)
    b.setAutoDefault(True)
    b.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
    binder.bind(b.setText, text)
    binder.name(b, text, description)
    if on_click is not None:
        b.clicked.connect(lambda _checked=False: on_click())
    return b


def set_kind(b: QPushButton, kind: str) -> None:
    """Switch a button between primary/secondary/danger and re-polish its style."""
    if b.property("kind") != kind:
        b.setProperty("kind", kind)
        b.style().unpolish(b)
        b.style().polish(b)
        b.updateGeometry()  # primary/danger text is bold: the layout must ask for the new size


def checkbox(binder: Binder, text: TextSource, description: TextSource) -> QCheckBox:
    c = QCheckBox()
    binder.bind(c.setText, text)
    binder.name(c, text, description)
    return c


def set_verdict_style(label: QLabel, verdict: str) -> None:
    label.setProperty("verdict", verdict)
    label.style().unpolish(label)
    label.style().polish(label)


def row(*widgets: QWidget, stretch_end: bool = True) -> QWidget:
    box = QWidget()
    lay = QHBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(12)
    for w in widgets:
        lay.addWidget(w)
    if stretch_end:
        lay.addStretch(1)
    return box


# --------------------------------------------------------------------------- video


def to_qimage(frame: Any) -> QImage | None:
    """A displayable image from an ``av.VideoFrame``, an RGB ndarray or a ``QImage``."""
    if frame is None:
        return None
    if isinstance(frame, QImage):
        return frame
    arr = frame.to_ndarray(format="rgb24") if hasattr(frame, "to_ndarray") else frame
    if arr.ndim == 2:  # grey camera frames (probes): show as grey
        arr = np.repeat(arr[:, :, None], 3, axis=2)
    arr = np.ascontiguousarray(arr, dtype=np.uint8)
    h, w = arr.shape[:2]
    # copy(): the QImage must own its pixels; the array dies with this function.
    return QImage(arr.data, w, h, arr.strides[0], QImage.Format.Format_RGB888).copy()


class VideoView(QWidget):
    """Paints the latest frame of a :class:`FrameMailbox` (the bridge's latest-frame box),
    polled at display rate while visible (aiortc-notes §3: a GUI timer instead of a signal per
    frame; an old frame is simply replaced, never queued).

    ``overlay`` (optional) returns a short text drawn over the picture (the lighting hint).
    """

    POLL_MS = 33

    def __init__(
        self,
        mailbox: FrameMailbox,
        binder: Binder,
        name: TextSource,
        description: TextSource,
        *,
        placeholder: TextSource | None = None,
        overlay: Callable[[], str | None] | None = None,
        mirror: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.mailbox = mailbox
        self.binder = binder
        self.overlay = overlay
        self.mirror = mirror
        self._placeholder = placeholder
        self._image: QImage | None = None
        self.frames_shown = 0
        self.border = False
        self.paused = False
        binder.name(self, name, description)
        self.setMinimumSize(QSize(160, 120))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._timer = QTimer(self)
        self._timer.setInterval(self.POLL_MS)
        self._timer.timeout.connect(self.poll)

    def set_mailbox(self, mailbox: FrameMailbox) -> None:
        self.mailbox = mailbox
        self.poll()

    def showEvent(self, event: Any) -> None:
        self._timer.start()
        super().showEvent(event)

    def hideEvent(self, event: Any) -> None:
        self._timer.stop()
        super().hideEvent(event)

    def clear(self) -> None:
        """Forget the picture (camera turned off): the placeholder shows instead."""
        self.mailbox.take()
        self._image = None
        self.update()

    def poll(self) -> None:
        frame = self.mailbox.take()
        if self.paused:  # e.g. the camera is off: never show what is still arriving
            return
        if frame is None:  # nothing new since the last look: keep showing the last picture
            return
        try:
            image = to_qimage(frame)
            # Mirror once per new frame (not per paint): a self-view is a mirror to patients.
            self._image = (
                image.flipped(Qt.Orientation.Horizontal)
                if (image is not None and self.mirror)
                else image
            )
        except Exception:  # a malformed frame must never take the window down
            log.debug("could not convert a video frame", exc_info=True)
            self._image = None
        if self._image is not None:
            self.frames_shown += 1
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        p.fillRect(self.rect(), QColor("#1F2A33"))
        if self._image is not None and not self._image.isNull():
            img = self._image
            scaled = img.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(QPoint(0, 0), scaled)
            target.moveCenter(self.rect().center())
            p.drawImage(target, img)
        elif self._placeholder is not None:
            p.setPen(QColor("#FFFFFF"))
            p.drawText(
                self.rect().adjusted(12, 12, -12, -12),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self._placeholder(self.binder.language.lang),
            )
        hint = self.overlay() if self.overlay is not None else None
        if hint:
            f = QFont(self.font())
            f.setBold(True)
            p.setFont(f)
            metrics = p.fontMetrics()
            box = metrics.boundingRect(
                self.rect().adjusted(16, 0, -16, 0), Qt.TextFlag.TextWordWrap, hint
            )
            box.adjust(-12, -8, 12, 8)
            box.moveBottom(self.height() - 12)
            box.moveLeft(max(8, (self.width() - box.width()) // 2))
            # Dark plate under white text: ≥ 4.5:1 whatever the picture shows.
            p.fillRect(box, QColor(0, 0, 0, 215))
            p.setPen(QColor("#FFFFFF"))
            p.drawText(box, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, hint)
        if self.border:
            pen = QPen(QColor("#FFFFFF"))
            pen.setWidth(2)
            p.setPen(pen)
            p.drawRect(self.rect().adjusted(1, 1, -1, -1))
        if self.hasFocus():
            pen = QPen(QColor(theme.current().focus))
            pen.setWidth(4)
            p.setPen(pen)
            p.drawRect(self.rect().adjusted(2, 2, -2, -2))
        p.end()


class MovableVideoView(VideoView):
    """The small self-view: drag with the mouse, or focus it and move it with the arrow keys."""

    moved = Signal(QPoint)
    KEY_STEP = 24

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.border = True  # a thin frame sets the floating picture apart from the clinician
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        self._drag_from: QPoint | None = None

    def _move_within_parent(self, pos: QPoint) -> None:
        parent = self.parentWidget()
        if parent is None:
            return
        x = min(max(0, pos.x()), max(0, parent.width() - self.width()))
        y = min(max(0, pos.y()), max(0, parent.height() - self.height()))
        self.move(x, y)
        self.moved.emit(self.pos())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._drag_from = event.position().toPoint()
        self.setCursor(Qt.CursorShape.ClosedHandCursor)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is not None:
            self._move_within_parent(self.mapToParent(event.position().toPoint()) - self._drag_from)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._drag_from = None
        self.setCursor(Qt.CursorShape.OpenHandCursor)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        step = {
            Qt.Key.Key_Left: QPoint(-self.KEY_STEP, 0),
            Qt.Key.Key_Right: QPoint(self.KEY_STEP, 0),
            Qt.Key.Key_Up: QPoint(0, -self.KEY_STEP),
            Qt.Key.Key_Down: QPoint(0, self.KEY_STEP),
        }.get(Qt.Key(event.key()))
        if step is None:
            super().keyPressEvent(event)
            return
        self._move_within_parent(self.pos() + step)


class LevelMeter(QProgressBar):
    """Microphone level, −60 … 0 dBFS mapped to 0 … 100."""

    FLOOR_DBFS = -60.0

    def __init__(self, binder: Binder, name: Text, description: Text) -> None:
        super().__init__()
        self.setRange(0, 100)
        self.setValue(0)
        self.setTextVisible(False)
        binder.name(self, name, description)

    def set_dbfs(self, dbfs: float) -> None:
        value = 0.0 if dbfs <= self.FLOOR_DBFS else min(100.0, (dbfs - self.FLOOR_DBFS) / 0.6)
        self.setValue(round(value))
