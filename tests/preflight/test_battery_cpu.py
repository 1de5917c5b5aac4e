"""Battery (fake battery behind the psutil interface) and CPU headroom."""

from __future__ import annotations

import asyncio

import pytest

from videotime_client.preflight.checks import battery, cpu
from videotime_client.preflight.checks.battery import BatteryState, FakeBattery, PsutilBattery
from videotime_client.preflight.context import CheckContext
from videotime_client.preflight.models import Verdict


def run(state: BatteryState | None, minutes: float = 45.0):
    ctx = CheckContext(battery=FakeBattery(state), appointment_minutes=minutes)
    return asyncio.run(battery.run(ctx))


def test_desktop_without_battery_is_good() -> None:
    r = run(None)
    assert r.verdict is Verdict.GOOD
    assert r.measurements == {"has_battery": False}


def test_on_mains_is_good_even_when_low() -> None:
    assert run(BatteryState(5, True, None)).verdict is Verdict.GOOD


def test_enough_time_left_is_good() -> None:
    r = run(BatteryState(80, False, 3 * 3600))
    assert r.verdict is Verdict.GOOD
    assert r.measurements["minutes_left"] == 180


def test_not_enough_for_the_appointment_says_plug_in() -> None:
    r = run(BatteryState(30, False, 40 * 60))
    assert r.verdict is Verdict.LIMITED
    assert r.problems == ("low_battery",)
    assert "laderen" in r.advice("nb")
    assert "charger" in r.advice("en")


def test_longer_appointment_needs_more_battery() -> None:
    state = BatteryState(60, False, 80 * 60)
    assert run(state, minutes=45).verdict is Verdict.GOOD
    assert run(state, minutes=90).verdict is Verdict.LIMITED


def test_without_estimate_the_level_decides() -> None:
    assert run(BatteryState(90, False, None)).verdict is Verdict.GOOD
    assert run(BatteryState(25, False, None)).verdict is Verdict.LIMITED


def test_unreadable_battery_is_not_run() -> None:
    class Broken:
        def read(self):
            raise OSError("acpi")

    r = asyncio.run(battery.run(CheckContext(battery=Broken())))
    assert r.verdict is Verdict.NOT_RUN


def test_real_psutil_provider_reads_this_machine() -> None:
    import psutil

    state = PsutilBattery().read()
    assert (state is None) == (psutil.sensors_battery() is None)


def test_cpu_check_measures_a_real_vp8_encode() -> None:
    r = asyncio.run(cpu.run(CheckContext()))
    assert r.verdict in (Verdict.GOOD, Verdict.LIMITED)  # never blocks a patient
    assert r.measurements["frames"] >= 1
    assert r.measurements["encode_fps"] > 0


@pytest.mark.parametrize(
    ("fps", "verdict", "problems"),
    [
        (200.0, Verdict.GOOD, ()),
        (40.0, Verdict.LIMITED, ("slow_cpu",)),
        (10.0, Verdict.LIMITED, ("too_slow",)),
    ],
)
def test_cpu_thresholds(fps, verdict, problems, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cpu, "measure_encode_fps", lambda: {"encode_fps": fps})
    r = asyncio.run(cpu.run(CheckContext()))
    assert (r.verdict, r.problems) == (verdict, problems)
