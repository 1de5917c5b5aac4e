"""Runner (budget, progress, one check alone, crashes) and the report (JSON, chat line)."""

from __future__ import annotations

import asyncio
import json

import pytest

from videotime_client.preflight import CheckContext, CheckResult, Runner, Verdict
from videotime_client.preflight.models import overall_verdict
from videotime_client.preflight.report import chat_summary, to_json
from videotime_client.preflight.runner import CheckSpec
from videotime_client.texts import Text

T = Text(nb="x", nn="x", en="x")


def fixed(name: str, verdict: Verdict, *problems: str, **m):
    async def run(ctx):
        return CheckResult(name, verdict, problems, T, m)

    return CheckSpec(name, run)


def test_overall_verdict_is_the_worst_of_those_that_ran() -> None:
    good = CheckResult("a", Verdict.GOOD)
    limited = CheckResult("b", Verdict.LIMITED)
    cannot = CheckResult("c", Verdict.CANNOT)
    skipped = CheckResult("d", Verdict.NOT_RUN)
    assert overall_verdict([good, skipped]) is Verdict.GOOD
    assert overall_verdict([good, limited, skipped]) is Verdict.LIMITED
    assert overall_verdict([limited, cannot]) is Verdict.CANNOT
    assert overall_verdict([skipped]) is Verdict.NOT_RUN


def test_hung_check_is_cut_at_the_budget_and_not_blamed() -> None:
    async def hangs(ctx):
        await asyncio.sleep(60)
        raise AssertionError("not reached")

    checks = [CheckSpec("network", hangs), fixed("battery", Verdict.GOOD)]
    report = asyncio.run(Runner(CheckContext(), checks, budget_s=0.3).run())
    net = report.results[0]
    assert net.verdict is Verdict.NOT_RUN
    assert net.problems == ("timed_out",)
    assert report.verdict is Verdict.GOOD
    assert report.duration_s < 5  # cut, not waited for (a bound, not a benchmark)


def test_interactive_questions_are_outside_the_budget() -> None:
    async def slow_answer(code, question):
        await asyncio.sleep(0.5)
        return True

    async def speaker(ctx):
        heard = await ctx.ask("heard_tone", T)
        return CheckResult("speaker", Verdict.GOOD if heard else Verdict.CANNOT)

    checks = [CheckSpec("speaker", speaker, interactive=True)]
    report = asyncio.run(Runner(CheckContext(ask=slow_answer), checks, budget_s=0.1).run())
    assert report.results[0].verdict is Verdict.GOOD


def test_crashing_check_is_not_run(caplog: pytest.LogCaptureFixture) -> None:
    async def boom(ctx):
        raise RuntimeError("driver exploded")

    report = asyncio.run(Runner(CheckContext(), [CheckSpec("camera", boom)]).run())
    r = report.results[0]
    assert r.verdict is Verdict.NOT_RUN
    assert r.problems == ("check_failed",)
    assert "check camera crashed" in caplog.text


def test_one_check_alone_and_progress_events() -> None:
    events = []
    checks = [fixed("battery", Verdict.GOOD), fixed("cpu", Verdict.LIMITED, "slow_cpu")]
    report = asyncio.run(Runner(CheckContext(), checks, on_progress=events.append).run(["cpu"]))
    assert [r.name for r in report.results] == ["cpu"]
    assert [(e.name, e.phase) for e in events] == [("cpu", "started"), ("cpu", "finished")]
    assert events[-1].result is report.results[0]


def test_unknown_check_name_is_refused() -> None:
    with pytest.raises(ValueError, match="nose"):
        asyncio.run(Runner(CheckContext(), [fixed("cpu", Verdict.GOOD)]).run(["nose"]))


def test_json_has_the_contract_shape_and_no_pii() -> None:
    results = [
        CheckResult(
            "network",
            Verdict.LIMITED,
            ("small_video",),
            T,
            {
                "rtt_ms": 20.0,
                "paths": {"udp_direct": "ok"},
                "display_name": "Kari Nordmann",
                "token": "secret-token",
                "send_kbps": 700.0,
                "receive_method": "https_download",
                "download_error": "tls_failed",
                "path_used": "turn_tcp",
            },
        ),
        CheckResult("camera", Verdict.GOOD, (), T, {"device": "Kari's FaceTime HD", "fps": 30.0}),
    ]
    data = to_json(results, 7.1234)
    assert set(data) == {"verdict", "duration_s", "checks"}
    assert data["verdict"] == "limited"
    assert data["duration_s"] == 7.12
    assert set(data["checks"][0]) == {"name", "verdict", "problems", "advice", "measurements"}
    text = json.dumps(data)
    assert "Kari" not in text
    assert "secret-token" not in text
    assert data["checks"][0]["measurements"]["paths"] == {"udp_direct": "ok"}
    assert data["checks"][0]["measurements"]["send_kbps"] == 700.0
    # Support needs to know how the numbers were obtained: these codes are kept.
    assert data["checks"][0]["measurements"]["receive_method"] == "https_download"
    assert data["checks"][0]["measurements"]["download_error"] == "tls_failed"
    assert data["checks"][0]["measurements"]["path_used"] == "turn_tcp"


def test_chat_summary_in_three_languages() -> None:
    results = [
        CheckResult("camera", Verdict.GOOD),
        CheckResult("microphone", Verdict.GOOD),
        CheckResult("network", Verdict.LIMITED, ("small_video",)),
        CheckResult("battery", Verdict.NOT_RUN, ("unreadable",)),
    ]
    assert chat_summary(results, "nb") == (
        "Utstyrstest: Kamera OK, mikrofon OK, nett begrenset (small_video), strøm ikke testet."
    )
    assert "nett avgrensa" in chat_summary(results, "nn")
    assert chat_summary(results, "en").startswith(
        "Equipment check: Camera OK, microphone OK, network limited"
    )


def test_cannot_advice_gives_the_departments_phone() -> None:
    checks = [fixed("camera", Verdict.CANNOT, "busy"), fixed("battery", Verdict.LIMITED, "x")]
    ctx = CheckContext(department_phone="22 11 80 80")
    cam, bat = asyncio.run(Runner(ctx, checks).run()).results
    assert cam.advice("nb").endswith("Avdelingens telefon: 22 11 80 80.")
    assert "22 11 80 80" in cam.advice("en")
    assert "22 11" not in bat.advice("nb")  # only where the patient cannot go on


def test_export_writes_a_private_file(tmp_path) -> None:
    from videotime_client.preflight.report import export

    path = tmp_path / "check.json"
    export(path, [CheckResult("cpu", Verdict.GOOD, (), T, {"encode_fps": 300.0})], 1.0)
    assert json.loads(path.read_text())["checks"][0]["measurements"] == {"encode_fps": 300.0}
    assert path.stat().st_mode & 0o777 == 0o600
