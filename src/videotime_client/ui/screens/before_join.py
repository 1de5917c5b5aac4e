"""Before joining: self-view, device pickers, the name the clinician sees, start muted."""

from __future__ import annotations

import functools

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QSizePolicy, QWidget

from videotime_client.texts import Text
from videotime_client.ui import widgets as w
from videotime_client.ui.i18n import Binder
from videotime_client.ui.models import Device, JoinOptionsModel
from videotime_client.ui.strings import S


def _device_description(device: Text, lang: str) -> str:
    return S.BJ_DEVICE_DESC.format(device=device(lang).lower())(lang)


class BeforeJoinScreen(w.Page):
    back = Signal()
    enter = Signal()

    def __init__(self, model: JoinOptionsModel, binder: Binder) -> None:
        super().__init__(binder, S.BJ_TITLE)
        self.model = model
        b = self.body
        b.addWidget(w.para(binder, S.BJ_INTRO, muted=True))

        self.self_view = w.VideoView(
            model.self_view, binder, S.SELF_VIEW, S.SELF_VIEW_DESC, mirror=True
        )
        self.self_view.setMinimumSize(320, 200)
        b.addWidget(self.self_view, 1)

        form_box = QWidget()
        form = QFormLayout(form_box)
        form.setContentsMargins(0, 0, 0, 0)
        form.setVerticalSpacing(12)
        self.combos: dict[str, QComboBox] = {}
        for key, label_text in (
            ("camera", S.CHECK_CAMERA),
            ("microphone", S.CHECK_MICROPHONE),
            ("speaker", S.CHECK_SPEAKER),
        ):
            combo = QComboBox()
            binder.name(
                combo,
                label_text,
                functools.partial(_device_description, label_text),
            )
            combo.activated.connect(lambda i, k=key, c=combo: model.update(**{k: c.itemData(i)}))
            label = QLabel()
            binder.bind(label.setText, label_text)
            binder.bind(label.setAccessibleName, label_text)
            label.setBuddy(combo)
            form.addRow(label, combo)
            self.combos[key] = combo

        self.name = QLineEdit()
        self.name.setMaxLength(60)
        binder.name(self.name, S.BJ_NAME, S.BJ_NAME_DESC)
        name_label = QLabel()
        binder.bind(name_label.setText, S.BJ_NAME)
        binder.bind(name_label.setAccessibleName, S.BJ_NAME)
        name_label.setBuddy(self.name)
        self.name.textEdited.connect(lambda text: model.update(display_name=text))
        form.addRow(name_label, self.name)

        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(20)
        self.pin.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        binder.name(self.pin, S.BJ_PIN, S.BJ_PIN_DESC)
        self.pin_label = QLabel()
        binder.bind(self.pin_label.setText, S.BJ_PIN)
        binder.bind(self.pin_label.setAccessibleName, S.BJ_PIN)
        self.pin_label.setBuddy(self.pin)
        self.pin.textEdited.connect(lambda text: model.update(pin=text))
        form.addRow(self.pin_label, self.pin)
        # Each label level with its (taller) field: QFormLayout puts a label at the row's top
        # unless it may grow to the row's height.
        for i in range(form.rowCount()):
            item = form.itemAt(i, QFormLayout.ItemRole.LabelRole)
            row_label = item.widget() if item is not None else None
            if isinstance(row_label, QLabel):
                row_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
                row_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.form = form
        b.addWidget(form_box)

        self.start_muted = w.checkbox(binder, S.BJ_START_MUTED, S.BJ_START_OPTION_DESC)
        self.start_camera_off = w.checkbox(binder, S.BJ_START_CAMERA_OFF, S.BJ_START_OPTION_DESC)
        self.start_muted.toggled.connect(lambda v: model.update(start_muted=v))
        self.start_camera_off.toggled.connect(lambda v: model.update(start_camera_off=v))
        b.addWidget(self.start_muted)
        b.addWidget(self.start_camera_off)

        self.pin_error = QLabel()
        self.pin_error.setObjectName("banner")
        self.pin_error.setWordWrap(True)
        b.addWidget(self.pin_error)
        self.hint = w.para(binder, S.BJ_NAME_REQUIRED, muted=True)
        b.addWidget(self.hint)
        self.join_button = w.button(
            binder, S.BJ_JOIN, S.BJ_JOIN_DESC, kind="primary", on_click=self._enter
        )
        self.back_button = w.button(binder, S.BACK, S.BACK_DESC, on_click=self.back.emit)
        b.addWidget(w.row(self.join_button, self.back_button))

        model.devices_changed.connect(self._fill_devices)
        model.changed.connect(self._sync)
        binder.language.changed.connect(self._fill_devices)
        binder.language.changed.connect(lambda _l: self._sync())
        self._fill_devices()
        self._sync()

    def _label(self, device: Device) -> str:
        label = device.label
        return label(self.binder.language.lang) if isinstance(label, Text) else label

    def _fill_devices(self, *_: object) -> None:
        for key, devices in (
            ("camera", self.model.cameras),
            ("microphone", self.model.microphones),
            ("speaker", self.model.speakers),
        ):
            combo = self.combos[key]
            combo.clear()
            for device in devices:
                combo.addItem(self._label(device), device.id)
            selected = getattr(self.model, key)
            combo.setCurrentIndex(max(0, combo.findData(selected)))
            combo.setEnabled(bool(devices))

    def _sync(self) -> None:
        if self.name.text() != self.model.display_name:
            self.name.setText(self.model.display_name)
        self.start_muted.setChecked(self.model.start_muted)
        self.start_camera_off.setChecked(self.model.start_camera_off)
        self.join_button.setEnabled(self.model.ready)
        self.hint.setVisible(not self.model.display_name.strip())
        self.form.setRowVisible(self.pin, self.model.pin_needed)
        if self.pin.text() != self.model.pin:
            self.pin.setText(self.model.pin)
        error = self.model.pin_error
        lang = self.binder.language.lang
        had_error = self.pin_error.isVisible()
        self.pin_error.setVisible(error is not None)
        if error is not None:
            self.pin_error.setText(error(lang))
            self.pin_error.setAccessibleName(error(lang))
            if not had_error:
                w.announce(self.pin_error, error(lang))
                self.pin.setFocus()

    def _enter(self) -> None:
        if self.model.ready:
            self.enter.emit()

    def first_focus(self):
        return self.name if not self.model.ready else self.join_button
