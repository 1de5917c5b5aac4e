"""What a check may use: injected devices, the patient's language and the "ask" callback.

Every device and network client is injected, so tests swap in real-but-virtual parts
(PulseAudio null sinks, a file camera, a node in a namespace) or — only for what cannot exist
here (a camera, a battery) — fakes behind the same interface.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from videotime_client.texts import Text

# ask(code, question) -> True (yes) / False (no) / None (no answer: skipped or timed out).
Ask = Callable[[str, Text], Awaitable[bool | None]]
# meter(device_kind, dbfs): live level for the microphone bar, called about ten times a second.
Meter = Callable[[str, float], None]


async def no_answer(code: str, question: Text) -> bool | None:
    """Default ``ask``: nobody is there to answer, so interactive parts are ``not_run``."""
    return None


@dataclass
class CheckContext:
    """Everything the checks get; attributes left ``None`` mean "not available here"."""

    lang: str = "nb"
    ask: Ask = no_answer
    meter: Meter | None = None
    # camera/lighting: a zero-argument factory returning a preflight.checks.camera.FrameSource
    camera: Callable[[], Any] | None = None
    # microphone/speaker: a preflight.checks.audio.AudioDevice
    audio: Any | None = None
    # battery: a preflight.checks.battery.BatteryProvider (psutil by default)
    battery: Any | None = None
    # network: a preflight.checks.network.NetworkTarget, or None when no node is known
    network: Any | None = None
    network_missing_reason: str = "no_node"
    # cpu: frames to encode (None = the default synthetic scene)
    appointment_minutes: float = 45.0
    department_phone: str | None = None
    # Shared between checks: the camera check leaves its last frames here for lighting.
    shared: dict[str, Any] = field(default_factory=dict)
