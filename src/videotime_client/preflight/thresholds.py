"""Every number the pre-flight checks judge by, in ONE table, each with where it comes from.

Sources are the survey in ``shared/reference/preflight-anchors.md`` (abbreviated as in its
feature table: TRTC = webrtc/testrtc, DLY = Daily, TW-P = Twilio preflight, JIT = Jitsi
precall-test, VON = Vonage) or a measurement of ours (``docs/preflight.md``).  Change a number
here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Threshold:
    value: float
    unit: str
    source: str


THRESHOLDS: dict[str, Threshold] = {
    # ------------------------------------------------------------------ camera
    "camera_min_seconds": Threshold(2.0, "s", "issue 5: at least 2 s of frames"),
    "camera_black_luma": Threshold(
        20.0, "luma 0-255", "TRTC camresolutionstest: mean Rec.709 luma < 20"
    ),
    "camera_bad_frame_share": Threshold(
        1 / 3, "share of frames", "TRTC: fail if > 1/3 black or frozen"
    ),
    "camera_frozen_ssim": Threshold(
        0.985, "SSIM", "TRTC: frozen if SSIM vs previous frame > 0.985"
    ),
    "camera_min_fps": Threshold(5.0, "fps", "TRTC: fail if average FPS < 5"),
    "camera_limited_fps": Threshold(15.0, "fps", "ours: below 15 fps motion looks jerky"),
    # -------------------------------------------------------------- microphone
    "mic_silence_dbfs": Threshold(
        -90.0, "dBFS", "ours: digital silence (all-zero) = device delivers nothing"
    ),
    "mic_too_quiet_dbfs": Threshold(
        -60.0, "dBFS", "TRTC mictest: input level low if RMS < -60 dBFS"
    ),
    "mic_clip_run": Threshold(
        6, "samples", "TRTC mictest: warn if > 6 consecutive full-scale samples"
    ),
    "mic_listen_seconds": Threshold(2.0, "s", "TRTC mictest: 2 s of audio (5 s timer)"),
    # ---------------------------------------------------------------- lighting
    "light_too_dark_luma": Threshold(
        40.0, "mean luma 0-255", "ours: whole picture darker than a dim room"
    ),
    "light_backlit_ratio": Threshold(
        0.55, "face/background luma", "ours: face < 55 % of the background"
    ),
    "light_overexposed_share": Threshold(
        0.25, "share of face pixels >= 250", "ours: a quarter of the face clipped white"
    ),
    "light_clip_luma": Threshold(250.0, "luma", "ours: counts as clipped"),
    # ----------------------------------------------------------------- battery
    "battery_default_minutes": Threshold(45.0, "min", "issue 5: default appointment length"),
    "battery_margin": Threshold(1.5, "x appointment", "ours: estimates are rough; want 50 % spare"),
    "battery_low_percent": Threshold(20.0, "%", "ours: OS 'low battery' level when no estimate"),
    # ----------------------------------------------------------------- network
    "net_good_kbps": Threshold(1100.0, "kbit/s", "DLY testCallQuality: good >= 1.1 Mbps up (HD)"),
    "net_small_video_kbps": Threshold(
        250.0, "kbit/s", "anchors TL;DR: ~250-500 kbps for 360p small video"
    ),
    "net_audio_only_kbps": Threshold(
        64.0, "kbit/s", "anchors: < 64 kbit/s audio only; below that, phone"
    ),
    "net_rtt_good_ms": Threshold(300.0, "ms", "anchors TL;DR: RTT < 300 ms good"),
    "net_rtt_bad_ms": Threshold(600.0, "ms", "anchors TL;DR: > 400-600 ms bad"),
    "net_loss_good_pct": Threshold(2.0, "%", "anchors TL;DR: loss < 1-5 % good"),
    "net_loss_bad_pct": Threshold(10.0, "%", "anchors TL;DR: > 5-10 % bad"),
    "net_jitter_good_ms": Threshold(30.0, "ms", "anchors TL;DR: jitter < 30 ms"),
    "net_probe_cap_kbps": Threshold(
        8000.0, "kbit/s", "ours: enough to judge HD; a bigger burst only burdens the line"
    ),
    # --------------------------------------------------------------------- cpu
    "cpu_encode_fps_good": Threshold(
        60.0, "fps", "ours: 2x real time for 640x480@30 VP8 (aiortc-notes 1.1)"
    ),
    "cpu_encode_fps_min": Threshold(30.0, "fps", "aiortc-notes 1.1: real time for 640x480@30"),
    # ------------------------------------------------------------------ runner
    "runner_budget_s": Threshold(10.0, "s", "issue 5: one verdict in ten seconds"),
}


def t(name: str) -> float:
    """The value of threshold ``name``."""
    return THRESHOLDS[name].value
