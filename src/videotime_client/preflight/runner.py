"""Runs the checks: automatic ones together under one hard 10 s budget, interactive ones after.

Why concurrently: camera (2 s of frames), microphone (2 s of sound) and network (status, a
media session and a 1.5 s probe) are mostly waiting, so running them side by side keeps the
whole automatic run well under ten seconds on a 2-core laptop.  Why a *hard* budget: the most
reported failure of existing testers is a test that never finishes (anchors §8, Vonage
testQuality hanging in 10–15 % of runs).  A check that overruns is cancelled and reported as
``not_run`` ("timed_out") — never as a bad device.

Interactive parts ("did you hear the tone?") run after the automatic phase: the patient takes
the time they need, so the question time does not count against the budget.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from videotime_client.preflight.context import CheckContext
from videotime_client.preflight.models import CheckResult, Progress, Verdict
from videotime_client.preflight.thresholds import t
from videotime_client.texts import Text

log = logging.getLogger(__name__)

CheckFn = Callable[[CheckContext], Awaitable[CheckResult]]
ProgressFn = Callable[[Progress], None]


@dataclass(frozen=True, slots=True)
class CheckSpec:
    name: str
    run: CheckFn
    interactive: bool = False
    # Checks that must finish first (lighting reuses the camera's frames).
    after: tuple[str, ...] = ()
    # Runs alone before the others: the CPU measurement would otherwise measure the other
    # checks' load and call a fast machine slow (a false alarm).
    solo: bool = False


@dataclass(frozen=True, slots=True)
class Report:
    results: tuple[CheckResult, ...]
    duration_s: float
    automatic_s: float

    @property
    def verdict(self) -> Verdict:
        from videotime_client.preflight.models import overall_verdict

        return overall_verdict(list(self.results))


TIMED_OUT = Text(
    nb="Testen tok for lang tid og ble stoppet. Det betyr ikke at noe er feil. Prøv igjen.",
    nn="Testen tok for lang tid og vart stoppa. Det betyr ikkje at noko er feil. Prøv igjen.",
    en="The test took too long and was stopped. That does not mean anything is wrong. Try again.",
)
CALL_DEPARTMENT = Text(
    nb="Avdelingens telefon: {phone}.",
    nn="Telefonen til avdelinga: {phone}.",
    en="The department's phone: {phone}.",
)
CRASHED = Text(
    nb="Denne testen kunne ikke gjennomføres. Det betyr ikke at utstyret ditt er feil.",
    nn="Denne testen kunne ikkje gjennomførast. Det betyr ikkje at utstyret ditt er feil.",
    en="This test could not be carried out. That does not mean your equipment is faulty.",
)


def default_checks() -> list[CheckSpec]:
    from videotime_client.preflight.checks import audio, battery, camera, cpu, lighting, network

    return [
        CheckSpec("camera", camera.run),
        CheckSpec("lighting", lighting.run, after=("camera",)),
        CheckSpec("microphone", audio.run_microphone),
        CheckSpec("speaker", audio.run_speaker, interactive=True),
        CheckSpec("battery", battery.run),
        CheckSpec("network", network.run),
        CheckSpec("cpu", cpu.run, solo=True),
    ]


class Runner:
    """Run all checks, or only some (``only``), reporting progress as they go."""

    def __init__(
        self,
        ctx: CheckContext,
        checks: Sequence[CheckSpec] | None = None,
        *,
        budget_s: float | None = None,
        on_progress: ProgressFn | None = None,
    ) -> None:
        self.ctx = ctx
        self.checks = list(checks) if checks is not None else default_checks()
        self.budget_s = t("runner_budget_s") if budget_s is None else budget_s
        self.on_progress = on_progress

    def _emit(self, event: Progress) -> None:
        if self.on_progress is not None:
            try:
                self.on_progress(event)
            except Exception:  # a broken progress bar must not break the check
                log.exception("progress callback failed")

    def _with_phone(self, result: CheckResult) -> CheckResult:
        """A ``cannot`` always ends with the department's number when the letter gave one."""
        phone = self.ctx.department_phone
        if result.verdict is not Verdict.CANNOT or not phone or result.advice is None:
            return result
        extra = CALL_DEPARTMENT.format(phone=phone)
        advice = Text(
            nb=f"{result.advice.nb} {extra.nb}",
            nn=f"{result.advice.nn} {extra.nn}",
            en=f"{result.advice.en} {extra.en}",
        )
        return dataclasses.replace(result, advice=advice)

    async def run(self, only: Sequence[str] | None = None) -> Report:
        wanted = list(only) if only else [c.name for c in self.checks]
        unknown = [n for n in wanted if n not in {c.name for c in self.checks}]
        if unknown:
            raise ValueError(f"unknown check(s): {', '.join(unknown)}")
        specs = [c for c in self.checks if c.name in wanted]
        total = len(specs)
        index = {c.name: i for i, c in enumerate(specs)}
        results: dict[str, CheckResult] = {}
        done: dict[str, asyncio.Event] = {c.name: asyncio.Event() for c in specs}
        start = time.monotonic()
        deadline = start + self.budget_s

        async def one(spec: CheckSpec) -> None:
            for dep in spec.after:
                if dep in done:
                    await done[dep].wait()
            self._emit(Progress(spec.name, "started", index[spec.name], total))
            remaining = deadline - time.monotonic()
            try:
                if spec.interactive:
                    result = await spec.run(self.ctx)
                else:
                    result = await asyncio.wait_for(spec.run(self.ctx), max(0.0, remaining))
            except TimeoutError:
                result = CheckResult(spec.name, Verdict.NOT_RUN, ("timed_out",), TIMED_OUT)
            except Exception as exc:
                log.exception("check %s crashed", spec.name)
                result = CheckResult(
                    spec.name,
                    Verdict.NOT_RUN,
                    ("check_failed",),
                    CRASHED,
                    {"error": type(exc).__name__},
                )
            result = self._with_phone(result)
            results[spec.name] = result
            done[spec.name].set()
            self._emit(Progress(spec.name, "finished", index[spec.name], total, result))

        solo = [c for c in specs if c.solo and not c.interactive]
        automatic = [c for c in specs if not c.interactive and not c.solo]
        interactive = [c for c in specs if c.interactive]
        for spec in solo:
            await one(spec)
        await asyncio.gather(*(one(c) for c in automatic))
        automatic_s = time.monotonic() - start
        for spec in interactive:  # one question at a time
            await one(spec)
        ordered = tuple(results[c.name] for c in specs)
        return Report(ordered, round(time.monotonic() - start, 3), round(automatic_s, 3))
