"""Consultation: the clinician large, yourself small (movable, can hide), the few controls you need.

Hanging up asks first, inline (no modal dialog to lose behind the video).  The lock shows
"encrypted" once DTLS is up, with the cipher and the verified fingerprint on demand.  The
window asks the OS to keep it out of screen captures (``capture_guard``, best effort): the
conversation must not be recorded.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QIcon, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QVBoxLayout, QWidget

from videotime_client.ui import theme
from videotime_client.ui import widgets as w
from videotime_client.ui.i18n import Binder
from videotime_client.ui.models import CHAT_MAX, AppointmentModel, CallModel
from videotime_client.ui.screens.common import phone_line, quality_label
from videotime_client.ui.strings import S

log = logging.getLogger(__name__)


def wrap_fingerprint(fingerprint: str, per_line: int = 16) -> str:
    """``sha-256 AB:CD:…`` on readable lines of 16 bytes (long hex never wraps by itself)."""
    alg, _, hexes = fingerprint.partition(" ")
    parts = hexes.split(":") if hexes else []
    if not parts:
        return fingerprint
    rows = [":".join(parts[i : i + per_line]) for i in range(0, len(parts), per_line)]
    return "\n".join([alg, *rows])


class _Stage(QWidget):
    """The clinician's picture filling the area, with the self-view floating on top."""

    def __init__(self, remote: w.VideoView, self_view: w.MovableVideoView) -> None:
        super().__init__()
        self.remote = remote
        self.self_view = self_view
        remote.setParent(self)
        self_view.setParent(self)
        self.user_moved = False
        self_view.moved.connect(self._on_moved)

    def _on_moved(self, _pos: QPoint) -> None:
        self.user_moved = True

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.remote.setGeometry(self.rect())
        width = max(160, self.width() // 4)
        self.self_view.resize(width, width * 3 // 4)
        corner = QPoint(
            self.width() - self.self_view.width() - 16, self.height() - self.self_view.height() - 16
        )
        # Bottom-right until the patient moves it; then keep it where they put it (inside).
        pos = self.self_view.pos() if self.user_moved else corner
        self.self_view.move(
            max(0, min(pos.x(), corner.x() + 16)), max(0, min(pos.y(), corner.y() + 16))
        )
        self.self_view.raise_()
        super().resizeEvent(event)


class ConsultationScreen(QWidget):
    hang_up = Signal()
    mute = Signal(bool)  # True = microphone off
    camera = Signal(bool)  # True = camera on

    def __init__(self, call: CallModel, appointment: AppointmentModel, binder: Binder) -> None:
        super().__init__()
        self.call = call
        self.binder = binder
        binder.bind(self.setAccessibleName, S.CO_CLINICIAN_VIDEO)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(10)

        # top: quality, lock, help
        self.quality = quality_label(binder, call)
        self.lock = w.button(
            binder, self._lock_text, S.CO_ENCRYPTED_DESC, on_click=self._toggle_details
        )
        self.help_button = w.button(binder, S.CO_HELP, S.CO_HELP_DESC, on_click=self._toggle_help)
        top = QHBoxLayout()
        top.addWidget(self.quality, 1)
        top.addWidget(self.lock)
        top.addWidget(self.help_button)
        outer.addLayout(top)

        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        binder.bind(self.banner.setText, S.CO_RECONNECTING)
        binder.bind(self.banner.setAccessibleName, S.CO_RECONNECTING)
        self.banner.hide()
        outer.addWidget(self.banner)

        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setObjectName("details")
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.hide()
        outer.addWidget(self.details)

        self.help = QWidget()
        hl = QVBoxLayout(self.help)
        hl.setContentsMargins(0, 0, 0, 0)
        hl.addWidget(w.para(binder, S.SEED_TECH_HELP))
        hl.addWidget(w.para(binder, phone_line(lambda: appointment.phone)))
        hl.addWidget(w.para(binder, S.SEED_NO_RECORDING))
        self.help.hide()
        outer.addWidget(self.help)

        # middle: the stage and the clinician's messages
        self.remote = w.VideoView(
            call.remote_video,
            binder,
            S.CO_CLINICIAN_VIDEO,
            S.CO_CLINICIAN_VIDEO_DESC,
            placeholder=S.WR_CONNECTING,
        )
        self.self_view = w.MovableVideoView(
            call.self_view,
            binder,
            S.SELF_VIEW,
            S.CO_SELF_VIEW_DESC,
            mirror=True,
            placeholder=S.CO_CAMERA_OFF_NOW,
        )
        self.stage = _Stage(self.remote, self.self_view)
        self.chat = QListWidget()
        self.chat.setWordWrap(True)
        self.chat.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.chat.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.chat.setMaximumWidth(340)
        binder.name(self.chat, S.CO_CHAT, S.CO_CHAT_DESC)
        chat_box = QWidget()
        cl = QVBoxLayout(chat_box)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addWidget(w.heading(binder, S.CO_CHAT, level=2))
        cl.addWidget(self.chat, 1)
        mid = QHBoxLayout()
        mid.addWidget(self.stage, 3)
        mid.addWidget(chat_box, 1)
        outer.addLayout(mid, 1)

        # bottom: the controls, or the hang-up question in their place
        self.mute_button = w.button(
            binder, self._mute_text, S.CO_MIC_DESC, on_click=lambda: self.mute.emit(not call.muted)
        )
        self.camera_button = w.button(
            binder,
            self._camera_text,
            S.CO_CAMERA_DESC,
            on_click=lambda: self.camera.emit(not call.camera_on),
        )
        self.self_toggle = w.button(
            binder, self._self_text, S.CO_SELF_TOGGLE_DESC, on_click=self._toggle_self_view
        )
        self.hang_up_button = w.button(
            binder, S.CO_HANG_UP, S.CO_HANG_UP_DESC, kind="danger", on_click=self._ask_hang_up
        )
        self.controls = w.row(
            self.mute_button, self.camera_button, self.self_toggle, stretch_end=False
        )
        controls_layout = self.controls.layout()
        assert isinstance(controls_layout, QHBoxLayout)
        controls_layout.addStretch(1)
        controls_layout.addWidget(self.hang_up_button)

        self.confirm_text = QLabel()
        self.confirm_text.setProperty("role", "h2")
        binder.bind(self.confirm_text.setText, S.CO_HANG_UP_CONFIRM)
        binder.bind(self.confirm_text.setAccessibleName, S.CO_HANG_UP_CONFIRM)
        self.confirm_yes = w.button(
            binder,
            S.CO_HANG_UP_YES,
            S.CO_HANG_UP_DESC,
            kind="danger",
            on_click=self._confirm_hang_up,
        )
        self.confirm_no = w.button(
            binder, S.CO_HANG_UP_NO, S.CO_HANG_UP_NO, kind="primary", on_click=self._cancel_hang_up
        )
        self.confirm = w.row(self.confirm_text, self.confirm_no, self.confirm_yes)
        self.confirm.hide()
        outer.addWidget(self.controls)
        outer.addWidget(self.confirm)

        call.state_changed.connect(self._on_state)
        call.cleared.connect(self._clear)
        call.encryption_changed.connect(self._show_encryption)
        call.chat_received.connect(self._on_chat)
        call.muted_changed.connect(self._on_muted)
        call.camera_changed.connect(self._on_camera)
        binder.language.changed.connect(lambda _l: self._show_encryption())
        for item in call.chat:
            self.chat.addItem(item)
        self._show_encryption()
        self._capture_excluded: bool | None = None

    # ------------------------------------------------------------------ texts
    def _lock_text(self, lang: str) -> str:
        enc = self.call.encryption
        return S.CO_ENCRYPTED(lang) if enc.encrypted else S.CO_NOT_YET_ENCRYPTED(lang)

    def _mute_text(self, lang: str) -> str:
        return (S.CO_UNMUTE if self.call.muted else S.CO_MUTE)(lang)

    def _camera_text(self, lang: str) -> str:
        return (S.CO_CAMERA_ON if not self.call.camera_on else S.CO_CAMERA_OFF)(lang)

    def _self_text(self, lang: str) -> str:
        return (S.CO_SHOW_SELF if self.self_view.isHidden() else S.CO_HIDE_SELF)(lang)

    # ------------------------------------------------------------------ model → view
    def _on_state(self, state: str) -> None:
        lang = self.binder.language.lang
        reconnecting = state == "reconnecting"
        was_visible = self.banner.isVisible()
        self.banner.setVisible(reconnecting)
        if reconnecting and not was_visible:
            w.announce(self.banner, S.CO_RECONNECTING(lang))
        elif not reconnecting and was_visible and state == "in_consultation":
            w.announce(self.banner, S.CO_RECONNECTED(lang))

    def _show_encryption(self) -> None:
        lang = self.binder.language.lang
        enc = self.call.encryption
        self.lock.setText(self._lock_text(lang))
        self.lock.setAccessibleName(self._lock_text(lang))
        self.lock.setIcon(
            QIcon(theme.icon("lock-light" if theme.current() is theme.HIGH_CONTRAST else "lock"))
            if enc.encrypted
            else QIcon()
        )
        self.lock.setEnabled(enc.encrypted)
        lines = [S.SEED_ENCRYPTED_LINE(lang)]
        if enc.cipher:
            lines.append(S.CO_CIPHER.format(cipher=enc.cipher)(lang))
        if enc.srtp_profile:
            lines.append(S.CO_SRTP.format(profile=enc.srtp_profile)(lang))
        if enc.fingerprint:
            lines.append(
                S.CO_FINGERPRINT.format(fingerprint=wrap_fingerprint(enc.fingerprint))(lang)
            )
            lines.append(
                (S.CO_FINGERPRINT_OK if enc.fingerprint_verified else S.CO_FINGERPRINT_BAD)(lang)
            )
        text = "\n".join(lines)
        self.details.setText(text)
        self.details.setAccessibleName(text)

    def _on_chat(self, text: str) -> None:
        self.chat.addItem(text)
        while self.chat.count() > CHAT_MAX:  # the model keeps as many (bounded)
            self.chat.takeItem(0)
        self.chat.scrollToBottom()
        w.announce(self.chat, S.CO_CHAT_NEW.format(text=text)(self.binder.language.lang))

    def _on_muted(self, muted: bool, announce: bool = True) -> None:
        lang = self.binder.language.lang
        self.mute_button.setText(self._mute_text(lang))
        self.mute_button.setAccessibleName(self._mute_text(lang))
        if announce:
            w.announce(self.mute_button, (S.CO_MUTED_NOW if muted else S.CO_UNMUTED_NOW)(lang))

    def _on_camera(self, on: bool, announce: bool = True) -> None:
        lang = self.binder.language.lang
        self.camera_button.setText(self._camera_text(lang))
        self.camera_button.setAccessibleName(self._camera_text(lang))
        self.self_view.paused = not on
        if not on:
            self.self_view.clear()
        if announce:
            w.announce(
                self.camera_button, (S.CO_CAMERA_ON_NOW if on else S.CO_CAMERA_OFF_NOW)(lang)
            )

    def _clear(self) -> None:
        """A new call: nothing of the last one stays on screen."""
        self.chat.clear()
        self.banner.hide()
        self.details.hide()
        self.help.hide()
        self.remote.clear()
        self.self_view.paused = False
        self.self_view.clear()
        self._show_encryption()
        self._on_muted(self.call.muted, announce=False)
        self._on_camera(self.call.camera_on, announce=False)

    # ------------------------------------------------------------------ view → intent
    def _toggle_details(self) -> None:
        self.details.setVisible(not self.details.isVisible())

    def _toggle_help(self) -> None:
        self.help.setVisible(not self.help.isVisible())

    def _toggle_self_view(self) -> None:
        self.self_view.setVisible(self.self_view.isHidden())
        lang = self.binder.language.lang
        self.self_toggle.setText(self._self_text(lang))
        self.self_toggle.setAccessibleName(self._self_text(lang))

    def move_self_view(self, pos: QPoint) -> None:
        self.self_view._move_within_parent(pos)

    def _ask_hang_up(self) -> None:
        self.controls.hide()
        self.confirm.show()
        self.confirm_no.setFocus()
        w.announce(self.confirm_text, S.CO_HANG_UP_CONFIRM(self.binder.language.lang))

    def _cancel_hang_up(self) -> None:
        self.confirm.hide()
        self.controls.show()
        self.hang_up_button.setFocus()

    def _confirm_hang_up(self) -> None:
        self.confirm.hide()
        self.controls.show()
        self.hang_up.emit()

    # ------------------------------------------------------------------ screen protocol
    def exclude_from_capture(self) -> None:
        """Best effort: ask the OS to keep this window out of screenshots and recordings."""
        from videotime_client.ui import capture_guard

        self._capture_excluded = capture_guard.exclude_from_capture(self)

    def on_shown(self) -> None:
        self.exclude_from_capture()
        w.announce(self, S.CO_STARTED(self.binder.language.lang))

    def on_hidden(self) -> None:
        self.confirm.hide()
        self.controls.show()

    def first_focus(self):
        return self.mute_button
