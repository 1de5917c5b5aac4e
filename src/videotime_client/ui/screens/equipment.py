"""Equipment check: live self-view with the lighting hint, microphone meter, speaker yes/no,
results as they arrive, and one overall verdict with advice."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from videotime_client.texts import Text
from videotime_client.ui import widgets as w
from videotime_client.ui.i18n import Binder
from videotime_client.ui.models import AppointmentModel, EquipmentModel
from videotime_client.ui.screens.common import phone_line
from videotime_client.ui.strings import S

CHECK_NAMES: dict[str, Text] = {
    "camera": S.CHECK_CAMERA,
    "lighting": S.CHECK_LIGHTING,
    "microphone": S.CHECK_MICROPHONE,
    "speaker": S.CHECK_SPEAKER,
    "battery": S.CHECK_BATTERY,
    "network": S.CHECK_NETWORK,
    "cpu": S.CHECK_CPU,
}
VERDICTS: dict[str | None, Text] = {
    None: S.VERDICT_PENDING,
    "good": S.VERDICT_GOOD,
    "limited": S.VERDICT_LIMITED,
    "cannot": S.VERDICT_CANNOT,
    "not_run": S.VERDICT_NOT_RUN,
}
OVERALL: dict[str | None, Text] = {
    None: S.OVERALL_PENDING,
    "good": S.OVERALL_GOOD,
    "limited": S.OVERALL_LIMITED,
    "cannot": S.OVERALL_CANNOT,
    "not_run": S.OVERALL_NOT_RUN,
}
# Lighting problem codes (preflight contract) → the short hint drawn over the self-view.
LIGHT_HINTS: dict[str, Text] = {
    "too_dark": S.LIGHT_TOO_DARK,
    "backlit": S.LIGHT_BACKLIT,
    "overexposed": S.LIGHT_OVEREXPOSED,
    "no_face": S.LIGHT_NO_FACE,
}


class EquipmentScreen(w.Page):
    back = Signal()
    check_again = Signal()
    proceed = Signal()

    def __init__(
        self, model: EquipmentModel, appointment: AppointmentModel, binder: Binder
    ) -> None:
        super().__init__(binder, S.EQ_TITLE)
        self.model = model
        b = self.body
        b.addWidget(w.para(binder, S.EQ_INTRO, muted=True))

        frame, lay = w.card()
        self.overall = QLabel()
        self.overall.setWordWrap(True)
        self.overall.setProperty("role", "h2")
        lay.addWidget(self.overall)
        self.cannot_call = w.para(binder, S.OVERALL_CANNOT_CALL)
        self.cannot_phone = w.para(binder, phone_line(lambda: appointment.phone))
        lay.addWidget(self.cannot_call)
        lay.addWidget(self.cannot_phone)
        b.addWidget(frame)

        top = QWidget()
        grid = QGridLayout(top)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(24)
        self.self_view = w.VideoView(
            model.self_view,
            binder,
            S.SELF_VIEW,
            S.SELF_VIEW_DESC,
            overlay=self._light_hint,
            mirror=True,
        )
        self.self_view.setMinimumSize(320, 240)
        grid.addWidget(self.self_view, 0, 0, 3, 1)

        side = QWidget()
        sl = QVBoxLayout(side)
        sl.setContentsMargins(0, 0, 0, 0)
        # The live meter and "say something" only while the microphone is being checked: once
        # it has a result (or there is no microphone at all), that row says everything.
        self.mic_box = QWidget()
        ml = QVBoxLayout(self.mic_box)
        ml.setContentsMargins(0, 0, 0, 0)
        ml.addWidget(w.heading(binder, S.EQ_MIC_METER, level=2))
        self.meter = w.LevelMeter(binder, S.EQ_MIC_METER, S.EQ_MIC_HELP)
        ml.addWidget(self.meter)
        ml.addWidget(w.para(binder, S.EQ_MIC_HELP, muted=True))
        sl.addWidget(self.mic_box)
        self.question = QLabel()
        self.question.setWordWrap(True)
        self.question.setProperty("role", "h2")
        self.yes = w.button(
            binder, S.YES, S.EQ_HEARD_DESC, kind="primary", on_click=lambda: model.answer(True)
        )
        self.no = w.button(binder, S.NO, S.EQ_NOT_HEARD_DESC, on_click=lambda: model.answer(False))
        self.question_box = QWidget()
        ql = QVBoxLayout(self.question_box)
        ql.setContentsMargins(0, 8, 0, 8)
        ql.addWidget(self.question)
        ql.addWidget(w.row(self.yes, self.no))
        sl.addWidget(self.question_box)
        self.rows: dict[str, tuple[QLabel, QLabel]] = {}
        for name in model.CHECKS:
            verdict = QLabel()
            verdict.setWordWrap(True)
            advice = QLabel()
            advice.setWordWrap(True)
            advice.setProperty("role", "muted")
            self.rows[name] = (verdict, advice)
            sl.addWidget(verdict)
            sl.addWidget(advice)
        sl.addStretch(1)
        grid.addWidget(side, 0, 1, 3, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        b.addWidget(top, 1)

        self.continue_button = w.button(
            binder,
            self._continue_text,
            S.EQ_CONTINUE_DESC,
            kind="primary",
            on_click=self.proceed.emit,
        )
        self.again_button = w.button(
            binder, S.EQ_CHECK_AGAIN, S.EQ_CHECK_AGAIN_DESC, on_click=self.check_again.emit
        )
        self.back_button = w.button(binder, S.BACK, S.BACK_DESC, on_click=self.back.emit)
        b.addWidget(w.row(self.continue_button, self.again_button, self.back_button))

        model.check_changed.connect(self._show_check)
        model.overall_changed.connect(self._show_overall)
        model.level_changed.connect(self.meter.set_dbfs)
        model.question_changed.connect(self._show_question)
        model.running_changed.connect(lambda _r: self._show_overall())
        binder.language.changed.connect(self._render_all)
        self._render_all()

    def _render_all(self, *_: object) -> None:
        for name in self.model.CHECKS:
            self._show_check(name, announce=False)
        self._show_overall(announce=False)
        self._show_question()

    def _light_hint(self) -> str | None:
        lang = self.binder.language.lang
        state = self.model.checks["lighting"]
        if state.verdict is None:
            return S.LIGHT_CHECKING(lang) if self.model.running else None
        for code in state.problems:
            if code in LIGHT_HINTS:
                return LIGHT_HINTS[code](lang)
        return S.LIGHT_GOOD(lang) if state.verdict == "good" else None

    def _continue_text(self, lang: str) -> str:
        return (S.EQ_JOIN_ANYWAY if self.model.overall == "limited" else S.EQ_CONTINUE)(lang)

    def _show_check(self, name: str, announce: bool = True) -> None:
        lang = self.binder.language.lang
        state = self.model.checks[name]
        verdict_label, advice_label = self.rows[name]
        text = S.CHECK_ROW.format(
            check=CHECK_NAMES[name](lang), verdict=VERDICTS[state.verdict](lang)
        )(lang)
        verdict_label.setText(text)
        verdict_label.setAccessibleName(text)
        w.set_verdict_style(verdict_label, state.verdict or "pending")
        advice = state.advice(lang) if state.advice is not None and state.verdict != "good" else ""
        advice_label.setText(advice)
        advice_label.setAccessibleName(advice or text)
        advice_label.setVisible(bool(advice))
        if name == "lighting":
            self.self_view.update()
        if name == "microphone":
            self.mic_box.setVisible(state.verdict is None)
        if announce and state.verdict is not None:
            w.announce(verdict_label, text)

    def _show_overall(self, announce: bool = True) -> None:
        lang = self.binder.language.lang
        verdict = self.model.overall
        text = OVERALL[verdict](lang)
        self.overall.setText(text)
        self.overall.setAccessibleName(text)
        w.set_verdict_style(self.overall, verdict or "pending")
        cannot = verdict == "cannot"
        self.cannot_call.setVisible(cannot)
        self.cannot_phone.setVisible(cannot)
        done = verdict is not None and not self.model.running
        was_enabled = self.continue_button.isEnabled()
        self.continue_button.setEnabled(done and self.model.can_join)
        if done and self.isVisible() and announce:
            # The check is over: put the keyboard on the next decision.
            target = (
                self.continue_button
                if self.continue_button.isEnabled() and not was_enabled
                else self.again_button
                if cannot
                else None
            )
            if target is not None:
                target.setFocus()
        self.continue_button.setVisible(not cannot)
        self.continue_button.setText(self._continue_text(lang))
        self.again_button.setEnabled(not self.model.running)
        w.set_kind(self.again_button, "primary" if cannot else "secondary")
        if announce and verdict is not None:
            w.announce(self.overall, text)

    def _show_question(self) -> None:
        q = self.model.question
        self.question_box.setVisible(q is not None)
        if q is not None:
            text = q[1](self.binder.language.lang)
            self.question.setText(text)
            self.question.setAccessibleName(text)
            w.announce(self.question, text)
            self.yes.setFocus()

    def first_focus(self):
        return self.back_button
