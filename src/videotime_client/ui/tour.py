"""The automatic tour: walks the whole journey like a patient would and saves one PNG per screen.

It only drives the journey and the views (the same calls a click makes); everything behind
them is real — the embedded node, the pre-flight runner, the call engine.  Each step waits (with
a deadline) for the *outcome* it needs, e.g. the waiting room is photographed once the node has
put us there, the consultation once the clinician's picture is on screen.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from videotime_client.ui.journey import Step
from videotime_client.ui.main_window import MainWindow

log = logging.getLogger(__name__)

TICK_MS = 100
SHOT_NAMES = {
    Step.HOME: "01-home.png",
    Step.APPOINTMENT: "02-appointment.png",
    Step.EQUIPMENT: "03-equipment-check.png",
    Step.BEFORE_JOINING: "04-before-joining.png",
    Step.WAITING_ROOM: "05-waiting-room.png",
    Step.INTRODUCTIONS: "06-introductions.png",
    Step.CONSULTATION: "07-consultation.png",
    Step.ENDED: "08-ended.png",
}


@dataclass
class _Stage:
    step: Step
    ready: Callable[[], bool]
    act: Callable[[], None]
    timeout_s: float


class Tour(QObject):
    """Drives ``window.journey`` through every step; ``finished(ok)`` at the end."""

    finished = Signal(bool)

    def __init__(
        self, window: MainWindow, link: str, shots: Path | None, display_name: str = "Demo Pasient"
    ) -> None:
        super().__init__(window)
        self.window = window
        self.journey = window.journey
        self.link = link
        self.shots = shots
        self.display_name = display_name
        self.reached: list[Step] = []
        self.verdicts: dict[str, str] = {}  # the equipment check's results, for the summary
        self.saved: list[Path] = []
        self.failure: str | None = None
        j = self.journey
        self._stages = [
            _Stage(Step.HOME, lambda: True, lambda: j.open_link(self.link), 10),
            _Stage(Step.APPOINTMENT, lambda: j.step == Step.APPOINTMENT, j.test_equipment, 10),
            _Stage(Step.EQUIPMENT, self._check_done, j.prepare_to_join, 40),
            _Stage(Step.BEFORE_JOINING, self._preview_ready, self._enter, 15),
            _Stage(Step.WAITING_ROOM, self._waiting, lambda: None, 40),
            _Stage(Step.INTRODUCTIONS, self._introduced, self._start_consultation, 60),
            _Stage(Step.CONSULTATION, self._consulting, self._hang_up, 40),
            _Stage(Step.ENDED, lambda: j.step == Step.ENDED, lambda: None, 30),
        ]
        self._index = 0
        self._deadline = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        if self.shots is not None:
            self.shots.mkdir(parents=True, exist_ok=True)
        self._arm()
        self._timer.start()

    # ------------------------------------------------------------------ conditions
    def _check_done(self) -> bool:
        eq = self.journey.equipment
        if eq.question is not None:
            code = eq.question[0]
            # Yes to "did you hear…"; no to optional extras ("offer_…") to keep the tour short.
            eq.answer(not code.startswith("offer"))
        return (
            self.journey.step == Step.EQUIPMENT
            and eq.overall is not None
            and not eq.running
            and self.window.equipment.self_view.frames_shown > 0
        )

    def _preview_ready(self) -> bool:
        if self.journey.step != Step.BEFORE_JOINING:
            return False
        if not self.journey.options.display_name:
            self.window.before_join.name.setText(self.display_name)
            self.journey.options.update(display_name=self.display_name)
        return self.window.before_join.self_view.frames_shown > 0

    def _enter(self) -> None:
        self.window.before_join.join_button.click()

    def _waiting(self) -> bool:
        call = self.journey.call
        return (
            self.journey.step == Step.WAITING_ROOM and call.state == "waiting_for_host"
        ) or self.journey.step == Step.INTRODUCTIONS

    def _introduced(self) -> bool:
        j = self.journey
        if j.step != Step.INTRODUCTIONS:
            return False
        screen = self.window.introductions
        if j.intro.alone is None:
            screen.alone.click()
            screen.no_recording.setChecked(True)
            if screen.share.isVisible():
                screen.share.setChecked(True)  # the patient agrees to share the check
        if not j.intro.sent and j.intro.can_send:
            screen.send_button.click()
        if j.intro.sent and j.intro.clinician_intro:
            for item in j.intro.needed_checks:
                box = screen.checks[item]
                if not box.isChecked():  # type: ignore[attr-defined]
                    box.click()  # type: ignore[attr-defined]
        return j.intro.can_continue

    def _start_consultation(self) -> None:
        self.window.introductions.continue_button.click()

    def _consulting(self) -> bool:
        j = self.journey
        screen = self.window.consultation
        ready = (
            j.step == Step.CONSULTATION
            and screen.remote.frames_shown >= 10
            and j.call.encryption.encrypted
            and j.call.quality is not None
        )
        if ready and not screen.details.isVisible():
            screen.lock.click()  # show the encryption details in the picture
        return ready

    def _hang_up(self) -> None:
        screen = self.window.consultation
        screen.hang_up_button.click()
        screen.confirm_yes.click()

    # ------------------------------------------------------------------ engine
    def _arm(self) -> None:
        self._deadline = time.monotonic() + self._stages[self._index].timeout_s

    def _tick(self) -> None:
        stage = self._stages[self._index]
        try:
            ready = stage.ready()
        except Exception:
            log.exception("tour step %s failed", stage.step.slug)
            ready = False
        if not ready:
            if self.journey.step == Step.ENDED and stage.step != Step.ENDED:
                self._fail(
                    f"the call ended early during {stage.step.slug} "
                    f"({self.journey.call.end_reason_code})"
                )
            elif time.monotonic() > self._deadline:
                self._fail(f"timed out waiting for {stage.step.slug}")
            return
        if self.journey.step != stage.step:
            self._fail(f"expected {stage.step.slug}, the app is at {self.journey.step.slug}")
            return
        self.reached.append(stage.step)
        self._record(stage.step)
        self._shoot(stage.step)
        self._index += 1
        stage.act()
        if self._index >= len(self._stages):
            self._timer.stop()
            self.finished.emit(True)
            return
        self._arm()

    def _record(self, step: Step) -> None:
        if step == Step.EQUIPMENT:
            eq = self.journey.equipment
            self.verdicts = {n: s.verdict or "pending" for n, s in eq.checks.items()}
            self.verdicts["overall"] = eq.overall or "pending"

    def _shoot(self, step: Step) -> None:
        if self.shots is None:
            return
        for view in self.window.findChildren(type(self.window.equipment.self_view)):
            view.poll()
        path = self.shots / SHOT_NAMES[step]
        if self.window.grab().save(str(path)):
            self.saved.append(path)
        else:
            self._fail(f"could not save {path}")

    def _fail(self, why: str) -> None:
        if self.failure is None:
            self.failure = why
            log.error("tour failed: %s", why)
            self._timer.stop()
            self.finished.emit(False)
