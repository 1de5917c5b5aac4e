"""The report: PII-free JSON for support, and one chat line for the clinician.

PII-free by construction: only verdicts, problem codes, advice and numeric measurements leave;
no names, PINs, tokens, node credentials, device names or media.  Measurement keys are checked
against an allow-list so a future check cannot leak a string by accident.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from videotime_client.preflight.models import CheckResult, Verdict, overall_verdict
from videotime_client.texts import Text

# Every value of these is one of a fixed set of codes chosen by our own code, never free text.
_ALLOWED_STRINGS = {
    "platform",
    "rtt_source",
    "probe_method",
    "dtls_state",
    "media_error",
    "error",
    "path_used",
    "receive_method",
    "download_error",
}


def _clean(value: Any, key: str = "") -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, int | float):
        return value
    if isinstance(value, dict):
        return {str(k): _clean(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v, key) for v in value]
    if isinstance(value, str) and (key in _ALLOWED_STRINGS or key in _PATH_KEYS):
        return value
    return None  # unknown strings never leave the machine


_PATH_KEYS = {"udp_direct", "turn_udp", "turn_tcp", "turn_tls"}


def to_json(results: list[CheckResult], duration_s: float, lang: str = "nb") -> dict[str, Any]:
    """The CLI contract: {"verdict", "duration_s", "checks": [...]}, PII-free."""
    checks = []
    for r in results:
        item = r.to_json(lang)
        item["measurements"] = _clean(item["measurements"])
        checks.append(item)
    return {
        "verdict": overall_verdict(results).value,
        "duration_s": round(duration_s, 2),
        "checks": checks,
    }


def export(path: Path, results: list[CheckResult], duration_s: float, lang: str = "nb") -> None:
    """Write the support file (private permissions; it says nothing about who you are)."""
    text = json.dumps(to_json(results, duration_s, lang), indent=2, ensure_ascii=False)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # private from the start
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    path.chmod(0o600)


_NAMES = {
    "camera": Text(nb="Kamera", nn="Kamera", en="Camera"),
    "microphone": Text(nb="mikrofon", nn="mikrofon", en="microphone"),
    "speaker": Text(nb="lyd", nn="lyd", en="sound"),
    "lighting": Text(nb="lys", nn="lys", en="light"),
    "battery": Text(nb="strøm", nn="straum", en="power"),
    "network": Text(nb="nett", nn="nett", en="network"),
    "cpu": Text(nb="maskin", nn="maskin", en="computer"),
}
_WORDS = {
    Verdict.GOOD: Text(nb="OK", nn="OK", en="OK"),
    Verdict.LIMITED: Text(nb="begrenset", nn="avgrensa", en="limited"),
    Verdict.CANNOT: Text(nb="virker ikke", nn="verkar ikkje", en="not working"),
    Verdict.NOT_RUN: Text(nb="ikke testet", nn="ikkje testa", en="not tested"),
}
_PREFIX = Text(nb="Utstyrstest", nn="Utstyrstest", en="Equipment check")


def chat_summary(results: list[CheckResult], lang: str = "nb") -> str:
    """One message for the clinician: "Utstyrstest: Kamera OK, mikrofon OK, nett begrenset (…)"."""
    parts = []
    for i, r in enumerate(results):
        name = _NAMES.get(r.name, Text(nb=r.name, nn=r.name, en=r.name))(lang)
        if i == 0:
            name = name[:1].upper() + name[1:]
        part = f"{name} {_WORDS[r.verdict](lang)}"
        if r.problems and r.verdict in (Verdict.LIMITED, Verdict.CANNOT):
            part += f" ({', '.join(r.problems)})"
        parts.append(part)
    return f"{_PREFIX(lang)}: " + ", ".join(parts) + "."
