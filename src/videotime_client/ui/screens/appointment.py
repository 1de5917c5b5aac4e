"""Appointment: when and from whom, a countdown, "Test your equipment", "Join", how to prepare."""

from __future__ import annotations

from PySide6.QtCore import Signal

from videotime_client.ui import widgets as w
from videotime_client.ui.i18n import Binder, format_duration
from videotime_client.ui.models import AppointmentModel
from videotime_client.ui.screens.common import department_text, phone_line, when_text
from videotime_client.ui.strings import S


class AppointmentScreen(w.Page):
    back = Signal()
    test_equipment = Signal()
    join = Signal()

    def __init__(self, model: AppointmentModel, binder: Binder) -> None:
        super().__init__(
            binder, lambda lang: S.APPT_TITLE.format(when=when_text(model.appointment, lang))(lang)
        )
        self.model = model
        b = self.body
        b.addWidget(
            w.para(
                binder,
                lambda lang: S.APPT_FROM.format(
                    department=department_text(model.appointment, lang)
                )(lang),
            )
        )
        self.countdown = w.heading(binder, self._countdown_text, level=2)
        b.addWidget(self.countdown)
        self.notice = w.para(
            binder, lambda lang: model.notice(lang) if model.notice else "", muted=True
        )
        b.addWidget(self.notice)

        self.early_note = w.para(binder, S.APPT_JOIN_EARLY)
        self.join_button = w.button(binder, S.APPT_JOIN, S.APPT_JOIN_DESC, on_click=self.join.emit)
        self.test_button = w.button(
            binder, S.APPT_TEST, S.APPT_TEST_DESC, on_click=self.test_equipment.emit
        )
        b.addWidget(w.row(self.join_button, self.test_button))
        b.addWidget(self.early_note)
        b.addWidget(w.para(binder, S.SEED_LOGIN_EARLY))

        frame, lay = w.card()
        lay.addWidget(w.heading(binder, S.APPT_PREPARE, level=2))
        lay.addWidget(
            w.bullets(
                binder,
                [
                    S.SEED_PREP_EQUIPMENT,
                    S.SEED_PREP_TRY,
                    S.SEED_PREP_QUIET,
                    S.SEED_PREP_LIGHT,
                    S.SEED_PREP_PHONE,
                    S.SEED_PREP_BATTERY,
                    S.SEED_PREP_LINK,
                    S.SEED_LOGIN_EARLY,
                ],
            )
        )
        b.addWidget(frame)

        frame, lay = w.card()
        lay.addWidget(w.heading(binder, S.APPT_EQUIPMENT, level=2))
        lay.addWidget(w.para(binder, S.SEED_EQUIPMENT))
        lay.addWidget(w.para(binder, S.SEED_BROWSERS, muted=True))
        b.addWidget(frame)

        frame, lay = w.card()
        lay.addWidget(w.heading(binder, S.APPT_CHANGE, level=2))
        lay.addWidget(w.para(binder, S.SEED_CHANGE_TIME))
        lay.addWidget(w.para(binder, S.SEED_DECLINE))
        lay.addWidget(w.para(binder, S.SEED_TECH_HELP))
        self.phone = w.para(binder, phone_line(lambda: model.phone))
        lay.addWidget(self.phone)
        b.addWidget(frame)

        b.addWidget(w.row(w.button(binder, S.BACK, S.BACK_DESC, on_click=self.back.emit)))
        b.addStretch(1)

        model.changed.connect(self._on_changed)
        model.tick.connect(self._refresh)
        self._refresh()

    def _on_changed(self) -> None:
        self.binder.refresh()  # a different appointment: title, department and phone change
        self._refresh()

    def _countdown_text(self, lang: str) -> str:
        left = self.model.seconds_until
        if left is None:
            return S.APPT_NO_TIME(lang)
        if left <= 0:
            return S.APPT_STARTED(lang)
        return S.APPT_STARTS_IN.format(duration=format_duration(left, lang))(lang)

    def _refresh(self) -> None:
        prominent = self.model.join_prominent
        w.set_kind(self.join_button, "primary" if prominent else "secondary")
        w.set_kind(self.test_button, "secondary" if prominent else "primary")
        self.early_note.setVisible(not prominent)
        self.notice.setVisible(self.model.notice is not None)
        lang = self.binder.language.lang
        self.countdown.setText(self._countdown_text(lang))
        self.countdown.setAccessibleName(self.countdown.text())

    def on_shown(self) -> None:
        self.model.start_ticking()
        self._refresh()

    def on_hidden(self) -> None:
        self.model.stop_ticking()

    def first_focus(self):
        return self.join_button if self.model.join_prominent else self.test_button
