"""Call benchmark: our client vs headless Chromium as the patient (same node, machine and run).

Each contestant joins its own room of one embedded node (a subprocess), is admitted by the
node's simulated clinician and holds a two-way 640x480 call for ``seconds``:

* the client: ``benchmarks.client_probe`` (the code path of ``videotime join --headless
  --synthetic-media``) in its own process;
* Chromium: the node's ``/clinician`` page in patient mode (``role=guest``) with the fake camera
  (640x480) and microphone.

Measured per run:

* **join → first remote frame**: from launching the process to the first decoded remote frame
  (wall clock; cold start included for both: Python imports, browser start-up);
* **CPU seconds** and **peak RSS** over the whole life of the process (Chromium: its whole
  process tree, RSS summed over the tree, sampled every 0.25 s; PSS also shown because Chromium's
  processes share pages);
* **glass-to-glass latency** p50/p95: the simulated clinician's picture carries a time stamp
  (``videotime_client.call.stamp``), drawn when the frame is produced at the node; the client
  reads it from every decoded frame, Chromium from every painted frame of its ``<video>``
  (``requestVideoFrameCallback`` + canvas, injected through the DevTools protocol).

Targets (issue 4): first frame ≤ Chromium, CPU ≤ Chromium, RSS ≤ half of Chromium, p95 < 150 ms.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]

# Reads the stamp (layout: videotime_client/call/stamp.py) from every frame the page paints.
STAMP_JS = r"""
(() => {
  if (window.__vt) return "already";
  const vt = window.__vt = { lat: [], firstFrameWall: null, frames: 0 };
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  const crc32 = (bytes) => {
    let c = 0xFFFFFFFF;
    for (const b of bytes) c = table[(c ^ b) & 0xFF] ^ (c >>> 8);
    return (c ^ 0xFFFFFFFF) >>> 0;
  };
  const canvas = document.createElement("canvas");
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const read = (video) => {
    const w = video.videoWidth, h = video.videoHeight;
    if (!w || !h) return null;
    if (canvas.width !== w) { canvas.width = w; canvas.height = h; }
    const side = w / 32;
    ctx.drawImage(video, 0, 0, w, Math.ceil(side * 2) + 1, 0, 0, w, Math.ceil(side * 2) + 1);
    const px = ctx.getImageData(0, 0, w, Math.ceil(side * 2)).data;
    const bits = [];
    for (let row = 0; row < 2; row++) for (let col = 0; col < 32; col++) {
      const x = Math.floor((col + 0.5) * side), y = Math.floor((row + 0.5) * side);
      const i = (y * w + x) * 4;
      bits.push((px[i] + px[i + 1] + px[i + 2]) / 3 >= 128 ? 1 : 0);
    }
    const bytes = [];
    for (let b = 0; b < 8; b++) {
      let v = 0;
      for (let k = 0; k < 8; k++) v = (v << 1) | bits[b * 8 + k];
      bytes.push(v);
    }
    if ((crc32(bytes.slice(0, 6)) & 0xFFFF) !== ((bytes[6] << 8) | bytes[7])) return null;
    const stamp = ((bytes[0] << 24) >>> 0) + (bytes[1] << 16) + (bytes[2] << 8) + bytes[3];
    const now = Date.now();
    let diff = (now - stamp) % 4294967296; if (diff < 0) diff += 4294967296;
    if (diff >= 2147483648) diff -= 4294967296;
    return diff;
  };
  const hook = () => {
    const video = document.getElementById("remote");
    if (!video || !video.srcObject) { setTimeout(hook, 5); return; }
    const onFrame = () => {
      vt.frames++;
      if (vt.firstFrameWall === null) vt.firstFrameWall = Date.now();
      const d = read(video);
      if (d !== null && vt.lat.length < 20000) vt.lat.push(d);
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  };
  hook();
  return "hooked";
})()
"""


# ---------------------------------------------------------------- helpers
def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _median(values: list[Any]) -> Any:
    clean = [v for v in values if v is not None]
    return statistics.median(clean) if clean else None


class TreeSampler:
    """Peak RSS/PSS and CPU seconds of a process tree, sampled on a thread."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_rss = 0
        self.peak_pss = 0
        self.cpu: dict[int, float] = {}
        self._stop = False
        import threading

        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        tick = 0
        while not self._stop:
            try:
                root = psutil.Process(self.pid)
                procs = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            rss = pss = 0
            for p in procs:
                try:
                    with p.oneshot():
                        t = p.cpu_times()
                        self.cpu[p.pid] = t.user + t.system
                        rss += p.memory_info().rss
                        if tick % 4 == 0:
                            pss += p.memory_full_info().pss
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
            self.peak_rss = max(self.peak_rss, rss)
            if tick % 4 == 0:
                self.peak_pss = max(self.peak_pss, pss)
            tick += 1
            time.sleep(0.25)

    def stop(self) -> None:
        self._stop = True
        self._thread.join(5)

    @property
    def cpu_seconds(self) -> float:
        return sum(self.cpu.values())


async def _cdp_eval(port: int, expression: str) -> Any:
    import aiohttp

    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}/json/list") as r:
            targets = await r.json()
        page = next(t for t in targets if t.get("type") == "page")
        async with http.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as ws:
            await ws.send_json(
                {
                    "id": 1,
                    "method": "Runtime.evaluate",
                    "params": {"expression": expression, "returnByValue": True},
                }
            )
            async for msg in ws:
                data = json.loads(msg.data)
                if data.get("id") == 1:
                    return data.get("result", {}).get("result", {}).get("value")
    return None


