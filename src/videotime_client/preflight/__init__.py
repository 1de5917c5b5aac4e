"""Pre-flight equipment check (issue 5): camera, microphone and speaker, lighting, battery,
network against the appointment's own node, and CPU headroom — one verdict in ten seconds.

Qt-free core. Devices come in through small interfaces (``checks.camera.FrameSource``,
``checks.audio.AudioDevice``, ``checks.battery.BatteryProvider``,
``checks.network.NetworkTarget``); ``media/`` provides the real ones. See docs/preflight.md.
"""

from videotime_client.preflight.context import CheckContext
from videotime_client.preflight.models import CHECK_NAMES, CheckResult, Verdict, overall_verdict
from videotime_client.preflight.runner import Report, Runner

__all__ = [
    "CHECK_NAMES",
    "CheckContext",
    "CheckResult",
    "Report",
    "Runner",
    "Verdict",
    "overall_verdict",
]
