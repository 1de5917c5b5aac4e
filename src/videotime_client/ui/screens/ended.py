"""Ended: why, in plain words (or "call the department"), then the record, privacy and payment."""

from __future__ import annotations

from PySide6.QtCore import Signal

from videotime_client.texts import Text
from videotime_client.ui import widgets as w
from videotime_client.ui.i18n import Binder
from videotime_client.ui.models import AppointmentModel, CallModel
from videotime_client.ui.screens.common import phone_line
from videotime_client.ui.strings import S

# The call engine's end-reason codes (call.errors.EndReason) that are not the patient's fault
# and not a normal ending: these show "call the department" with the number.
FAILURE_CODES = frozenset({"lobby_timeout", "network", "signalling", "no_media", "internal"})


def reason_text(call: CallModel) -> Text:
    """The sentence for why the call ended; the engine's own message where it has one."""
    code = call.end_reason_code
    if code == "left_waiting":
        return S.EN_REASON_LEFT_WAITING
    if code == "left":
        return S.EN_REASON_YOU
    if code in ("remote_ended", "host_left"):
        return S.EN_REASON_CLINICIAN
    if call.end_message is not None:
        return call.end_message
    return S.EN_REASON_FAILED


class EndedScreen(w.Page):
    done = Signal()

    def __init__(self, call: CallModel, appointment: AppointmentModel, binder: Binder) -> None:
        super().__init__(binder, S.EN_TITLE)
        self.call = call
        self.appointment = appointment
        b = self.body
        self.reason = w.heading(binder, lambda lang: reason_text(call)(lang), level=2)
        b.addWidget(self.reason)
        self.failure_phone = w.para(binder, phone_line(lambda: appointment.phone))
        b.addWidget(self.failure_phone)

        frame, lay = w.card()
        lay.addWidget(w.para(binder, S.SEED_RECORD))
        lay.addWidget(w.para(binder, S.SEED_CONFIDENTIAL))
        lay.addWidget(w.para(binder, S.SEED_ENCRYPTED_LINE))
        b.addWidget(frame)

        frame, lay = w.card()
        lay.addWidget(w.heading(binder, S.EN_PAYMENT, level=2))
        lay.addWidget(w.para(binder, S.SEED_CHARGE))
        lay.addWidget(w.para(binder, S.SEED_EXEMPT))
        b.addWidget(frame)
        b.addStretch(1)
        self.done_button = w.button(
            binder, S.EN_DONE, S.EN_DONE_DESC, kind="primary", on_click=self.done.emit
        )
        b.addWidget(w.row(self.done_button))
        call.ended.connect(self._refresh)
        self._refresh()

    @property
    def failed(self) -> bool:
        return self.call.state == "failed" or self.call.end_reason_code in FAILURE_CODES

    def _refresh(self) -> None:
        self.binder.refresh()
        phone = self.appointment.phone
        said = phone is not None and phone in self.reason.text()  # the sentence has it
        self.failure_phone.setVisible(self.failed and not said)

    def on_shown(self) -> None:
        self._refresh()
        w.announce(self.reason, self.reason.text())

    def first_focus(self):
        return self.done_button
