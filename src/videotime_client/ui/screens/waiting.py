"""Waiting room: "Your clinician will let you in", the time, what is happening, the phone."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal

from videotime_client.ui import widgets as w
from videotime_client.ui.i18n import Binder, format_duration
from videotime_client.ui.models import AppointmentModel, CallModel
from videotime_client.ui.screens.common import phone_line, quality_label, when_text
from videotime_client.ui.strings import S


class WaitingScreen(w.Page):
    leave = Signal()

    def __init__(self, call: CallModel, appointment: AppointmentModel, binder: Binder) -> None:
        super().__init__(binder, S.WR_TITLE)
        self.call = call
        b = self.body
        b.addWidget(
            w.heading(
                binder,
                lambda lang: S.WR_TIME.format(when=when_text(appointment.appointment, lang))(lang),
                level=2,
            )
        )
        self.status = w.para(binder, self._status_text)
        b.addWidget(self.status)
        self.waited = w.para(binder, self._waited_text, muted=True)
        b.addWidget(self.waited)
        self.quality = quality_label(binder, call)
        b.addWidget(self.quality)

        frame, lay = w.card()
        lay.addWidget(w.para(binder, S.SEED_TECH_HELP))
        lay.addWidget(w.para(binder, phone_line(lambda: appointment.phone)))
        b.addWidget(frame)
        b.addStretch(1)
        self.leave_button = w.button(binder, S.WR_LEAVE, S.WR_LEAVE_DESC, on_click=self.leave.emit)
        b.addWidget(w.row(self.leave_button))

        call.state_changed.connect(self._on_state)
        appointment.tick.connect(self._tick)
        # The appointment screen's clock stops when it is hidden; the waiting room has its own.
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)

    def _status_text(self, lang: str) -> str:
        return (S.WR_CONNECTING if self.call.state in ("idle", "connecting") else S.WR_WHAT)(lang)

    def _waited_text(self, lang: str) -> str:
        since = self.call.waiting_since
        if since is None:
            return ""
        return S.WR_WAITED.format(
            duration=format_duration((self.call.clock() - since).total_seconds(), lang)
        )(lang)

    def _on_state(self, state: str) -> None:
        lang = self.binder.language.lang
        text = self._status_text(lang)
        if self.status.text() != text:
            self.status.setText(text)
            self.status.setAccessibleName(text)
            w.announce(self.status, text)
        self._tick()

    def _tick(self) -> None:
        text = self._waited_text(self.binder.language.lang)
        self.waited.setText(text)
        self.waited.setAccessibleName(text or self.status.text())
        self.waited.setVisible(bool(text))

    def on_shown(self) -> None:
        self._timer.start()
        self._tick()

    def on_hidden(self) -> None:
        self._timer.stop()

    def first_focus(self):
        return self.leave_button
