"""The one window: a stack of screens that follows :class:`~videotime_client.ui.journey.Journey`."""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from videotime_client.ui import widgets as w
from videotime_client.ui.journey import Journey, Step
from videotime_client.ui.screens.appointment import AppointmentScreen
from videotime_client.ui.screens.before_join import BeforeJoinScreen
from videotime_client.ui.screens.consultation import ConsultationScreen
from videotime_client.ui.screens.ended import EndedScreen
from videotime_client.ui.screens.equipment import EquipmentScreen
from videotime_client.ui.screens.home import HomeScreen
from videotime_client.ui.screens.introductions import IntroductionsScreen
from videotime_client.ui.screens.waiting import WaitingScreen
from videotime_client.ui.strings import S

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    def __init__(self, journey: Journey) -> None:
        super().__init__()
        self.journey = journey
        binder = journey.binder
        binder.bind(self.setWindowTitle, S.WINDOW_TITLE)
        binder.bind(self.setAccessibleName, S.WINDOW_TITLE)
        j = journey

        self.home = HomeScreen(j.home, binder)
        self.home.open_link.connect(j.open_link)
        self.home.open_appointment.connect(j.open_appointment)
        self.home.language_chosen.connect(j.language.set_lang)

        self.appointment = AppointmentScreen(j.appointment, binder)
        self.appointment.back.connect(lambda: j.go(Step.HOME))
        self.appointment.test_equipment.connect(j.test_equipment)
        self.appointment.join.connect(j.prepare_to_join)

        self.equipment = EquipmentScreen(j.equipment, j.appointment, binder)
        self.equipment.back.connect(lambda: j.go(Step.APPOINTMENT))
        self.equipment.check_again.connect(j.check_again)
        self.equipment.proceed.connect(j.prepare_to_join)

        self.before_join = BeforeJoinScreen(j.options, binder)
        self.before_join.back.connect(lambda: j.go(Step.APPOINTMENT))
        self.before_join.enter.connect(j.enter_waiting_room)

        self.waiting = WaitingScreen(j.call, j.appointment, binder)
        self.waiting.leave.connect(j.hang_up)

        self.introductions = IntroductionsScreen(j.intro, binder)
        self.introductions.send.connect(j.send_declaration)
        self.introductions.proceed.connect(j.start_consultation)

        self.consultation = ConsultationScreen(j.call, j.appointment, binder)
        self.consultation.hang_up.connect(j.hang_up)
        self.consultation.mute.connect(j.set_muted)
        self.consultation.camera.connect(j.set_camera)

        self.ended = EndedScreen(j.call, j.appointment, binder)
        self.ended.done.connect(j.finish)

        self.screens: dict[Step, QWidget] = {
            Step.HOME: self.home,
            Step.APPOINTMENT: self.appointment,
            Step.EQUIPMENT: self.equipment,
            Step.BEFORE_JOINING: self.before_join,
            Step.WAITING_ROOM: self.waiting,
            Step.INTRODUCTIONS: self.introductions,
            Step.CONSULTATION: self.consultation,
            Step.ENDED: self.ended,
        }
        self.stack = QStackedWidget()
        for screen in self.screens.values():
            self.stack.addWidget(screen)
        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        self.step_label = QLabel()
        self.step_label.setProperty("role", "muted")
        self.step_label.setContentsMargins(40, 10, 40, 0)
        self.step_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        binder.bind(self.step_label.setText, self._step_text)
        binder.bind(self.step_label.setAccessibleName, self._step_text)
        lay.addWidget(self.step_label)
        lay.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.resize(1100, 800)
        self.setMinimumSize(720, 560)
        journey.step_changed.connect(self._show)
        self._current: Step | None = None
        self._show(int(journey.step))

    def _step_text(self, lang: str) -> str:
        return S.STEP_OF.format(n=int(self.journey.step), total=len(Step))(lang)

    def screen_for(self, step: Step) -> QWidget:
        return self.screens[step]

    def _show(self, step_value: int) -> None:
        step = Step(step_value)
        if self._current is not None and self._current != step:
            old = self.screens[self._current]
            old.on_hidden()  # type: ignore[attr-defined]
        self._current = step
        screen = self.screens[step]
        self.stack.setCurrentWidget(screen)
        text = self._step_text(self.journey.language.lang)
        self.step_label.setText(text)
        self.step_label.setAccessibleName(text)
        screen.on_shown()  # type: ignore[attr-defined]
        target = screen.first_focus()  # type: ignore[attr-defined]
        if target is not None and target.isVisibleTo(self):
            target.setFocus(Qt.FocusReason.OtherFocusReason)
        title = screen.accessibleName()
        w.announce(screen, title)

    def bring_to_front(self) -> None:
        self.setWindowState(
            (self.windowState() & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive
        )
        self.show()
        self.raise_()
        self.activateWindow()

    def event(self, event: QEvent) -> bool:
        # Qt may recreate the native window (new WinId); the OS capture exclusion is per native
        # window, so ask again while the consultation is on screen (capture_guard docstring).
        if event.type() == QEvent.Type.WinIdChange and self._current == Step.CONSULTATION:
            self.consultation.exclude_from_capture()
        return super().event(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        # Hide first: leaving a running call ends it over the network (bounded, on the call's
        # worker thread, joined here); the patient must not watch a window that stopped drawing.
        self.hide()
        self.journey.shutdown()
        super().closeEvent(event)
