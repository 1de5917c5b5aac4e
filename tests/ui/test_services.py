"""The real services behind the journey, against the embedded node (in-process)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.helpers.node import node  # noqa: F401  (fixture)
from videotime_client.ui.journey import Step

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


@pytest.fixture
def real(qtbot, tmp_path):
    from videotime_client.paths import AppPaths
    from videotime_client.ui import app as ui_app
    from videotime_client.ui import errors
    from videotime_client.ui.services import AppServices

    services = AppServices(
        AppPaths.resolve(tmp_path),
        dev=True,
        synthetic=True,
        play_audio=False,
        host_addresses=["127.0.0.1"],
    )
    built = ui_app.build(services, lang="nb", error_dialogs=False)
    qtbot.addWidget(built.window)
    built.window.show()
    yield built
    services.shutdown()
    errors.uninstall()
    built.window.deleteLater()


def test_links_are_parsed_strictly_and_saved(real) -> None:
    j = real.journey
    j.open_link("http://join.nhn.no.evil.example/webapp/conference/123456")
    assert j.step == Step.HOME
    assert real.window.home.error.isVisible()
    assert real.window.home.error.text()  # the parser's own patient sentence
    j.open_link("https://join.nhn.no/webapp/m/123456?dept=Hudpoliklinikken&phone=22118080")
    assert j.step == Step.APPOINTMENT
    assert [a.department for a in j.home.appointments] == ["Hudpoliklinikken"]
    assert real.window.appointment.phone.text() == "Telefon til avdelingen: 22118080"


@pytest.mark.slow
def test_pin_room_asks_for_the_pin_then_lets_us_wait(real, node, qtbot) -> None:  # noqa: F811
    j = real.journey
    screen = real.window.before_join
    j.open_link(f"{node.base_url}/webapp/conference/345678")
    assert j.step == Step.APPOINTMENT
    j.prepare_to_join()
    j.options.update(display_name="Kari Nordmann")
    j.enter_waiting_room()
    qtbot.waitUntil(lambda: j.step == Step.BEFORE_JOINING and screen.pin.isVisible(), timeout=15000)
    assert screen.pin_error.isVisible()
    j.options.update(pin="0000")
    j.enter_waiting_room()
    qtbot.waitUntil(
        lambda: j.step == Step.BEFORE_JOINING and screen.pin_error.isVisible(), timeout=15000
    )
    j.options.update(pin="1357")
    j.enter_waiting_room()
    qtbot.waitUntil(lambda: j.call.state == "waiting_for_host", timeout=20000)
    assert j.step == Step.WAITING_ROOM
    assert any(p["service_type"] == "waiting_room" for p in node.participants("345678"))
    j.hang_up()
    qtbot.waitUntil(lambda: j.step == Step.ENDED, timeout=20000)
    assert real.window.ended.reason.text() == "Du gikk ut av venterommet."


def test_a_pin_that_cannot_be_saved_is_said_once(real) -> None:
    """The test profile has no usable keyring: the patient hears it once, not every time."""
    j = real.journey
    screen = real.window.appointment
    j.open_link("https://join.nhn.no/webapp/m/654321")
    assert not screen.notice.isVisible()  # no PIN in the link: nothing to tell
    j.open_link("https://join.nhn.no/webapp/m/123456?pin=1234")
    assert screen.notice.isVisible()
    assert "PIN-koden blir ikke lagret" in screen.notice.text()
    j.go(Step.HOME)
    j.open_link("https://join.nhn.no/webapp/m/123456?pin=1234")
    assert not screen.notice.isVisible()


def _sound_journey(tmp_path, node, pulse, mode: str, mic: str = "", speaker: str = ""):  # noqa: F811
    """Run tests/ui/audio_journey.py; record the speaker while the clinician plays."""
    import json
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(pulse.env, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.ui.audio_journey",
            node.base_url,
            str(tmp_path / "data"),
            mode,
            mic,
            speaker,
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        playing = json.loads(proc.stdout.readline() or "{}")
        heard = None
        if playing.get("event") == "playing":
            heard = pulse.record(f"{speaker or 'vt_default_sink'}.monitor", seconds=1.0)
            if mode == "own":  # the child muted itself: the clinician's side must know
                node.wait_for(
                    lambda n: any(
                        p.get("is_client_muted")
                        for p in n.participants("123456")
                        if p.get("role") == "guest"
                    ),
                    timeout=10,
                )
            proc.stdin.write("done\n")
            proc.stdin.flush()
        ended = json.loads(proc.stdout.readline() or "{}")
        proc.wait(60)
    finally:
        if proc.poll() is None:
            proc.kill()
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, (playing, err[-3000:])
    assert "Traceback" not in err
    return playing, heard, ended


@pytest.mark.slow
def test_consultation_shows_the_clinician_and_plays_their_sound(tmp_path, node, pulse) -> None:  # noqa: F811
    """Room 123456: the simulated clinician joins, admits us, sends a picture and a tone;
    the tone comes out of the chosen speaker (recorded from the virtual sink)."""
    pulse.null_sink("vt_consult_speaker")
    playing, heard, ended = _sound_journey(
        tmp_path, node, pulse, "synthetic", speaker="vt_consult_speaker"
    )
    assert playing["step"] == "consultation"
    assert np.abs(heard.astype(np.int32)).max() > 300  # the clinician's tone came out
    assert ended["reason"] == "Du la på."
    assert ended["tracks_left"] == 0


@pytest.mark.slow
def test_the_patients_own_devices_without_a_camera(tmp_path, node, pulse) -> None:  # noqa: F811
    """The app's real media path: Qt microphone and speaker (this machine has no camera)."""
    pulse.virtual_mic("vt_own_mic")
    pulse.null_sink("vt_own_speaker")
    with pulse.play_tone("vt_own_mic", freq=330, dbfs=-20, seconds=60):
        playing, heard, ended = _sound_journey(
            tmp_path, node, pulse, "own", mic="vt_own_mic", speaker="vt_own_speaker"
        )
    assert playing["cameras"] == 0
    assert playing["microphones"] >= 1
    assert playing["tracks"] == ["audio"]  # the microphone, and no camera
    assert np.abs(heard.astype(np.int32)).max() > 300
    assert ended["mic_frames"] > 50  # the microphone really captured while in the call
    assert ended["reason"] == "Du la på."
    assert ended["tracks_left"] == 0  # the microphone is released


