"""Home: the saved appointments and "open the link from your letter" (paste, drop or type)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QListWidget, QListWidgetItem

from videotime_client.ui import widgets as w
from videotime_client.ui.i18n import Binder
from videotime_client.ui.models import HomeModel
from videotime_client.ui.screens.common import department_text, when_text
from videotime_client.ui.strings import S


class HomeScreen(w.Page):
    open_link = Signal(str)  # untrusted text: the controller parses it
    open_appointment = Signal(str)  # appointment id
    language_chosen = Signal(str)

    def __init__(self, model: HomeModel, binder: Binder) -> None:
        super().__init__(binder, S.HOME_TITLE)
        self.model = model
        self.setAcceptDrops(True)
        b = self.body

        self.language = QComboBox()
        for code, text in (("nb", S.LANG_NB), ("nn", S.LANG_NN), ("en", S.LANG_EN)):
            self.language.addItem(text("nb"), code)
        self.language.setCurrentIndex(max(0, self.language.findData(binder.language.lang)))
        binder.name(self.language, S.LANGUAGE, S.LANGUAGE_DESC)
        self.language.activated.connect(
            lambda i: self.language_chosen.emit(self.language.itemData(i))
        )
        lang_label = QLabel()
        binder.bind(lang_label.setText, S.LANGUAGE)
        binder.bind(lang_label.setAccessibleName, S.LANGUAGE)
        lang_label.setBuddy(self.language)
        b.insertWidget(0, w.row(lang_label, self.language))

        b.addWidget(w.para(binder, S.SEED_INTRO, muted=True))

        self.list = QListWidget()
        self.list.setMinimumHeight(120)
        binder.name(self.list, S.HOME_LIST_NAME, S.HOME_LIST_DESC)
        self.list.itemActivated.connect(self._activated)
        self.empty = w.para(binder, S.HOME_EMPTY)
        self.open_button = w.button(
            binder,
            S.HOME_OPEN_APPOINTMENT,
            S.HOME_OPEN_APPOINTMENT_DESC,
            kind="primary",
            on_click=self._open_selected,
        )
        b.addWidget(self.empty)
        b.addWidget(self.list)
        b.addWidget(w.row(self.open_button))

        frame, lay = w.card()
        lay.addWidget(w.heading(binder, S.HOME_LINK_HEADING, level=2))
        lay.addWidget(w.para(binder, S.HOME_LINK_HELP))
        self.link = QLineEdit()
        self.link.setClearButtonEnabled(True)
        binder.name(self.link, S.HOME_LINK_FIELD, S.HOME_LINK_HELP)
        binder.bind(self.link.setPlaceholderText, S.HOME_LINK_FIELD)
        self.link.returnPressed.connect(self._submit_link)
        self.link_button = w.button(
            binder, S.HOME_LINK_OPEN, S.HOME_LINK_OPEN_DESC, on_click=self._submit_link
        )
        lay.addWidget(self.link)
        lay.addWidget(w.row(self.link_button))
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setObjectName("banner")
        self.error.hide()
        lay.addWidget(self.error)
        b.addWidget(frame)
        b.addWidget(w.para(binder, S.SEED_LETTER, muted=True))
        b.addStretch(1)

        model.appointments_changed.connect(self._refill)
        model.link_error_changed.connect(self._show_error)
        binder.language.changed.connect(self._refill)
        binder.language.changed.connect(self._show_error)
        self._refill()
        self._show_error()

    # ------------------------------------------------------------------ model → view
    def _refill(self) -> None:
        lang = self.binder.language.lang
        self.list.clear()
        for appt in self.model.appointments:
            text = S.HOME_ITEM.format(
                when=when_text(appt, lang), department=department_text(appt, lang)
            )(lang)
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, appt.id)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, text)
            self.list.addItem(item)
        has = bool(self.model.appointments)
        self.list.setVisible(has)
        self.open_button.setVisible(has)
        self.empty.setVisible(not has)
        if has and self.list.currentRow() < 0:
            self.list.setCurrentRow(0)

    def _show_error(self) -> None:
        err = self.model.link_error
        if err is None:
            self.error.hide()
            self.error.clear()
            return
        text = err(self.binder.language.lang)
        self.error.setText(text)
        self.error.setAccessibleName(text)
        self.error.show()
        w.announce(self.error, text)

    # ------------------------------------------------------------------ view → intent
    def _open_selected(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.open_appointment.emit(item.data(Qt.ItemDataRole.UserRole))

    def _activated(self, item: QListWidgetItem) -> None:
        self.open_appointment.emit(item.data(Qt.ItemDataRole.UserRole))

    def _submit_link(self) -> None:
        text = self.link.text().strip()
        if not text:
            self.model.set_link_error(S.HOME_LINK_EMPTY)
            return
        self.open_link.emit(text)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() or event.mimeData().hasText():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        data = event.mimeData()
        text = data.urls()[0].toString() if data.hasUrls() else data.text()
        self.link.setText(text.strip())
        event.acceptProposedAction()
        self._submit_link()

    def first_focus(self):
        return self.list if self.model.appointments else self.link
