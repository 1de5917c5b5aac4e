"""CPU headroom: can this machine encode 640x480@30 VP8 in real time?

A short encode (about half a second of CPU) of a webcam-like synthetic scene with aiortc's own
VP8 settings (libvpx, realtime deadline) — the measurement the aiortc notes use (§1.1).  The
encode runs in a worker thread; PyAV releases the GIL, so the other checks keep running.
"""

from __future__ import annotations

import asyncio
import fractions
import time

import numpy as np

from videotime_client.preflight.context import CheckContext
from videotime_client.preflight.models import CheckResult, Verdict, not_run
from videotime_client.preflight.thresholds import t
from videotime_client.texts import Text

WIDTH, HEIGHT, FRAMES = 640, 480, 30

ADVICE = {
    "ok": Text(
        nb="Datamaskinen er rask nok til video.",
        nn="Datamaskina er rask nok til video.",
        en="Your computer is fast enough for video.",
    ),
    "slow_cpu": Text(
        nb="Datamaskinen har lite kraft til overs. Lukk andre program før timen, så går "
        "videoen jevnere.",
        nn="Datamaskina har lite kraft til overs. Lukk andre program før timen, så går videoen "
        "jamnare.",
        en="Your computer has little power to spare. Close other programs before the "
        "appointment so the video runs smoothly.",
    ),
    "too_slow": Text(
        nb="Datamaskinen er for treg til god video. Lukk andre program, eller bruk en annen "
        "enhet. Lyden vil likevel virke.",
        nn="Datamaskina er for treg til god video. Lukk andre program, eller bruk ei anna "
        "eining. Lyden vil likevel verke.",
        en="Your computer is too slow for good video. Close other programs or use another "
        "device. Sound will still work.",
    ),
}
NO_ENCODER = Text(
    nb="Vi kunne ikke måle datamaskinens hastighet. Det betyr ikke at noe er feil.",
    nn="Vi kunne ikkje måle farten til datamaskina. Det betyr ikkje at noko er feil.",
    en="We could not measure the computer's speed. That does not mean anything is wrong.",
)


def measure_encode_fps(frames: int = FRAMES, max_seconds: float = 1.0) -> dict[str, float]:
    """Encode ``frames`` frames at 640x480 with VP8; returns wall-clock fps and CPU fps."""
    import av

    rng = np.random.default_rng(1)
    yy, xx = np.mgrid[:HEIGHT, :WIDTH]
    base = ((xx // 40 + yy // 40) % 2 * 60 + 90).astype(np.uint8)
    codec = av.CodecContext.create("libvpx", "w")
    codec.width, codec.height, codec.pix_fmt = WIDTH, HEIGHT, "yuv420p"
    codec.bit_rate = 1_000_000
    codec.framerate = fractions.Fraction(30, 1)
    codec.time_base = fractions.Fraction(1, 30)
    codec.options = {"deadline": "realtime", "cpu-used": "-6", "lag-in-frames": "0"}
    pictures = []
    noise = rng.normal(0, 2, base.shape)
    for i in range(min(frames, 8)):  # a moving "head" and sensor noise, like a webcam
        img = base.copy()
        cx = 200 + 8 * i
        img[150:330, cx : cx + 140] = 180
        grey = np.clip(img + np.roll(noise, i * 7, axis=1), 0, 255).astype(np.uint8)
        rgb = np.repeat(grey[:, :, None], 3, axis=2)
        pictures.append(av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p"))
    # The first frame opens the encoder and is a keyframe: not what a call does 30 times a
    # second, so it is encoded before the clock starts.
    pictures[0].pts = 0
    list(codec.encode(pictures[0]))
    wall0, cpu0 = time.perf_counter(), time.thread_time()
    size = done = 0
    # Bounded in time as well as frames: on a busy machine the answer ("not real time") is
    # already known after a second, and the check must fit the 10 s budget.
    while done < frames and time.perf_counter() - wall0 < max_seconds:
        frame = pictures[done % len(pictures)]
        frame.pts = done + 1
        for packet in codec.encode(frame):
            size += packet.size
        done += 1
    wall, cpu = time.perf_counter() - wall0, time.thread_time() - cpu0
    frames = max(done, 1)
    return {
        "encode_fps": round(frames / wall, 1) if wall > 0 else 0.0,
        "encode_fps_per_cpu": round(frames / cpu, 1) if cpu > 0 else 0.0,
        "encode_ms_per_frame": round(1000 * wall / frames, 2),
        "frames": float(done),
    }


async def run(ctx: CheckContext) -> CheckResult:
    try:
        m = await asyncio.to_thread(measure_encode_fps)
    except Exception:
        return not_run("cpu", "no_encoder", NO_ENCODER)
    fps = m["encode_fps"]
    m["target_fps"] = 30.0
    if fps >= t("cpu_encode_fps_good"):
        return CheckResult("cpu", Verdict.GOOD, (), ADVICE["ok"], m)
    if fps >= t("cpu_encode_fps_min"):
        return CheckResult("cpu", Verdict.LIMITED, ("slow_cpu",), ADVICE["slow_cpu"], m)
    return CheckResult("cpu", Verdict.LIMITED, ("too_slow",), ADVICE["too_slow"], m)
