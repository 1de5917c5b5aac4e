"""Headless Debian Chromium for tests and benchmarks (owner: node area).

    from tests.helpers.chromium import chromium_available, launch_chromium

    with launch_chromium(f"{node.base_url}/clinician?room=234567&results=c1") as browser:
        stats = node.wait_result("c1", until=lambda r: r["video_in"]["framesDecoded"] > 30)

* Fresh ``--user-data-dir`` per launch (removed afterwards), ``--no-sandbox`` when running as root,
  fake camera/microphone (``--use-fake-device-for-media-stream``, no permission prompt), loopback
  allowed in peer connections, no QUIC, background networking, sync or component updates, and
  every host name except 127.0.0.1/localhost mapped to "not found" so the browser cannot reach
  anything off this machine.
* Results: pages served by the node POST JSON to ``/_admin/results/<key>`` and tests read it
  with ``RunningNode.wait_result`` (tests/helpers/node.py). No DevTools connection is needed.
* ``extra_args`` adds flags (e.g. ``--use-file-for-fake-video-capture=...``).
* Teardown kills the whole process tree (Chromium forks zygotes, GPU and renderer processes);
  ``ChromiumProcess.stop()`` is idempotent and called by the context manager.
* ``chromium_available()`` tells whether /usr/bin/chromium exists (use it in a skipif only for
  platforms without it; here it is a system package listed in scripts/system-packages.txt).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

import psutil

CHROMIUM = os.environ.get("VIDEOTIME_CHROMIUM", "/usr/bin/chromium")

BASE_FLAGS = (
    "--headless=new",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--metrics-recording-only",
    "--mute-audio",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--allow-loopback-in-peer-connection",
    "--autoplay-policy=no-user-gesture-required",
    # Real candidate addresses instead of mDNS names (aiortc would resolve .local by multicast).
    "--disable-features=WebRtcHideLocalIpsWithMdns,MediaRouter,OptimizationHints",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
    "--no-proxy-server",
)


def chromium_available() -> bool:
    return Path(CHROMIUM).exists()


class ChromiumProcess:
    def __init__(self, proc: subprocess.Popen[bytes], profile: Path, log_path: Path) -> None:
        self.proc = proc
        self.profile = profile
        self.log_path = log_path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        kill_tree(self.proc.pid)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        shutil.rmtree(self.profile, ignore_errors=True)


def kill_tree(pid: int) -> None:
    """Kill ``pid`` and every descendant (children first are collected before killing)."""
    try:
        root = psutil.Process(pid)
        family = [*root.children(recursive=True), root]
    except psutil.NoSuchProcess:
        return
    for proc in family:
        with suppress(psutil.NoSuchProcess):
            proc.kill()
    psutil.wait_procs(family, timeout=10)


def start_chromium(url: str, extra_args: Sequence[str] = ()) -> ChromiumProcess:
    profile = Path(tempfile.mkdtemp(prefix="videotime-chromium-"))
    log_path = profile / "chromium.log"
    args = [CHROMIUM, *BASE_FLAGS, f"--user-data-dir={profile}", *extra_args]
    if os.geteuid() == 0:
        args.append("--no-sandbox")
    args.append(url)
    with open(log_path, "wb") as log_file:
        proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return ChromiumProcess(proc, profile, log_path)


@contextmanager
def launch_chromium(url: str, extra_args: Sequence[str] = ()) -> Iterator[ChromiumProcess]:
    browser = start_chromium(url, extra_args)
    try:
        yield browser
    finally:
        browser.stop()
