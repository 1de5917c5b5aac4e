"""What a pre-flight check reports: a verdict, problem codes, plain advice and raw numbers.

``not_run`` is deliberately its own verdict: a check that could not run (no node to test
against, the test itself broke, the patient skipped it) must never be shown as a broken device
or a bad network — the commonest complaint about existing pre-call testers is false alarms.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from videotime_client.texts import Text


class Verdict(StrEnum):
    GOOD = "good"
    LIMITED = "limited"  # you can join; something will be worse, here is how to improve it
    CANNOT = "cannot"  # you cannot join this way; here is what to do instead
    NOT_RUN = "not_run"  # the check could not run; says why, blames nothing


# Worst first: the overall verdict is the worst verdict among checks that ran.
_SEVERITY = {Verdict.CANNOT: 3, Verdict.LIMITED: 2, Verdict.GOOD: 1, Verdict.NOT_RUN: 0}

CHECK_NAMES: tuple[str, ...] = (
    "camera",
    "microphone",
    "speaker",
    "lighting",
    "battery",
    "network",
    "cpu",
)


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of one check."""

    name: str
    verdict: Verdict
    problems: tuple[str, ...] = ()
    advice: Text | None = None
    measurements: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self, lang: str = "nb") -> dict[str, Any]:
        return {
            "name": self.name,
            "verdict": self.verdict.value,
            "problems": list(self.problems),
            "advice": self.advice(lang) if self.advice is not None else "",
            "measurements": dict(self.measurements),
        }


def overall_verdict(results: list[CheckResult]) -> Verdict:
    """Worst verdict of the checks that ran; ``not_run`` only when nothing ran at all."""
    ran = [r.verdict for r in results if r.verdict is not Verdict.NOT_RUN]
    if not ran:
        return Verdict.NOT_RUN
    return max(ran, key=lambda v: _SEVERITY[v])


def worst(*verdicts: Verdict) -> Verdict:
    return max(verdicts, key=lambda v: _SEVERITY[v])


def not_run(name: str, why: str, advice: Text, **measurements: Any) -> CheckResult:
    """A check that could not run: the reason goes in ``problems``, never a device fault."""
    return CheckResult(name, Verdict.NOT_RUN, (why,), advice, measurements)


@dataclass(frozen=True, slots=True)
class Progress:
    """A progress event for the UI: check ``name`` entered ``phase`` (started/finished/...)."""

    name: str
    phase: str
    index: int
    total: int
    result: CheckResult | None = None
