"""The view models: plain state plus Qt signals, one per screen concern.

Views take one of these and subscribe to its signals; they never talk to the network, the media
thread or the store.  The :mod:`~videotime_client.ui.journey` controller (and, through it, the
core: the call engine via ``ui.bridge``, the pre-flight runner, the appointment store) writes
into the models.  Tests build a model, wrap the view with ``qtbot``, change the model and assert
on the view (code-style anchors §7.2).

Everything here runs on the GUI thread only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from videotime_client.texts import Text
from videotime_client.ui.bridge import FrameMailbox

JOIN_PROMINENT_S = 10 * 60  # "Join" becomes the main action 10 minutes before the start
# Messages from the clinician kept (and shown): every queue is bounded, even one a misbehaving
# conference could fill; a consultation has a handful, so nobody ever sees the cut.
CHAT_MAX = 200


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --------------------------------------------------------------------------- home / appointment


@dataclass(frozen=True, slots=True)
class AppointmentView:
    """What the screens show about one appointment (no PIN: it stays in the keyring)."""

    id: str
    start: dt.datetime | None
    department: str | None
    phone: str | None
    display_name: str | None = None
    source: Any = None  # the core Appointment/Invitation, for the controller

    @classmethod
    def from_core(cls, appointment: Any) -> AppointmentView:
        return cls(
            id=str(getattr(appointment, "id", "") or getattr(appointment, "alias", "")),
            start=getattr(appointment, "start", None),
            department=getattr(appointment, "department", None),
            phone=getattr(appointment, "phone", None),
            display_name=getattr(appointment, "display_name", None),
            source=appointment,
        )


class HomeModel(QObject):
    """The list of saved appointments and the result of the last opened link."""

    appointments_changed = Signal()
    link_error_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.appointments: list[AppointmentView] = []
        self.link_error: Text | None = None

    def set_appointments(self, appointments: list[AppointmentView]) -> None:
        self.appointments = list(appointments)
        self.appointments_changed.emit()

    def set_link_error(self, error: Text | None) -> None:
        self.link_error = error
        self.link_error_changed.emit()


class AppointmentModel(QObject):
    """One appointment and the time until it starts; ticks every second while shown."""

    changed = Signal()
    tick = Signal()

    def __init__(
        self, clock: Callable[[], dt.datetime] = utc_now, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.clock = clock
        self.appointment: AppointmentView | None = None
        self.notice: Text | None = None  # a one-off remark from opening the link
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.tick.emit)

    def set_appointment(self, appointment: AppointmentView | None) -> None:
        self.appointment = appointment
        self.changed.emit()

    def set_notice(self, notice: Text | None) -> None:
        self.notice = notice
        self.changed.emit()

    def start_ticking(self) -> None:
        self._timer.start()

    def stop_ticking(self) -> None:
        self._timer.stop()

    @property
    def seconds_until(self) -> float | None:
        if self.appointment is None or self.appointment.start is None:
            return None
        return (self.appointment.start - self.clock()).total_seconds()

    @property
    def join_prominent(self) -> bool:
        """True from 10 minutes before the start (or when the start is unknown)."""
        left = self.seconds_until
        return left is None or left <= JOIN_PROMINENT_S

    @property
    def phone(self) -> str | None:
        return self.appointment.phone if self.appointment else None


# --------------------------------------------------------------------------- equipment check


@dataclass
class CheckState:
    """One check's row: ``verdict`` is None while it runs (or before it starts)."""

    name: str
    verdict: str | None = None  # good / limited / cannot / not_run
    problems: tuple[str, ...] = ()
    advice: Text | None = None
    measurements: dict[str, Any] = field(default_factory=dict)


