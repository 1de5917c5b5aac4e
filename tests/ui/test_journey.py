"""The controller: which screen follows which patient action or call event."""

from __future__ import annotations

import pytest

from videotime_client.texts import Text
from videotime_client.ui.journey import Step

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


def test_whole_journey_from_link_to_ended(parts, services) -> None:
    j = parts.journey
    window = parts.window
    assert j.step == Step.HOME
    assert window.stack.currentWidget() is window.home
    j.open_link("123456")
    assert j.step == Step.APPOINTMENT
    assert window.appointment.countdown.text() == "Timen starter om 5 minutter."
    assert [a.id for a in j.home.appointments] == ["a1", "123456"]
    j.test_equipment()
    assert j.step == Step.EQUIPMENT
    assert "start_check" in services.names()
    j.equipment.set_overall(
        "good",
        Text(
            nb="Utstyrstest: Kamera OK, mikrofon OK.", nn="Utstyrstest: Kamera OK.", en="Camera OK."
        ),
    )
    j.prepare_to_join()
    assert j.step == Step.BEFORE_JOINING
    assert services.names()[-2:] == ["stop_check", "start_preview"]
    j.enter_waiting_room()
    assert j.step == Step.BEFORE_JOINING  # no name yet: stay
    j.options.update(display_name="Kari", start_muted=True)
    j.enter_waiting_room()
    assert j.step == Step.WAITING_ROOM
    assert services.names()[-1] == "start_call"
    assert j.call.muted is True
    j.call.set_state("connecting")
    j.call.set_state("waiting_for_host")
    j.call.add_chat("Hei, jeg er lege Hansen.")
    j.call.set_state("in_consultation")
    assert j.step == Step.INTRODUCTIONS
    assert j.intro.clinician_intro == ["Hei, jeg er lege Hansen."]
    j.intro.set_alone(True)
    assert parts.window.introductions.share.isVisibleTo(parts.window.introductions)
    assert j.intro.share_check is False  # opt-in: only if the patient agrees
    j.intro.update(no_recording=True, share_check=True)
    j.send_declaration()
    assert services.chat == [
        "Fra pasienten: Jeg er alene i rommet. Jeg gjør ikke opptak av samtalen. "
        "Utstyrstest: Kamera OK, mikrofon OK."
    ]
    j.send_declaration()
    assert len(services.chat) == 1  # sent once
    j.start_consultation()
    assert j.step == Step.INTRODUCTIONS  # the checklist is not ticked yet
    j.intro.tick("me", True)
    j.intro.tick("clinician", True)
    j.start_consultation()
    assert j.step == Step.CONSULTATION
    j.set_muted(False)
    assert ("set_muted", (False,)) in services.calls
    assert j.call.muted is False
    j.hang_up()
    assert services.names()[-1] == "leave"
    j.call.end("ended", "left", None)
    assert j.step == Step.ENDED
    assert window.ended.reason.text() == "Du la på."
    j.finish()
    assert j.step == Step.HOME
    assert j.reached == set(Step)


def test_bad_link_stays_home_with_the_reason(parts) -> None:
    parts.journey.open_link("javascript:alert(1)")
    assert parts.journey.step == Step.HOME
    assert parts.window.home.error.text() == "Lenken er ugyldig."


def test_a_link_never_interrupts_a_running_call(parts, services) -> None:
    j = parts.journey
    j.open_appointment("a1")
    j.options.update(display_name="Kari")
    j.enter_waiting_room()
    j.call.set_state("connecting")
    j.open_link("654321")
    assert j.step == Step.WAITING_ROOM
    assert ("open_link", "654321") not in services.calls


def test_leaving_the_waiting_room_says_so(parts) -> None:
    j = parts.journey
    j.open_appointment("a1")
    j.options.update(display_name="Kari")
    j.enter_waiting_room()
    j.call.set_state("connecting")
    j.call.set_state("waiting_for_host")
    j.hang_up()
    j.call.end("ended", "left", None)
    assert parts.window.ended.reason.text() == "Du gikk ut av venterommet."


def test_clinician_stepping_out_returns_to_the_waiting_room(parts) -> None:
    j = parts.journey
    j.open_appointment("a1")
    j.options.update(display_name="Kari")
    j.enter_waiting_room()
    j.call.set_state("connecting")
    j.call.set_state("in_consultation")
    assert j.step == Step.INTRODUCTIONS
    j.call.set_state("waiting_for_host")
    assert j.step == Step.WAITING_ROOM


