"""Pre-flight benchmark (issue 5): the whole automatic run stays under 10 s, and the network
estimate is within ±15 % of a tc-tbf-shaped link at 0.5, 2 and 5 Mbit/s.

Run alone with ``python -m benchmarks.preflight`` or through ``make bench`` (the hook in
``benchmarks/__main__.py`` calls :func:`run`).  Real parts only: a private PulseAudio daemon with
a virtual microphone that "speaks", the synthetic camera, the embedded node (loopback for the
full run; inside a network namespace behind ``tc tbf`` for the bitrate rows).
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

RUNS = 3
RATES_KBIT = (500, 2000, 5000)


def _node(cmd_prefix: list[str], host: str, pem: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            *cmd_prefix,
            sys.executable,
            "-m",
            "videotime_client",
            "node",
            "serve",
            "--host",
            host,
            "--port",
            "0" if host == "127.0.0.1" else "8443",
            "--tls",
            "--cert-out",
            str(pem),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)
    if proc.stdout is not None:
        proc.stdout.close()


def full_runs(tmp: Path) -> list[dict[str, Any]]:
    """The whole automatic run (camera, lighting, microphone, battery, network, cpu)."""
    import numpy as np
    from tests.helpers.pulse import PulseServer

    from videotime_client.media.audio_probe import PulseAudioDevice
    from videotime_client.media.camera_probe import SyntheticFrameSource
    from videotime_client.preflight import CheckContext, Runner
    from videotime_client.preflight.checks.network import NetworkTarget

    pulse = PulseServer(tmp / "pulse")
    (tmp / "pulse").mkdir()
    pulse.start()
    node = _node([], "127.0.0.1", tmp / "loop.pem")
    rows = []
    try:
        assert node.stdout is not None
        url = node.stdout.readline().strip()
        pulse.virtual_mic("bench_mic")
        pulse.null_sink("bench_speaker")
        import os

        os.environ.update(pulse.env)
        rng = np.random.default_rng(0)
        voice = (rng.normal(0, 300, 48000 * 40)).astype(np.int16)
        with pulse.play_samples("bench_mic", voice):
            for _ in range(RUNS):
                ctx = CheckContext(
                    camera=SyntheticFrameSource,
                    audio=PulseAudioDevice(source="bench_mic", sink="bench_speaker"),
                    network=NetworkTarget(
                        url, ca_file=str(tmp / "loop.pem"), host_addresses=("127.0.0.1",)
                    ),
                )
                only = ["camera", "lighting", "microphone", "battery", "network", "cpu"]
                report = asyncio.run(Runner(ctx).run(only))
                by_name = {r.name: r for r in report.results}
                rows.append(
                    {
                        "automatic_s": report.automatic_s,
                        "verdicts": {r.name: r.verdict.value for r in report.results},
                        "cpu_encode_fps": by_name["cpu"].measurements.get("encode_fps"),
                        "network_send_kbps": by_name["network"].measurements.get("send_kbps"),
                    }
                )
    finally:
        _stop(node)
        pulse.stop()
    return rows


def shaped_rows(tmp: Path) -> list[dict[str, Any]]:
    from tests.helpers.netns import netns_available, network_namespace

    from videotime_client.preflight.checks import network
    from videotime_client.preflight.checks.network import NetworkTarget
    from videotime_client.preflight.context import CheckContext

    if not netns_available():
        return [{"rate_kbit": r, "skipped": "needs root for namespaces"} for r in RATES_KBIT]
    rows = []
    with network_namespace() as ns:
        pem = tmp / "ns.pem"
        node = _node(ns.prefix(), ns.addr, pem)
        try:
            assert node.stdout is not None
            url = node.stdout.readline().strip()
            target = NetworkTarget(url, ca_file=str(pem), host_addresses=(ns.host_addr,))
            for rate in RATES_KBIT:
                ns.clear_impairments()
                ns.limit_bandwidth(rate)
                import time

                t0 = time.monotonic()
                r = asyncio.run(network.run(CheckContext(network=target)))
                took = time.monotonic() - t0
                est = r.measurements.get("send_kbps")
                rows.append(
                    {
                        "rate_kbit": rate,
                        "estimate_kbit": est,
                        "error_pct": None if est is None else round(100 * (est - rate) / rate, 1),
                        "check_s": round(took, 2),
                        "verdict": r.verdict.value,
                    }
                )
        finally:
            ns.clear_impairments()
            _stop(node)
    return rows


def run() -> dict[str, Any]:
    """Both benchmarks; prints a table and returns the numbers."""
    tmp = Path(tempfile.mkdtemp(prefix="vt-bench-preflight-"))
    try:
        full = full_runs(tmp)
        shaped = shaped_rows(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    times = [r["automatic_s"] for r in full]
    print("\n== pre-flight check (issue 5) ==")
    print(
        f"whole automatic run, {len(times)} runs: median {statistics.median(times):.2f} s, "
        f"max {max(times):.2f} s (budget 10 s)"
    )
    for r in full:
        print(
            f"  {r['automatic_s']:.2f} s  {r['verdicts']}  cpu {r['cpu_encode_fps']} fps, "
            f"loopback send {r['network_send_kbps']} kbit/s"
        )
    print(f"{'tbf kbit/s':>10} {'estimate':>9} {'error':>7} {'check s':>8}  verdict")
    for r in shaped:
        if "skipped" in r:
            print(f"{r['rate_kbit']:>10}  skipped: {r['skipped']}")
            continue
        print(
            f"{r['rate_kbit']:>10} {r['estimate_kbit']!s:>9} {r['error_pct']!s:>6}% "
            f"{r['check_s']:>8}  {r['verdict']}"
        )
    return {"full_runs": full, "shaped": shaped}


if __name__ == "__main__":
    run()