class EquipmentModel(QObject):
    """The pre-flight check as the screen sees it."""

    check_changed = Signal(str)
    overall_changed = Signal()
    running_changed = Signal(bool)
    level_changed = Signal(float)  # microphone dBFS
    question_changed = Signal()  # a yes/no question is waiting (or was answered)
    answered = Signal(str, bool)  # (question code, answer) -> the controller

    CHECKS = ("camera", "lighting", "microphone", "speaker", "battery", "network", "cpu")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.self_view = FrameMailbox()
        self.reset()

    def reset(self) -> None:
        self.checks: dict[str, CheckState] = {n: CheckState(n) for n in self.CHECKS}
        self.overall: str | None = None
        self.running = False
        self.level_dbfs: float | None = None
        self.question: tuple[str, Text] | None = None
        self.summary: Text | None = None
        self.report: Any = None
        for name in self.CHECKS:
            self.check_changed.emit(name)
        self.overall_changed.emit()

    def set_running(self, running: bool) -> None:
        self.running = running
        self.running_changed.emit(running)

    def set_result(
        self,
        name: str,
        verdict: str | None,
        problems: tuple[str, ...] = (),
        advice: Text | None = None,
        measurements: dict[str, Any] | None = None,
    ) -> None:
        self.checks[name] = CheckState(
            name, verdict, tuple(problems), advice, dict(measurements or {})
        )
        self.check_changed.emit(name)

    def set_overall(
        self, verdict: str | None, summary: Text | None = None, report: Any = None
    ) -> None:
        self.overall = verdict
        self.summary = summary
        self.report = report
        self.overall_changed.emit()

    def set_level(self, dbfs: float) -> None:
        self.level_dbfs = dbfs
        self.level_changed.emit(dbfs)

    def ask(self, code: str, question: Text) -> None:
        self.question = (code, question)
        self.question_changed.emit()

    def answer(self, yes: bool) -> None:
        if self.question is None:
            return
        code, _ = self.question
        self.question = None
        self.question_changed.emit()
        self.answered.emit(code, yes)

    @property
    def lighting_problems(self) -> tuple[str, ...]:
        return self.checks["lighting"].problems

    @property
    def can_join(self) -> bool:
        return self.overall in ("good", "limited", "not_run")


# --------------------------------------------------------------------------- before joining


@dataclass(frozen=True, slots=True)
class Device:
    id: str
    label: str | Text


class JoinOptionsModel(QObject):
    """Devices, display name and start-muted choices for the call."""

    devices_changed = Signal()
    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.cameras: list[Device] = []
        self.microphones: list[Device] = []
        self.speakers: list[Device] = []
        self.camera: str | None = None
        self.microphone: str | None = None
        self.speaker: str | None = None
        self.display_name = ""
        self.start_muted = False
        self.start_camera_off = False
        self.pin = ""  # typed by the patient when the room asks for one (never stored)
        self.pin_needed = False
        self.pin_error: Text | None = None
        self.self_view = FrameMailbox()

    def set_devices(
        self, cameras: list[Device], microphones: list[Device], speakers: list[Device]
    ) -> None:
        self.cameras, self.microphones, self.speakers = cameras, microphones, speakers
        self.camera = (
            self.camera
            if any(d.id == self.camera for d in cameras)
            else (cameras[0].id if cameras else None)
        )
        self.microphone = (
            self.microphone
            if any(d.id == self.microphone for d in microphones)
            else (microphones[0].id if microphones else None)
        )
        self.speaker = (
            self.speaker
            if any(d.id == self.speaker for d in speakers)
            else (speakers[0].id if speakers else None)
        )
        self.devices_changed.emit()

    def update(self, **values: Any) -> None:
        for key, value in values.items():
            if not hasattr(self, key):
                raise AttributeError(key)
            setattr(self, key, value)
        self.changed.emit()

    @property
    def ready(self) -> bool:
        if self.pin_needed and not self.pin.strip():
            return False
        return bool(self.display_name.strip())


# --------------------------------------------------------------------------- the call


CALL_STATES = (
    "idle",
    "connecting",
    "waiting_for_host",
    "in_consultation",
    "reconnecting",
    "ended",
    "failed",
)


@dataclass(frozen=True, slots=True)
class EncryptionInfo:
    dtls_state: str | None = None
    cipher: str | None = None
    srtp_profile: str | None = None
    fingerprint: str | None = None
    fingerprint_verified: bool = False

    @property
    def encrypted(self) -> bool:
        return self.dtls_state == "connected"


