"""Texts several screens share (the department's phone, the appointment time)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLabel

from videotime_client.ui import widgets as w
from videotime_client.ui.i18n import Binder, format_when
from videotime_client.ui.models import AppointmentView, CallModel
from videotime_client.ui.strings import S


def phone_line(phone: Callable[[], str | None]) -> Callable[[str], str]:
    """``Telefon til avdelingen: 22 11 80 80`` or "the number is in the letter"."""

    def render(lang: str) -> str:
        number = phone()
        return S.PHONE_KNOWN.format(phone=number)(lang) if number else S.PHONE_UNKNOWN(lang)

    return render


def when_text(appointment: AppointmentView | None, lang: str) -> str:
    if appointment is None or appointment.start is None:
        return S.APPT_NO_TIME(lang)
    return format_when(appointment.start, lang)


def department_text(appointment: AppointmentView | None, lang: str) -> str:
    if appointment is None or not appointment.department:
        return S.HOME_UNKNOWN_DEPARTMENT(lang)
    return appointment.department


QUALITY_TEXT = {
    None: S.QUALITY_UNKNOWN,
    "good": S.QUALITY_GOOD,
    "fair": S.QUALITY_FAIR,
    "poor": S.QUALITY_POOR,
}


def quality_label(binder: Binder, call: CallModel) -> QLabel:
    """The live connection-quality line (good / fair / poor), announced when it changes."""
    label = QLabel()
    label.setWordWrap(True)
    verdicts = {None: "pending", "good": "good", "fair": "limited", "poor": "cannot"}

    def render(announce_change: bool = False) -> None:
        text = QUALITY_TEXT[call.quality](binder.language.lang)
        label.setText(f"●  {text}")
        label.setAccessibleName(text)
        w.set_verdict_style(label, verdicts[call.quality])
        if announce_change:
            w.announce(label, text)

    binder.bind(label.setAccessibleDescription, S.QUALITY_DESC)
    call.quality_changed.connect(lambda: render(True))
    binder.language.changed.connect(lambda _l: render())
    render()
    return label