@pytest.mark.slow
def test_a_dropped_call_shows_the_reconnecting_banner_and_recovers(real, node, qtbot) -> None:  # noqa: F811
    """The node kills the media call mid-consultation: the engine redials with the same token;
    the patient sees "reconnecting" (announced) and then the consultation again."""
    j = real.journey
    screen = real.window.consultation
    j.open_link(f"{node.base_url}/webapp/conference/123456")
    j.prepare_to_join()
    j.options.update(display_name="Kari Nordmann")
    j.enter_waiting_room()
    qtbot.waitUntil(lambda: j.step == Step.INTRODUCTIONS, timeout=30000)
    j.go(Step.CONSULTATION)
    qtbot.waitUntil(lambda: screen.remote.frames_shown >= 5, timeout=15000)
    seen: list[str] = []
    j.call.state_changed.connect(seen.append)
    node.inject("kill_calls", room="123456")
    qtbot.waitUntil(lambda: "reconnecting" in seen, timeout=15000)
    assert screen.banner.property("announcement") == "Forbindelsen ble brutt. Vi kobler til igjen …"
    qtbot.waitUntil(lambda: j.call.state == "in_consultation", timeout=30000)
    assert not screen.banner.isVisible()
    assert screen.banner.property("announcement") == "Forbindelsen er tilbake."
    assert j.step == Step.CONSULTATION
    shown = screen.remote.frames_shown
    qtbot.waitUntil(lambda: screen.remote.frames_shown > shown + 5, timeout=15000)