def _devtools_port(profile: Path, timeout: float = 15) -> int:
    deadline = time.monotonic() + timeout
    path = profile / "DevToolsActivePort"
    while time.monotonic() < deadline:
        if path.exists():
            text = path.read_text().split()
            if text:
                return int(text[0])
        time.sleep(0.05)
    raise RuntimeError("Chromium did not open its DevTools port")


# ---------------------------------------------------------------- contestants
def run_client(base_url: str, room: str, seconds: float) -> dict[str, Any]:
    link = f"{base_url}/webapp/conference/{room}"
    launched = time.time()
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.client_probe", link, str(seconds)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    sampler = TreeSampler(proc.pid)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    sampler.stop()
    report = json.loads(out) if out.strip() else {}
    extra = report.get("extra", {})
    first_wall = extra.get("first_remote_frame_wall")
    lat = extra.get("latencies_ms", [])
    return {
        "ok": bool(report.get("connected")),
        "first_frame_ms": None if first_wall is None else 1000 * (first_wall - launched),
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
        "pss_mb": sampler.peak_pss / 2**20,
        "p50": _pct(lat, 0.5),
        "p95": _pct(lat, 0.95),
        "rx_fps": report.get("video_rx_fps"),
        "tx_fps": report.get("video_tx_fps"),
        "samples": len(lat),
    }


def run_chromium(base_url: str, room: str, seconds: float) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from tests.helpers.chromium import start_chromium

    url = f"{base_url}/clinician?room={room}&role=guest&direct=0&results=bench{room}"
    launched = time.time()
    with tempfile.TemporaryDirectory():
        browser = start_chromium(url, ["--remote-debugging-port=0"])
        sampler = TreeSampler(browser.pid)
        try:
            port = _devtools_port(browser.profile)
            deadline = time.monotonic() + 40
            first_wall = None
            # Evaluate until the clinician page (not the initial about:blank) has the hook and
            # has painted its first remote frame; the hook installs itself at most once.
            probe = (
                "location.pathname === '/clinician' ? "
                f"({STAMP_JS.strip()}, window.__vt.firstFrameWall) : null"
            )
            while first_wall is None and time.monotonic() < deadline:
                try:
                    first_wall = asyncio.run(_cdp_eval(port, probe))
                except Exception:
                    first_wall = None
                time.sleep(0.02)
            time.sleep(seconds)
            data = asyncio.run(
                _cdp_eval(
                    port, "JSON.stringify({lat: window.__vt.lat, frames: window.__vt.frames})"
                )
            )
            stats = json.loads(data) if data else {"lat": [], "frames": 0}
        finally:
            sampler.stop()
            browser.stop()
    lat = stats["lat"]
    return {
        "ok": first_wall is not None,
        "first_frame_ms": None if first_wall is None else first_wall - 1000 * launched,
        "cpu_s": sampler.cpu_seconds,
        "rss_mb": sampler.peak_rss / 2**20,
        "pss_mb": sampler.peak_pss / 2**20,
        "p50": _pct(lat, 0.5),
        "p95": _pct(lat, 0.95),
        "rx_fps": None,
        "tx_fps": None,
        "samples": len(lat),
    }


