"""``videotime demo [--tour --screenshots DIR] [--lang nb|nn|en]`` — the whole journey offline.

``videotime demo`` starts the embedded node (``videotime node serve --port 0`` as a child
process; its first stdout line is the base URL), makes a demo appointment that starts in a few
minutes on the node's default room (123456; the simulated clinician joins 3 s after you and
introduces themselves in the chat) and opens the app on it, with the synthetic camera and tone.

``--tour`` walks home → appointment → equipment check → before joining → waiting room →
introductions → consultation → ended by itself; with ``--screenshots DIR`` it saves one PNG per
screen (``01-home.png`` … ``08-ended.png``).  Exit 0 only when every step was reached (and every
screenshot saved); 1 otherwise.

The demo never touches the patient's real profile: without ``--data-dir`` it uses a temporary
one that is deleted afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from videotime_client.paths import AppPaths

log = logging.getLogger(__name__)

DEMO_ROOM = "123456"
DEMO_STARTS_IN_MIN = 4
DEMO_DEPARTMENT = "Demoklinikken"
DEMO_PHONE = "22 00 00 00"
NODE_START_TIMEOUT_S = 30.0
TOUR_TIMEOUT_S = 240.0


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = sub.add_parser(
        "demo",
        parents=[common],
        help="try the whole journey on a built-in demo node (no hospital needed)",
        description="Start the embedded node with a demo appointment and open the app on it.",
    )
    p.add_argument(
        "--tour", action="store_true", help="walk the whole journey automatically, then exit"
    )
    p.add_argument(
        "--screenshots",
        metavar="DIR",
        help="with --tour: save one PNG per screen in DIR (01-home.png ...)",
    )
    p.set_defaults(handler=run)


class DemoNode:
    """``videotime node serve --port 0`` as a child process; ``url`` from its first line."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.proc: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self) -> str:
        cmd = [
            sys.executable,
            "-m",
            "videotime_client",
            "--data-dir",
            str(self.data_dir / "node"),
            "node",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
        ]
        self.proc = subprocess.Popen(
            cmd,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        stdout = self.proc.stdout
        assert stdout is not None
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(NODE_START_TIMEOUT_S)
        url = line[0].strip() if line else ""
        if not url.startswith("http"):
            self.stop()
            raise RuntimeError("the demo node did not start")
        self.url = url
        # Keep draining stdout so the node never blocks on a full pipe.
        threading.Thread(target=self._drain, daemon=True).start()
        return url

    def _drain(self) -> None:
        with contextlib.suppress(Exception):
            for _ in (self.proc.stdout if self.proc is not None else None) or ():
                pass

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


def _die_with_parent() -> None:
    """Linux: the node gets SIGTERM if the demo dies without cleaning up (e.g. SIGKILL)."""
    import ctypes

    pr_set_pdeathsig = 1
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def demo_link(base_url: str, now: dt.datetime | None = None) -> str:
    start = (now or dt.datetime.now(dt.UTC)).astimezone() + dt.timedelta(minutes=DEMO_STARTS_IN_MIN)
    start = start.replace(second=0, microsecond=0)
    return (
        f"{base_url}/webapp/conference/{DEMO_ROOM}?start={quote(start.isoformat())}"
        f"&dept={quote(DEMO_DEPARTMENT)}&phone={quote(DEMO_PHONE)}"
    )


def run(args: argparse.Namespace) -> int:
    from videotime_client.paths import AppPaths

    if args.screenshots and not args.tour:
        print("videotime demo: --screenshots needs --tour", file=sys.stderr)
        return 2
    with contextlib.ExitStack() as stack:
        if args.data_dir:
            paths = args.paths
        else:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="videotime-demo-")))
            paths = AppPaths.resolve(tmp)
        paths.ensure()
        node = DemoNode(paths.cache)
        stack.callback(node.stop)
        try:
            url = node.start()
        except (OSError, RuntimeError) as exc:
            log.error("demo node failed: %s", exc)
            print(
                {
                    "nb": "Demo-noden startet ikke.",
                    "nn": "Demo-noden starta ikkje.",
                    "en": "The demo node did not start.",
                }[args.lang],
                file=sys.stderr,
            )
            return 1
        return _run_app(args, paths, demo_link(url))


def _run_app(args: argparse.Namespace, paths: AppPaths, link: str) -> int:
    from PySide6.QtCore import QTimer

    from videotime_client.ui import app as ui_app
    from videotime_client.ui import errors
    from videotime_client.ui.services import AppServices
    from videotime_client.ui.tour import Tour

    qt_app = ui_app.application()
    ui_app._install_qt_logging()
    services = AppServices(
        paths,
        dev=True,
        synthetic=True,
        # The tour is unattended: no sound out of the speakers (the demo plays the clinician).
        play_audio=not args.tour,
        host_addresses=["127.0.0.1"],
    )
    parts = ui_app.build(services, lang=args.lang, error_dialogs=not args.tour)
    window = parts.window
    window.show()
    ui_app.quit_on_signals(qt_app)
    result = {"ok": True}
    try:
        if args.tour:
            shots = Path(args.screenshots) if args.screenshots else None
            tour = Tour(window, link, shots)

            def done(ok: bool) -> None:
                result["ok"] = ok
                QTimer.singleShot(300, qt_app.quit)

            tour.finished.connect(done)
            QTimer.singleShot(int(TOUR_TIMEOUT_S * 1000), lambda: tour._fail("tour timeout"))
            QTimer.singleShot(500, tour.start)
        else:
            QTimer.singleShot(0, lambda: parts.journey.open_link(link))
        qt_app.exec()
    finally:
        parts.journey.shutdown()
        errors.uninstall()
    if args.tour:
        steps = ", ".join(s.slug for s in tour.reached)
        if result["ok"]:
            print(f"tour complete: {steps}")
            print("equipment check: " + " ".join(f"{k}={v}" for k, v in tour.verdicts.items()))
            for path in tour.saved:
                print(path)
            return 0
        print(f"tour failed: {tour.failure} (reached: {steps})", file=sys.stderr)
        return 1
    return 0