def test_failure_goes_to_ended_with_the_phone(parts) -> None:
    j = parts.journey
    j.open_appointment("a1")
    j.options.update(display_name="Kari")
    j.enter_waiting_room()
    j.call.set_state("connecting")
    j.call.end("failed", "signalling", None)
    assert j.step == Step.ENDED
    assert parts.window.ended.failure_phone.isVisibleTo(parts.window.ended)
    assert parts.window.ended.failure_phone.text() == "Telefon til avdelingen: 22 11 80 80"


def test_uncaught_errors_become_a_friendly_message(parts, qtbot, caplog) -> None:
    import sys

    from videotime_client.errors import VideotimeError

    with qtbot.waitSignal(parts.reporter.shown) as sig:
        try:
            raise RuntimeError("secret internals")
        except RuntimeError:
            sys.excepthook(*sys.exc_info())
    assert sig.args == [
        "Det oppstod en uventet feil. Prøv igjen, eller ring avdelingen som "
        "sendte deg innkallingsbrevet."
    ]
    assert "secret internals" in caplog.text  # the log keeps it for support, not the patient
    with qtbot.waitSignal(parts.reporter.shown) as sig:
        err = VideotimeError(
            Text(nb="Noden svarer ikke.", nn="Noden svarar ikkje.", en="No answer.")
        )
        sys.excepthook(type(err), err, None)
    assert sig.args == ["Noden svarer ikke."]


def test_error_dialog_uses_our_words(qtbot, qapp) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from videotime_client.ui.errors import ErrorReporter
    from videotime_client.ui.i18n import LanguageModel

    reporter = ErrorReporter(LanguageModel("nn"), lambda: None)
    seen: list[str] = []

    def close_box() -> None:
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QMessageBox) and w.isVisible():
                seen.append(w.windowTitle())
                seen.extend(b.text() for b in w.buttons())
                w.accept()

    QTimer.singleShot(200, close_box)
    reporter._show("Noko gjekk gale.")
    assert seen == ["Noko gjekk gale", "OK"]


def test_a_room_that_wants_a_pin_asks_for_it_before_joining(parts, services) -> None:
    j = parts.journey
    screen = parts.window.before_join
    j.open_appointment("a1")
    j.prepare_to_join()
    assert not screen.pin.isVisibleTo(screen)
    j.options.update(display_name="Kari")
    j.enter_waiting_room()
    j.call.set_state("connecting")
    message = Text(
        nb="Skriv PIN-koden fra innkallingsbrevet.", nn="Skriv PIN-koden.", en="Type the PIN."
    )
    j.call.end("failed", "pexip.pin_required", message)
    assert j.step == Step.BEFORE_JOINING
    assert screen.pin.isVisibleTo(screen)
    assert screen.pin_error.text() == "Skriv PIN-koden fra innkallingsbrevet."
    assert not screen.join_button.isEnabled()
    screen.pin.setText("1234")
    screen.pin.textEdited.emit("1234")
    assert screen.join_button.isEnabled()
    assert screen.pin.echoMode() == screen.pin.EchoMode.Password
    screen.join_button.click()
    assert j.step == Step.WAITING_ROOM
    assert services.names()[-1] == "start_call"
    assert j.options.pin == "1234"


def test_a_second_call_starts_clean(parts) -> None:
    j = parts.journey
    intro = parts.window.introductions
    consultation = parts.window.consultation
    j.open_appointment("a1")
    j.options.update(display_name="Kari")
    j.enter_waiting_room()
    j.call.set_state("connecting")
    j.call.add_chat("Hei fra første samtale.")
    j.call.set_state("in_consultation")
    intro.not_alone.click()
    name = intro._rows[0][0]
    name.setText("Ola")
    name.textEdited.emit("Ola")
    j.call.set_state("reconnecting")
    assert consultation.banner.isVisibleTo(consultation)
    j.call.end("ended", "left", None)
    j.finish()
    j.open_appointment("a1")
    j.enter_waiting_room()
    assert consultation.chat.count() == 0
    assert not consultation.banner.isVisibleTo(consultation)
    assert not intro.alone.isChecked()
    assert not intro.not_alone.isChecked()
    assert intro._rows[0][0].text() == ""
    assert j.intro.clinician_intro == []
