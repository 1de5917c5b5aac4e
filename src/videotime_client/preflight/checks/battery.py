"""Battery: level, charging and time left against the appointment's expected length.

On mains, or with enough charge for the appointment plus a margin → ``good``; otherwise
``limited`` with "plug in the charger" (the hospital asks for "fulladet batteri eller
strømkabler").  No battery (a desktop) → ``good``.  Tests inject :class:`FakeBattery`: a real
battery cannot exist on a CI machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from videotime_client.preflight.context import CheckContext
from videotime_client.preflight.models import CheckResult, Verdict, not_run
from videotime_client.preflight.thresholds import t
from videotime_client.texts import Text


@dataclass(frozen=True, slots=True)
class BatteryState:
    percent: float
    plugged_in: bool
    seconds_left: float | None  # None when the OS gives no estimate


class BatteryProvider(Protocol):
    def read(self) -> BatteryState | None:
        """The battery now, or None when the machine has no battery."""
        ...


class PsutilBattery:
    """The real battery through psutil (Windows, macOS, Linux)."""

    def read(self) -> BatteryState | None:
        import psutil

        b = psutil.sensors_battery()
        if b is None:
            return None
        secs: float | None = float(b.secsleft)
        if (
            b.secsleft in (psutil.POWER_TIME_UNKNOWN, psutil.POWER_TIME_UNLIMITED)
            or secs is None
            or secs < 0
        ):
            secs = None
        return BatteryState(float(b.percent), bool(b.power_plugged), secs)


@dataclass
class FakeBattery:
    """Same interface, for tests and demos (``state=None`` = a desktop without battery)."""

    state: BatteryState | None

    def read(self) -> BatteryState | None:
        return self.state


ADVICE = {
    "ok": Text(nb="Strømmen er i orden.", nn="Straumen er i orden.", en="Power is fine."),
    "low_battery": Text(
        nb="Batteriet holder kanskje ikke hele timen. Koble til laderen før timen starter.",
        nn="Batteriet held kanskje ikkje heile timen. Kopla til ladaren før timen startar.",
        en="The battery may not last the whole appointment. Plug in the charger before it starts.",
    ),
}
UNREADABLE = Text(
    nb="Vi kunne ikke lese batteriet. Ha gjerne laderen klar.",
    nn="Vi kunne ikkje lese batteriet. Ha gjerne ladaren klar.",
    en="We could not read the battery. Keep the charger at hand.",
)


async def run(ctx: CheckContext) -> CheckResult:
    provider: BatteryProvider = ctx.battery if ctx.battery is not None else PsutilBattery()
    try:
        state = provider.read()
    except Exception:
        return not_run("battery", "unreadable", UNREADABLE)
    need_min = ctx.appointment_minutes * t("battery_margin")
    if state is None:
        return CheckResult("battery", Verdict.GOOD, (), ADVICE["ok"], {"has_battery": False})
    m: dict[str, object] = {
        "has_battery": True,
        "percent": round(state.percent, 1),
        "plugged_in": state.plugged_in,
        "minutes_left": None if state.seconds_left is None else round(state.seconds_left / 60, 1),
        "appointment_minutes": ctx.appointment_minutes,
    }
    if state.plugged_in:
        return CheckResult("battery", Verdict.GOOD, (), ADVICE["ok"], m)
    if state.seconds_left is not None:
        enough = state.seconds_left / 60 >= need_min
    else:  # no estimate: fall back to the level
        enough = state.percent > t("battery_low_percent") * 2
    if enough:
        return CheckResult("battery", Verdict.GOOD, (), ADVICE["ok"], m)
    return CheckResult("battery", Verdict.LIMITED, ("low_battery",), ADVICE["low_battery"], m)
