"""Model-first view tests: build a model, wrap the view, change the model, assert on the view."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from tests.ui.conftest import NOW, Clock
from videotime_client.texts import Text
from videotime_client.ui.models import (
    AppointmentModel,
    AppointmentView,
    CallModel,
    EncryptionInfo,
    EquipmentModel,
    HomeModel,
    IntroductionsModel,
    JoinOptionsModel,
)

APPT = AppointmentView(
    "a1", NOW + dt.timedelta(minutes=30), "Nevrologisk poliklinikk", "22 11 80 80"
)

# The offscreen platform cannot pass size hints to a window manager; harmless.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


def appointment_model(clock: Clock, appt: AppointmentView | None = APPT) -> AppointmentModel:
    m = AppointmentModel(clock)
    m.set_appointment(appt)
    return m


# ------------------------------------------------------------------ home
def test_home_lists_appointments_and_reports_link_errors(qtbot, binder) -> None:
    from videotime_client.ui.screens.home import HomeScreen

    model = HomeModel()
    view = HomeScreen(model, binder)
    qtbot.addWidget(view)
    assert view.empty.isVisibleTo(view)
    assert not view.list.isVisibleTo(view)
    model.set_appointments([APPT])
    assert view.list.count() == 1
    assert "Nevrologisk poliklinikk" in view.list.item(0).text()
    with qtbot.waitSignal(view.open_appointment) as sig:
        view.open_button.click()
    assert sig.args == ["a1"]
    view.link.setText("  https://join.nhn.no/webapp/m/123456  ")
    with qtbot.waitSignal(view.open_link) as sig:
        qtbot.keyClick(view.link, Qt.Key.Key_Return)
    assert sig.args == ["https://join.nhn.no/webapp/m/123456"]
    model.set_link_error(Text(nb="Lenken er ugyldig.", nn="Lenkja er ugyldig.", en="Bad link."))
    assert view.error.isVisibleTo(view)
    assert view.error.text() == "Lenken er ugyldig."
    assert view.error.property("announcement") == "Lenken er ugyldig."
    binder.language.set_lang("en")
    assert view.error.text() == "Bad link."


def test_home_empty_link_is_explained_not_sent(qtbot, binder) -> None:
    from videotime_client.ui.screens.home import HomeScreen

    model = HomeModel()
    view = HomeScreen(model, binder)
    qtbot.addWidget(view)
    with qtbot.assertNotEmitted(view.open_link):
        view.link_button.click()
    assert view.error.text() == "Skriv eller lim inn lenken først."


def test_home_accepts_a_dropped_link(qtbot, binder) -> None:
    from PySide6.QtCore import QMimeData, QPointF
    from PySide6.QtGui import QDropEvent

    from videotime_client.ui.screens.home import HomeScreen

    view = HomeScreen(HomeModel(), binder)
    qtbot.addWidget(view)
    data = QMimeData()
    data.setText("123456")
    event = QDropEvent(
        QPointF(5, 5),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(view.open_link) as sig:
        view.dropEvent(event)
    assert sig.args == ["123456"]


# ------------------------------------------------------------------ appointment
def test_appointment_join_becomes_prominent_ten_minutes_before(qtbot, binder, clock) -> None:
    from videotime_client.ui.screens.appointment import AppointmentScreen

    model = appointment_model(clock)
    view = AppointmentScreen(model, binder)
    qtbot.addWidget(view)
    assert view.countdown.text() == "Timen starter om 30 minutter."
    assert view.join_button.property("kind") == "secondary"
    assert view.test_button.property("kind") == "primary"
    assert view.early_note.isVisibleTo(view)
    assert view.join_button.isEnabled()  # joining early is allowed, with the note
    clock.advance(20 * 60 + 1)
    model.tick.emit()
    assert view.countdown.text() == "Timen starter om 9 minutter."
    assert view.join_button.property("kind") == "primary"
    assert not view.early_note.isVisibleTo(view)
    clock.advance(15 * 60)
    model.tick.emit()
    assert view.countdown.text() == "Timen har startet. Gå inn nå."


def test_appointment_shows_the_seed_preparations_and_phone(qtbot, binder, clock) -> None:
    from PySide6.QtWidgets import QLabel

    from videotime_client.ui.screens.appointment import AppointmentScreen

    view = AppointmentScreen(appointment_model(clock), binder)
    qtbot.addWidget(view)
    text = " ".join(label.text() for label in view.findChildren(QLabel))
    for needle in (
        "rolig sted der du er alene",
        "lyset bak deg",
        "telefon i nærheten",
        "fulladet batteri",
        "noen minutter før",
        "i god tid",
        "ikke ønsker videotime",
        "smarttelefon, nettbrett eller PC/Mac",
        "Telefon til avdelingen: 22 11 80 80",
        "Fra: Nevrologisk poliklinikk",
    ):
        assert needle in text, needle


def test_appointment_without_time_or_phone_says_where_to_look(qtbot, binder, clock) -> None:
    from videotime_client.ui.screens.appointment import AppointmentScreen

    model = appointment_model(clock, AppointmentView("x", None, None, None))
    view = AppointmentScreen(model, binder)
    qtbot.addWidget(view)
    assert view.countdown.text() == "Tidspunktet står i innkallingsbrevet."
    assert view.phone.text() == "Telefonnummeret til avdelingen står i innkallingsbrevet."
    assert view.join_button.property("kind") == "primary"


# ------------------------------------------------------------------ equipment
def test_equipment_results_arrive_one_by_one(qtbot, binder, clock) -> None:
    from videotime_client.ui.screens.equipment import EquipmentScreen

    model = EquipmentModel()
    view = EquipmentScreen(model, appointment_model(clock), binder)
    qtbot.addWidget(view)
    model.set_running(True)
    assert view.rows["camera"][0].text() == "Kamera: Sjekker …"
    assert not view.continue_button.isEnabled()
    model.set_result("camera", "good")
    assert view.rows["camera"][0].text() == "Kamera: I orden"
    assert view.rows["camera"][0].property("verdict") == "good"
    model.set_result(
        "lighting",
        "limited",
        ("backlit",),
        Text(nb="Snu deg mot lyset.", nn="Snu deg mot lyset.", en="Face the light."),
    )
    assert view.rows["lighting"][1].text() == "Snu deg mot lyset."
    assert view._light_hint() == "Lyset er bak deg – snu deg mot lyset"
    model.set_level(-12.0)
    assert view.meter.value() == 80
    assert view.mic_box.isVisibleTo(view)  # the meter while the microphone is checked
    model.set_result("microphone", "good")
    assert not view.mic_box.isVisibleTo(view)  # then its result row says it all
    model.set_running(False)
    model.set_overall("limited")
    assert view.continue_button.isEnabled()
    assert view.continue_button.text() == "Gå inn likevel"
    assert view.overall.property("announcement").startswith("Du kan gå inn")
    assert not view.cannot_phone.isVisibleTo(view)


def test_equipment_cannot_says_what_to_do_and_whom_to_call(qtbot, binder, clock) -> None:
    from videotime_client.ui.screens.equipment import EquipmentScreen

    model = EquipmentModel()
    view = EquipmentScreen(model, appointment_model(clock), binder)
    qtbot.addWidget(view)
    model.set_result(
        "network",
        "cannot",
        ("unreachable",),
        Text(nb="Koble til internett.", nn="Kopla til internett.", en="Connect."),
    )
    model.set_result(
        "microphone",
        "not_run",
        ("no_device",),
        Text(nb="Ingen lydenhet.", nn="Inga lydeining.", en="No sound device."),
    )
    assert not view.mic_box.isVisibleTo(view)  # no "say something" without a microphone
    model.set_overall("cannot")
    assert not view.continue_button.isVisibleTo(view)
    assert view.cannot_phone.isVisibleTo(view)
    assert view.cannot_phone.text() == "Telefon til avdelingen: 22 11 80 80"
    assert view.again_button.property("kind") == "primary"
    assert view.rows["network"][1].text() == "Koble til internett."


def test_equipment_speaker_question_is_answered_by_the_patient(qtbot, binder, clock) -> None:
    from videotime_client.ui.screens.equipment import EquipmentScreen

    model = EquipmentModel()
    view = EquipmentScreen(model, appointment_model(clock), binder)
    qtbot.addWidget(view)
    assert not view.question_box.isVisibleTo(view)
    model.ask("speaker_heard", Text(nb="Hørte du tonen?", nn="Høyrde du tonen?", en="Heard?"))
    assert view.question_box.isVisibleTo(view)
    assert view.question.text() == "Hørte du tonen?"
    with qtbot.waitSignal(model.answered) as sig:
        view.no.click()
    assert sig.args == ["speaker_heard", False]
    assert not view.question_box.isVisibleTo(view)


def test_self_view_paints_the_latest_frame_with_the_hint(qtbot, binder, clock) -> None:
    from videotime_client.ui.screens.equipment import EquipmentScreen

    model = EquipmentModel()
    view = EquipmentScreen(model, appointment_model(clock), binder)
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    frame = np.zeros((120, 160, 3), np.uint8)
    frame[:, :, 1] = 200
    model.self_view.put(frame)
    qtbot.waitUntil(lambda: view.self_view.frames_shown >= 1, timeout=2000)
    model.set_result("lighting", "limited", ("too_dark",))
    image = view.self_view.grab().toImage()
    centre = image.pixelColor(image.width() // 2, image.height() // 3)
    assert centre.green() > 150
    assert centre.red() < 60
    assert view._light_hint() == "For mørkt – slå på mer lys"


# ------------------------------------------------------------------ before joining
def test_before_joining_needs_a_name_and_keeps_choices(qtbot, binder) -> None:
    from videotime_client.ui.models import Device
    from videotime_client.ui.screens.before_join import BeforeJoinScreen

    model = JoinOptionsModel()
    view = BeforeJoinScreen(model, binder)
    qtbot.addWidget(view)
    model.set_devices(
        [Device("c1", "Kamera 1"), Device("c2", "Kamera 2")],
        [Device("m1", "Mikrofon")],
        [Device("s1", Text(nb="Standard", nn="Standard", en="Default"))],
    )
    assert view.combos["camera"].count() == 2
    assert view.combos["speaker"].currentText() == "Standard"
    assert not view.join_button.isEnabled()
    assert view.hint.isVisibleTo(view)
    qtbot.keyClicks(view.name, "Kari Nordmann")
    assert model.display_name == "Kari Nordmann"
    assert view.join_button.isEnabled()
    view.combos["camera"].setCurrentIndex(1)
    view.combos["camera"].activated.emit(1)
    assert model.camera == "c2"
    view.start_muted.click()
    assert model.start_muted is True
    with qtbot.waitSignal(view.enter):
        view.join_button.click()


# ------------------------------------------------------------------ waiting room
def test_waiting_room_explains_what_is_happening(qtbot, binder, clock) -> None:
    from videotime_client.ui.screens.waiting import WaitingScreen

    call = CallModel(clock)
    appt = appointment_model(clock)
    view = WaitingScreen(call, appt, binder)
    qtbot.addWidget(view)
    call.set_state("connecting")
    assert view.status.text() == "Kobler til …"
    call.set_state("waiting_for_host")
    assert view.status.text().startswith("Du er i venterommet.")
    assert view.status.property("announcement").startswith("Du er i venterommet.")
    clock.advance(125)
    appt.tick.emit()
    assert view.waited.text() == "Du har ventet i 2 minutter."
    call.set_quality("fair")
    assert view.quality.accessibleName() == "Middels forbindelse"
    with qtbot.waitSignal(view.leave):
        view.leave_button.click()


# ------------------------------------------------------------------ introductions
def test_introductions_send_only_when_answered(qtbot, binder) -> None:
    from videotime_client.ui.screens.introductions import IntroductionsScreen

    model = IntroductionsModel()
    view = IntroductionsScreen(model, binder)
    qtbot.addWidget(view)
    assert not view.send_button.isEnabled()
    view.not_alone.click()
    assert view.people_box.isVisibleTo(view)
    name, relation, _ = view._rows[0]
    qtbot.keyClicks(name, "Ola")
    qtbot.keyClicks(relation, "sønn")
    assert not view.send_button.isEnabled()  # the no-recording promise is missing
    view.no_recording.click()
    assert view.send_button.isEnabled()
    for box in view.checks.values():
        assert not box.isEnabled()  # ticking comes after sending
    with qtbot.waitSignal(view.send):
        view.send_button.click()
    model.mark_sent()
    assert view.sent_label.isVisibleTo(view)
    assert not view.send_button.isVisibleTo(view)
    assert not view.continue_button.isEnabled()
    for box in view.checks.values():
        box.click()
    assert view.continue_button.isEnabled()
    with qtbot.waitSignal(view.proceed):
        view.continue_button.click()


def test_introductions_alone_needs_no_companions_tick(qtbot, binder) -> None:
    from videotime_client.ui.screens.introductions import IntroductionsScreen

    model = IntroductionsModel()
    view = IntroductionsScreen(model, binder)
    qtbot.addWidget(view)
    view.alone.click()
    view.no_recording.click()
    model.mark_sent()
    assert not view.checks["mine"].isVisibleTo(view)
    view.checks["me"].click()
    view.checks["clinician"].click()
    assert view.continue_button.isEnabled()


def test_introductions_shows_the_clinicians_introduction(qtbot, binder) -> None:
    from videotime_client.ui.screens.introductions import IntroductionsScreen

    model = IntroductionsModel()
    view = IntroductionsScreen(model, binder)
    qtbot.addWidget(view)
    assert view.clinician.text() == "Behandleren presenterer seg snart."
    model.add_clinician_message("Hei, jeg er lege Hansen.")
    assert view.clinician.text() == "Hei, jeg er lege Hansen."
    assert view.clinician.property("announcement") == "Ny melding: Hei, jeg er lege Hansen."


def test_declaration_text(qapp) -> None:
    from videotime_client.ui.declaration import declaration

    model = IntroductionsModel()
    model.set_alone(False)
    model.set_companion(0, name="Ola", relation="sønn")
    model.add_companion()
    model.set_companion(1, name="Eva", relation="")
    model.update(no_recording=True, share_check=True)
    summary = Text(
        nb="Utstyrstest: Kamera OK, nett begrenset.",
        nn="Utstyrstest: Kamera OK.",
        en="Equipment test: Camera OK.",
    )
    assert declaration(model, "nb", summary) == (
        "Fra pasienten: Disse er i rommet sammen med meg: Ola (sønn), Eva (–). "
        "Jeg gjør ikke opptak av samtalen. Utstyrstest: Kamera OK, nett begrenset."
    )
    model.update(share_check=False)
    model.set_alone(True)
    assert declaration(model, "en", summary) == (
        "From the patient: I am alone in the room. I am not recording the conversation."
    )


# ------------------------------------------------------------------ consultation
def test_consultation_controls(qtbot, binder, clock) -> None:
    from videotime_client.ui.screens.consultation import ConsultationScreen

    call = CallModel(clock)
    view = ConsultationScreen(call, appointment_model(clock), binder)
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    assert view.lock.text() == "Setter opp kryptering …"
    assert not view.lock.isEnabled()
    call.set_encryption(
        EncryptionInfo(
            "connected",
            "ECDHE-ECDSA-AES128-GCM-SHA256",
            "SRTP_AEAD_AES_128_GCM",
            "sha-256 AB:CD",
            True,
        )
    )
    assert view.lock.text() == "Kryptert"
    assert view.lock.isEnabled()
    assert not view.details.isVisible()
    view.lock.click()
    assert view.details.isVisible()
    assert "ECDHE-ECDSA-AES128-GCM-SHA256" in view.details.text()
    assert "Fingeravtrykket stemmer." in view.details.text()
    with qtbot.waitSignal(view.mute) as sig:
        view.mute_button.click()
    assert sig.args == [True]
    call.set_muted(True)
    assert view.mute_button.text() == "Slå på mikrofonen"
    call.self_view.put(np.full((48, 64, 3), 200, np.uint8))
    view.self_view.poll()
    assert view.self_view.frames_shown == 1
    call.set_camera_on(False)
    assert view.camera_button.text() == "Slå på kameraet"
    call.self_view.put(np.full((48, 64, 3), 200, np.uint8))
    view.self_view.poll()
    assert view.self_view.frames_shown == 1  # the camera is off: nothing more is shown
    call.set_state("connecting")
    call.set_state("reconnecting")
    assert view.banner.isVisible()
    call.set_state("in_consultation")
    assert not view.banner.isVisible()
    assert view.banner.property("announcement") == "Forbindelsen er tilbake."
    call.add_chat("Kan du flytte deg litt nærmere?")
    assert view.chat.item(0).text() == "Kan du flytte deg litt nærmere?"


def test_clinician_messages_are_bounded(qtbot, binder, clock) -> None:
    from videotime_client.ui.models import CHAT_MAX
    from videotime_client.ui.screens.consultation import ConsultationScreen

    call = CallModel(clock)
    view = ConsultationScreen(call, appointment_model(clock), binder)
    qtbot.addWidget(view)
    for i in range(CHAT_MAX + 5):
        call.add_chat(f"melding {i}")
    assert len(call.chat) == CHAT_MAX
    assert view.chat.count() == CHAT_MAX
    assert view.chat.item(0).text() == "melding 5"  # the oldest go first
    assert view.chat.item(CHAT_MAX - 1).text() == f"melding {CHAT_MAX + 4}"


def test_hang_up_asks_first(qtbot, binder, clock) -> None:
    from videotime_client.ui.screens.consultation import ConsultationScreen

    view = ConsultationScreen(CallModel(clock), appointment_model(clock), binder)
    qtbot.addWidget(view)
    view.show()
    with qtbot.assertNotEmitted(view.hang_up):
        view.hang_up_button.click()
        assert view.confirm.isVisible()
        assert not view.controls.isVisible()
        view.confirm_no.click()
    assert view.controls.isVisible()
    view.hang_up_button.click()
    with qtbot.waitSignal(view.hang_up):
        view.confirm_yes.click()


def test_self_view_moves_and_hides(qtbot, binder, clock) -> None:
    from videotime_client.ui.screens.consultation import ConsultationScreen

    view = ConsultationScreen(CallModel(clock), appointment_model(clock), binder)
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    qtbot.waitExposed(view)
    sv = view.self_view
    start = sv.pos()
    assert sv.geometry().bottom() <= view.stage.height()  # starts inside, bottom-right
    sv.setFocus()
    qtbot.keyClick(sv, Qt.Key.Key_Left)
    assert sv.pos() == start - QPoint(sv.KEY_STEP, 0)
    qtbot.mousePress(sv, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    qtbot.mouseMove(sv, QPoint(-400, -300))
    qtbot.mouseRelease(sv, Qt.MouseButton.LeftButton)
    assert sv.pos().x() >= 0
    assert sv.pos().y() >= 0
    view.self_toggle.click()
    assert sv.isHidden()
    assert view.self_toggle.text() == "Vis bildet av deg"
    view.self_toggle.click()
    assert sv.isVisible()


def test_consultation_asks_the_os_to_exclude_it_from_capture(qtbot, binder, clock, caplog) -> None:
    import logging

    from videotime_client.ui.screens.consultation import ConsultationScreen

    view = ConsultationScreen(CallModel(clock), appointment_model(clock), binder)
    qtbot.addWidget(view)
    with caplog.at_level(logging.INFO, logger="videotime_client.ui.capture_guard"):
        view.on_shown()
    assert view._capture_excluded is False  # Linux has no such API: best effort, logged
    assert "window-capture exclusion" in caplog.text


# ------------------------------------------------------------------ ended
@pytest.mark.parametrize(
    ("state", "code", "expected", "phone"),
    [
        ("ended", "left", "Du la på.", False),
        ("ended", "remote_ended", "Behandleren avsluttet timen.", False),
        ("ended", "left_waiting", "Du gikk ut av venterommet.", False),
        ("failed", "network", "Vi fikk ikke kontakt", False),  # the sentence has the number
        ("failed", None, "Videotimen ble brutt. Ring avdelingen", True),
    ],
)
def test_ended_reason_in_plain_words(qtbot, binder, clock, state, code, expected, phone) -> None:
    from videotime_client.call.errors import EndReason, reason_text
    from videotime_client.ui.screens.ended import EndedScreen

    call = CallModel(clock)
    appt = appointment_model(clock)
    view = EndedScreen(call, appt, binder)
    qtbot.addWidget(view)
    call.set_state("connecting")
    message = reason_text(EndReason(code), "22 11 80 80") if code in ("network",) else None
    call.end(state, code, message)
    assert view.reason.text().startswith(expected)
    assert view.failure_phone.isVisibleTo(view) is phone
    from PySide6.QtWidgets import QLabel

    text = " ".join(label.text() for label in view.findChildren(QLabel))
    for needle in (
        "helsenorge.no",
        "taushetsplikt og personvern",
        "kryptert linje",
        "Egenandelen er den samme",
        "faktura",
        "frikort og barn under 16 år",
        "under 18 år",
    ):
        assert needle in text