# ---------------------------------------------------------------- the run
def _start_node(rooms: list[str], tmp: Path) -> tuple[subprocess.Popen[str], str]:
    scenario = {
        "rooms": {
            room: {"clinician": {"enabled": True, "join_after_s": 1.0, "admit_after_s": 0.2}}
            for room in rooms
        }
    }
    path = tmp / "scenario.json"
    path.write_text(json.dumps(scenario), encoding="utf-8")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "videotime_client",
            "node",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--scenario",
            str(path),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    base = proc.stdout.readline().strip()
    if not base.startswith("http"):
        proc.kill()
        raise RuntimeError("the node did not start")
    return proc, base


def _fmt(v: Any, digits: int = 0) -> str:
    if v is None:
        return "n/a"
    return f"{v:.{digits}f}"


def run(runs: int = 3, seconds: float = 30.0) -> dict[str, Any]:
    rooms = [f"5{i:05d}" for i in range(2 * runs)]
    with tempfile.TemporaryDirectory() as tmp:
        node, base = _start_node(rooms, Path(tmp))
        results: dict[str, list[dict[str, Any]]] = {"client": [], "chromium": []}
        try:
            for i in range(runs):  # alternate, so drift on the machine hits both alike
                print(f"run {i + 1}/{runs}: client ...", flush=True)
                results["client"].append(run_client(base, rooms[2 * i], seconds))
                print(f"run {i + 1}/{runs}: chromium ...", flush=True)
                results["chromium"].append(run_chromium(base, rooms[2 * i + 1], seconds))
        finally:
            node.terminate()
            try:
                node.wait(10)
            except subprocess.TimeoutExpired:
                node.kill()
    med = {  # medians over the runs that reached the call
        who: {k: _median([r[k] for r in rs if r["ok"]]) for k in rs[0] if k != "ok"}
        for who, rs in results.items()
    }
    c, b = med["client"], med["chromium"]

    def ratio(key: str) -> str:
        return "n/a" if not c.get(key) or not b.get(key) else f"{c[key] / b[key]:.2f}"

    rows = [
        ("join → first remote frame (ms)", "first_frame_ms", 0, "≤ Chromium"),
        (f"CPU seconds ({seconds:g} s call)", "cpu_s", 1, "≤ Chromium"),
        ("peak RSS (MB)", "rss_mb", 0, "≤ 0.5 × Chromium"),
        ("peak PSS (MB)", "pss_mb", 0, "(shared pages counted once)"),
        ("glass-to-glass p50 (ms)", "p50", 0, ""),
        ("glass-to-glass p95 (ms)", "p95", 0, "< 150"),
        ("latency samples", "samples", 0, ""),
    ]
    ok = {who: sum(r["ok"] for r in rs) for who, rs in results.items()}
    print()
    print(
        f"Call benchmark: medians of {runs} runs, {seconds:g} s two-way 640x480 call "
        f"(client ok {ok['client']}/{runs}, Chromium ok {ok['chromium']}/{runs})"
    )
    print(f"{'metric':34} {'client':>10} {'chromium':>10} {'ratio':>7}  target")
    print("-" * 80)
    for label, key, digits, target in rows:
        print(
            f"{label:34} {_fmt(c.get(key), digits):>10} {_fmt(b.get(key), digits):>10} "
            f"{ratio(key):>7}  {target}"
        )
    verdicts = {
        "first frame ≤ Chromium": (c["first_frame_ms"] or 1e9) <= (b["first_frame_ms"] or 0),
        "CPU ≤ Chromium": c["cpu_s"] <= b["cpu_s"],
        "RSS ≤ half of Chromium": c["rss_mb"] <= 0.5 * b["rss_mb"],
        "p95 < 150 ms": (c["p95"] or 1e9) < 150,
    }
    print("-" * 80)
    for name, passed in verdicts.items():
        print(f"{'met ' if passed else 'MISSED'}  {name}")
    print(f"client rx/tx fps (median): {_fmt(c.get('rx_fps'), 1)} / {_fmt(c.get('tx_fps'), 1)}")
    return {"runs": results, "median": med, "verdicts": verdicts}


if __name__ == "__main__":
    run()
