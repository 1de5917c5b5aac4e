"""The patient's journey: which screen is current, and what each patient action does.

``Journey`` owns the view models and moves between the steps::

    home → appointment → (equipment check) → before joining → waiting room → introductions
         → consultation → ended → home

It never blocks: opening a link is pure parsing plus one small file write; the equipment check
and the call run on the media thread behind the injected :class:`Services`, which report back
into the models through queued signals (``ui/services.py``, over the one bridge).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

from videotime_client.errors import VideotimeError
from videotime_client.texts import Text
from videotime_client.ui.declaration import declaration
from videotime_client.ui.i18n import Binder, LanguageModel
from videotime_client.ui.models import (
    AppointmentModel,
    AppointmentView,
    CallModel,
    EquipmentModel,
    HomeModel,
    IntroductionsModel,
    JoinOptionsModel,
    utc_now,
)

log = logging.getLogger(__name__)


# The node's answers that mean "type the PIN from your letter" (pexip.errors).
PIN_CODES = frozenset({"pexip.pin_required", "pexip.invalid_pin"})


class Step(enum.IntEnum):
    HOME = 1
    APPOINTMENT = 2
    EQUIPMENT = 3
    BEFORE_JOINING = 4
    WAITING_ROOM = 5
    INTRODUCTIONS = 6
    CONSULTATION = 7
    ENDED = 8

    @property
    def slug(self) -> str:
        return self.name.lower().replace("_", "-")


class Services(Protocol):
    """What the journey needs from the rest of the app (real ones in ``ui/services.py``)."""

    def list_appointments(self) -> list[AppointmentView]: ...
    def open_link(self, text: str) -> AppointmentView: ...  # raises VideotimeError
    def take_notice(self) -> Text | None: ...  # e.g. "the PIN is not saved on this computer"
    def start_preview(self, options: JoinOptionsModel) -> None: ...
    def stop_preview(self) -> None: ...
    def start_check(
        self, appointment: AppointmentView, model: EquipmentModel, lang: str
    ) -> None: ...
    def answer_check(self, code: str, yes: bool) -> None: ...
    def stop_check(self) -> None: ...
    def start_call(
        self, appointment: AppointmentView, options: JoinOptionsModel, call: CallModel
    ) -> None: ...
    def send_chat(self, text: str) -> None: ...
    def set_muted(self, muted: bool) -> None: ...
    def set_camera(self, on: bool) -> None: ...
    def leave(self) -> None: ...
    def shutdown(self) -> None: ...


class Journey(QObject):
    step_changed = Signal(int)

    def __init__(
        self,
        services: Services,
        language: LanguageModel,
        *,
        clock: Callable[[], Any] = utc_now,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.language = language
        self.binder = Binder(language)
        self.home = HomeModel(self)
        self.appointment = AppointmentModel(clock, self)
        self.equipment = EquipmentModel(self)
        self.options = JoinOptionsModel(self)
        self.call = CallModel(clock, self)
        self.intro = IntroductionsModel(self)
        self.step = Step.HOME
        self.reached: set[Step] = {Step.HOME}
        self.equipment.answered.connect(self.services.answer_check)
        self.call.state_changed.connect(self._on_call_state)
        self.call.chat_received.connect(self._on_chat)

    # ------------------------------------------------------------------ navigation
    def go(self, step: Step) -> None:
        previous = self.step
        if step == previous:
            return
        if previous in (Step.EQUIPMENT,) and step != Step.EQUIPMENT:
            self.services.stop_check()
        if previous == Step.BEFORE_JOINING and step not in (Step.WAITING_ROOM,):
            self.services.stop_preview()
        self.step = step
        self.reached.add(step)
        log.info("journey step: %s", step.slug)
        self.step_changed.emit(int(step))

    def reload_appointments(self) -> None:
        try:
            self.home.set_appointments(self.services.list_appointments())
        except VideotimeError as exc:
            self.home.set_link_error(exc.message)

    # ------------------------------------------------------------------ home
    def open_link(self, text: str) -> None:
        """A link (pasted, dropped, typed, or from the OS) → its appointment screen."""
        if self.call.active:
            # Never drop a running consultation for a link clicked by mistake.
            log.info("link ignored: a call is running")
            return
        try:
            appointment = self.services.open_link(text)
        except VideotimeError as exc:
            self.home.set_link_error(exc.message)
            self.go(Step.HOME)
            return
        self.home.set_link_error(None)
        self.reload_appointments()
        self.show_appointment(appointment)
        self.appointment.set_notice(self.services.take_notice())

    def open_appointment(self, appointment_id: str) -> None:
        for appt in self.home.appointments:
            if appt.id == appointment_id:
                self.show_appointment(appt)
                return

    def show_appointment(self, appointment: AppointmentView) -> None:
        self.appointment.set_notice(None)
        self.appointment.set_appointment(appointment)
        self.options.update(pin="", pin_needed=False, pin_error=None)
        if appointment.display_name and not self.options.display_name:
            self.options.update(display_name=appointment.display_name)
        self.go(Step.APPOINTMENT)

    # ------------------------------------------------------------------ equipment check
    def test_equipment(self) -> None:
        if self.appointment.appointment is None:
            return
        self.equipment.reset()
        self.go(Step.EQUIPMENT)
        self.services.start_check(self.appointment.appointment, self.equipment, self.language.lang)

    def check_again(self) -> None:
        self.services.stop_check()
        self.test_equipment()

    # ------------------------------------------------------------------ joining
    def prepare_to_join(self) -> None:
        self.go(Step.BEFORE_JOINING)
        self.services.start_preview(self.options)

    def enter_waiting_room(self) -> None:
        appt = self.appointment.appointment
        if appt is None or not self.options.ready:
            return
        self.options.update(pin_error=None)
        self.call.reset()
        self.intro.reset()
        self.call.set_muted(self.options.start_muted)
        self.call.set_camera_on(not self.options.start_camera_off)
        self.go(Step.WAITING_ROOM)
        self.services.start_call(appt, self.options, self.call)

    def _on_call_state(self, state: str) -> None:
        if state == "failed" and self.call.end_reason_code in PIN_CODES:
            # The room wants a (different) PIN: ask for it where the name is typed.
            self.options.update(pin="", pin_needed=True, pin_error=self.call.end_message)
            self.go(Step.BEFORE_JOINING)
            return
        if state == "in_consultation" and self.step == Step.WAITING_ROOM:
            self.intro.update(summary_available=self.equipment.summary is not None)
            self.go(Step.INTRODUCTIONS)
        elif state == "waiting_for_host" and self.step in (Step.INTRODUCTIONS, Step.CONSULTATION):
            # The clinician left for a moment: the node puts us back in the waiting room.
            self.go(Step.WAITING_ROOM)
        elif state in ("ended", "failed"):
            self.go(Step.ENDED)

    def _on_chat(self, text: str) -> None:
        if self.step in (Step.WAITING_ROOM, Step.INTRODUCTIONS) or not self.intro.sent:
            self.intro.add_clinician_message(text)

    # ------------------------------------------------------------------ introductions
    def send_declaration(self) -> None:
        if not self.intro.can_send or self.intro.sent:
            return
        summary: Text | None = self.equipment.summary
        self.services.send_chat(declaration(self.intro, self.language.lang, summary))
        self.intro.mark_sent()

    def start_consultation(self) -> None:
        if self.intro.can_continue:
            self.go(Step.CONSULTATION)

    # ------------------------------------------------------------------ in the call
    def set_muted(self, muted: bool) -> None:
        self.services.set_muted(muted)
        self.call.set_muted(muted)

    def set_camera(self, on: bool) -> None:
        self.services.set_camera(on)
        self.call.set_camera_on(on)

    def hang_up(self) -> None:
        """Leave: from the waiting room or the consultation (the engine reports ``ended``)."""
        if self.step == Step.WAITING_ROOM and self.call.state != "in_consultation":
            self.call.end_reason_code = "left_waiting"
        self.services.leave()

    def finish(self) -> None:
        self.reload_appointments()
        self.go(Step.HOME)

    def shutdown(self) -> None:
        self.services.shutdown()
