"""Introductions: the hospital's rule, who is in the room, no recording, the checklist.

Shown once the clinician has let the patient in, before the consultation view.  The patient's
declaration (and, if they agree, the equipment-check summary) goes to the clinician as a chat
message; the clinician's own introduction (their chat messages) is shown here.
"""

from __future__ import annotations

import functools
import itertools

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)

from videotime_client.ui import widgets as w
from videotime_client.ui.i18n import Binder
from videotime_client.ui.models import IntroductionsModel
from videotime_client.ui.strings import S


class IntroductionsScreen(w.Page):
    send = Signal()
    proceed = Signal()

    def __init__(self, model: IntroductionsModel, binder: Binder) -> None:
        super().__init__(binder, S.IN_TITLE)
        self.model = model
        b = self.body
        b.addWidget(w.para(binder, S.IN_ADMITTED, muted=True))
        frame, lay = w.card()
        lay.addWidget(w.para(binder, S.SEED_RULE_EVERYONE))
        lay.addWidget(w.para(binder, S.SEED_RULE_NOBODY_UNKNOWN))
        lay.addWidget(w.para(binder, S.SEED_NO_RECORDING))
        b.addWidget(frame)

        # 1. Who is in the room
        b.addWidget(w.heading(binder, S.IN_WHO, level=2))
        self.alone = QRadioButton()
        self.not_alone = QRadioButton()
        for radio, text in ((self.alone, S.IN_ALONE), (self.not_alone, S.IN_NOT_ALONE)):
            binder.bind(radio.setText, text)
            binder.name(radio, text, S.IN_WHO_DESC)
            b.addWidget(radio)
        self._group = QButtonGroup(self)
        self._group.addButton(self.alone)
        self._group.addButton(self.not_alone)
        self.alone.toggled.connect(lambda on: self._answer_alone(on, True))
        self.not_alone.toggled.connect(lambda on: self._answer_alone(on, False))

        self.people_box = QWidget()
        self.people = QGridLayout(self.people_box)
        self.people.setContentsMargins(24, 0, 0, 0)
        self._rows: list[tuple[QLineEdit, QLineEdit, QPushButton]] = []
        b.addWidget(self.people_box)
        self.add_person = w.button(
            binder, S.IN_ADD_PERSON, S.IN_ADD_PERSON_DESC, on_click=model.add_companion
        )
        b.addWidget(w.row(self.add_person))

        # 2. No recording, and what to send
        self.no_recording = w.checkbox(binder, S.IN_CONFIRM_NO_RECORDING, S.SEED_NO_RECORDING)
        self.no_recording.toggled.connect(lambda v: model.update(no_recording=v))
        self.share = w.checkbox(binder, S.IN_SHARE_CHECK, S.IN_SHARE_CHECK_DESC)
        self.share.toggled.connect(lambda v: model.update(share_check=v))
        b.addWidget(self.no_recording)
        b.addWidget(self.share)
        self.send_hint = w.para(binder, S.IN_SEND_MISSING, muted=True)
        b.addWidget(self.send_hint)
        self.send_button = w.button(
            binder, S.IN_SEND, S.IN_SEND_DESC, kind="primary", on_click=self._send
        )
        self.sent_label = w.para(binder, S.IN_SENT)
        self.send_row = w.row(self.send_button)
        b.addWidget(self.send_row)
        b.addWidget(self.sent_label)

        # 3. The clinician's introduction
        frame, lay = w.card()
        lay.addWidget(w.heading(binder, S.IN_CLINICIAN_SAYS, level=2))
        self.clinician = QLabel()
        self.clinician.setWordWrap(True)
        lay.addWidget(self.clinician)
        b.addWidget(frame)

        # 4. The checklist
        b.addWidget(w.heading(binder, S.IN_CHECKLIST, level=2))
        self.checks: dict[str, object] = {}
        for item, text in (
            ("me", S.IN_CHECK_ME),
            ("mine", S.IN_CHECK_MINE),
            ("clinician", S.IN_CHECK_CLINICIAN),
        ):
            box = w.checkbox(binder, text, S.IN_CHECK_DESC)
            box.toggled.connect(lambda v, i=item: model.tick(i, v))
            self.checks[item] = box
            b.addWidget(box)
        self.continue_button = w.button(
            binder, S.IN_CONTINUE, S.IN_CONTINUE_DESC, kind="primary", on_click=self._continue
        )
        b.addWidget(w.row(self.continue_button))
        b.addStretch(1)

        model.changed.connect(self._sync)
        model.sent_changed.connect(self._on_sent)
        model.clinician_intro_changed.connect(self._show_clinician)
        binder.language.changed.connect(lambda _l: self._show_clinician(announce=False))
        self._sync()
        self._show_clinician(announce=False)

    def _answer_alone(self, checked: bool, alone: bool) -> None:
        if checked:
            self.model.set_alone(alone)

    # ------------------------------------------------------------------ companions
    def _rebuild_people(self) -> None:
        for name, relation, remove in self._rows:
            for widget in (name, relation, remove):
                self.people.removeWidget(widget)
                widget.deleteLater()
        self._rows = []
        for i, companion in enumerate(self.model.companions):
            name = QLineEdit(companion.name)
            relation = QLineEdit(companion.relation)
            self.binder.name(name, S.IN_PERSON_NAME, S.IN_PERSON_NAME_DESC)
            self.binder.bind(name.setPlaceholderText, S.IN_PERSON_NAME)
            self.binder.name(relation, S.IN_PERSON_RELATION, S.IN_PERSON_RELATION_DESC)
            self.binder.bind(relation.setPlaceholderText, S.IN_PERSON_RELATION)
            name.textEdited.connect(lambda t, i=i: self.model.set_companion(i, name=t))
            relation.textEdited.connect(lambda t, i=i: self.model.set_companion(i, relation=t))
            remove = w.button(
                self.binder,
                S.IN_REMOVE_PERSON,
                S.IN_REMOVE_PERSON_DESC,
                on_click=functools.partial(self.model.remove_companion, i),
            )
            self.people.addWidget(name, i, 0)
            self.people.addWidget(relation, i, 1)
            self.people.addWidget(remove, i, 2)
            self._rows.append((name, relation, remove))
        self._fix_tab_order()

    def _fix_tab_order(self) -> None:
        chain: list[QWidget] = [self.not_alone]
        for name, relation, remove in self._rows:
            chain += [name, relation, remove]
        chain.append(self.add_person)
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # ------------------------------------------------------------------ model → view
    def _sync(self) -> None:
        m = self.model
        stale = len(self._rows) != len(m.companions) or any(
            name.text() != c.name or relation.text() != c.relation
            for (name, relation, _), c in zip(self._rows, m.companions, strict=False)
        )
        if stale:  # a person added or removed, or a new call with an empty list
            self._rebuild_people()
        if m.alone is None and (self.alone.isChecked() or self.not_alone.isChecked()):
            # A new call: nobody has answered yet (an exclusive group cannot uncheck itself).
            self._group.setExclusive(False)
            self.alone.setChecked(False)
            self.not_alone.setChecked(False)
            self._group.setExclusive(True)
        with_others = m.alone is False
        self.people_box.setVisible(with_others)
        self.add_person.setVisible(with_others)
        self.checks["mine"].setVisible(with_others)  # type: ignore[attr-defined]
        self.no_recording.setChecked(m.no_recording)
        self.share.setChecked(m.share_check)
        self.share.setVisible(m.summary_available)
        editable = not m.sent
        for widget in (
            self.alone,
            self.not_alone,
            self.no_recording,
            self.share,
            self.add_person,
            self.people_box,
        ):
            widget.setEnabled(editable)
        self.send_button.setEnabled(m.can_send and not m.sent)
        self.send_row.setVisible(not m.sent)
        self.send_hint.setVisible(not m.can_send and not m.sent)
        self.sent_label.setVisible(m.sent)
        for item, box in self.checks.items():
            box.setEnabled(m.sent)  # type: ignore[attr-defined]
            box.setChecked(m.checked[item])  # type: ignore[attr-defined]
        was_enabled = self.continue_button.isEnabled()
        self.continue_button.setEnabled(m.can_continue)
        if m.can_continue and not was_enabled:
            self.scroller.ensureWidgetVisible(self.continue_button)
            self.continue_button.setFocus()

    def _on_sent(self) -> None:
        text = S.IN_SENT(self.binder.language.lang)
        w.announce(self.sent_label, text)
        self.checks["me"].setFocus()  # type: ignore[attr-defined]

    def _show_clinician(self, announce: bool = True) -> None:
        lang = self.binder.language.lang
        messages = self.model.clinician_intro
        text = "\n\n".join(messages) if messages else S.IN_CLINICIAN_WAITING(lang)
        self.clinician.setText(text)
        self.clinician.setAccessibleName(text)
        if announce and messages:
            w.announce(self.clinician, S.CO_CHAT_NEW.format(text=messages[-1])(lang))

    # ------------------------------------------------------------------ view → intent
    def _send(self) -> None:
        if self.model.can_send and not self.model.sent:
            self.send.emit()

    def _continue(self) -> None:
        if self.model.can_continue:
            self.proceed.emit()

    def first_focus(self):
        return self.alone