class CallModel(QObject):
    """The call as the screens see it (state, quality, encryption, chat, remote picture)."""

    state_changed = Signal(str)
    quality_changed = Signal()
    encryption_changed = Signal()
    chat_received = Signal(str)  # the message text
    muted_changed = Signal(bool)
    camera_changed = Signal(bool)
    ended = Signal()
    waiting_since_changed = Signal()
    cleared = Signal()  # a new call starts: views drop what they showed of the last one

    def __init__(
        self, clock: Callable[[], dt.datetime] = utc_now, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.clock = clock
        self.remote_video = FrameMailbox()
        self.self_view = FrameMailbox()
        self.reset()

    def reset(self) -> None:
        self.state = "idle"
        self.quality: str | None = None  # good / fair / poor
        self.encryption = EncryptionInfo()
        self.chat: list[str] = []
        self.muted = False
        self.camera_on = True
        self.end_reason_code: str | None = None
        self.end_message: Text | None = None
        self.waiting_since: dt.datetime | None = None
        self.remote_video.take()  # drop a picture left from the last call
        self.cleared.emit()

    def set_state(self, state: str) -> None:
        if state not in CALL_STATES:
            raise ValueError(f"unknown call state {state!r}")
        if state == self.state:
            return
        if state == "waiting_for_host" and self.waiting_since is None:
            self.waiting_since = self.clock()
            self.waiting_since_changed.emit()
        self.state = state
        self.state_changed.emit(state)
        if state in ("ended", "failed"):
            self.ended.emit()

    def end(self, state: str, reason_code: str | None, message: Text | None) -> None:
        # The engine says "left" for every patient hang-up; keep the finer "left_waiting"
        # the journey set when the patient left the waiting room.
        if not (reason_code == "left" and self.end_reason_code == "left_waiting"):
            self.end_reason_code = reason_code
        self.end_message = message
        self.set_state(state)

    def set_quality(self, quality: str | None) -> None:
        if quality not in (None, "good", "fair", "poor"):
            raise ValueError(f"unknown quality {quality!r}")
        if quality != self.quality:
            self.quality = quality
            self.quality_changed.emit()

    def set_encryption(self, info: EncryptionInfo) -> None:
        self.encryption = info
        self.encryption_changed.emit()

    def add_chat(self, text: str) -> None:
        self.chat.append(text)
        del self.chat[:-CHAT_MAX]
        self.chat_received.emit(text)

    def set_muted(self, muted: bool) -> None:
        if muted != self.muted:
            self.muted = muted
            self.muted_changed.emit(muted)

    def set_camera_on(self, on: bool) -> None:
        if on != self.camera_on:
            self.camera_on = on
            self.camera_changed.emit(on)

    @property
    def active(self) -> bool:
        return self.state in ("connecting", "waiting_for_host", "in_consultation", "reconnecting")


# --------------------------------------------------------------------------- introductions


@dataclass
class Companion:
    name: str = ""
    relation: str = ""


class IntroductionsModel(QObject):
    """Who is in the room, the no-recording promise, the checklist."""

    changed = Signal()
    sent_changed = Signal()
    clinician_intro_changed = Signal()

    CHECKLIST = ("me", "mine", "clinician")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.reset()

    def reset(self) -> None:
        self.alone: bool | None = None
        self.companions: list[Companion] = [Companion()]
        self.no_recording = False
        # Sharing the equipment-check summary is opt-in ("if the patient agrees"), and only
        # offered when a check was run.
        self.share_check = False
        self.summary_available = False
        self.sent = False
        self.checked: dict[str, bool] = dict.fromkeys(self.CHECKLIST, False)
        self.clinician_intro: list[str] = []
        self.changed.emit()
        self.clinician_intro_changed.emit()

    def set_alone(self, alone: bool) -> None:
        self.alone = alone
        if alone:
            self.checked["mine"] = False
        self.changed.emit()

    def set_companion(
        self, index: int, name: str | None = None, relation: str | None = None
    ) -> None:
        c = self.companions[index]
        if name is not None:
            c.name = name
        if relation is not None:
            c.relation = relation
        self.changed.emit()

    def add_companion(self) -> None:
        self.companions.append(Companion())
        self.changed.emit()

    def remove_companion(self, index: int) -> None:
        del self.companions[index]
        if not self.companions:
            self.companions.append(Companion())
        self.changed.emit()

    def update(self, **values: Any) -> None:
        for key, value in values.items():
            if key not in ("no_recording", "share_check", "summary_available"):
                raise AttributeError(key)
            setattr(self, key, value)
        self.changed.emit()

    def tick(self, item: str, value: bool) -> None:
        self.checked[item] = value
        self.changed.emit()

    def add_clinician_message(self, text: str) -> None:
        self.clinician_intro.append(text)
        del self.clinician_intro[:-CHAT_MAX]
        self.clinician_intro_changed.emit()

    def mark_sent(self) -> None:
        self.sent = True
        self.sent_changed.emit()
        self.changed.emit()

    @property
    def named_companions(self) -> list[Companion]:
        return [c for c in self.companions if c.name.strip()]

    @property
    def can_send(self) -> bool:
        if self.alone is None or not self.no_recording:
            return False
        return self.alone or bool(self.named_companions)

    @property
    def needed_checks(self) -> tuple[str, ...]:
        return ("me", "clinician") if self.alone else self.CHECKLIST

    @property
    def can_continue(self) -> bool:
        return self.sent and all(self.checked[i] for i in self.needed_checks)
