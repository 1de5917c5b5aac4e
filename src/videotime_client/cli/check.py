"""`videotime check` — the pre-flight equipment check (issue 5; docs/preflight.md).

    videotime check [--json] [--link LINK] [--dev] [--only NAME[,NAME]]
                    [--camera FILE|synthetic] [--yes]

Exit 0 when the overall verdict is good or limited (or nothing could run), 1 for cannot,
2 for usage errors.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import sys
from collections.abc import Callable
from typing import Any

NAMES = ("camera", "microphone", "speaker", "lighting", "battery", "network", "cpu")


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = sub.add_parser(
        "check", parents=[common], help="test camera, sound, light, battery and network"
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON (for support)")
    p.add_argument("--link", metavar="LINK", help="test the network against this link's node")
    p.add_argument("--dev", action="store_true", help="allow loopback development nodes")
    p.add_argument("--only", metavar="NAME[,NAME]", help=f"run only these: {','.join(NAMES)}")
    p.add_argument("--camera", metavar="FILE|synthetic", help="use a file or a synthetic camera")
    p.add_argument("--yes", action="store_true", help="answer yes to the questions (unattended)")
    p.set_defaults(handler=run)


def _usage(message: str) -> int:
    print(f"videotime check: {message}", file=sys.stderr)
    return 2


def _network_target(args: argparse.Namespace) -> tuple[Any, str]:
    """(NetworkTarget or None, reason when None)."""
    from videotime_client.preflight.checks.network import NetworkTarget

    if args.link:
        from videotime_client.invitation import load_trusted_nodes, parse_invitation

        inv = parse_invitation(
            args.link, trusted_nodes=load_trusted_nodes(args.paths.config), dev=args.dev
        )
        return _target(NetworkTarget, inv.node_base), ""
    try:
        from videotime_client.appointments import AppointmentStore
        from videotime_client.secrets import PinVault

        stored = AppointmentStore(args.paths, PinVault()).list()
    except Exception:
        return None, "no_node"
    if not stored:
        return None, "no_node"
    a = stored[0]  # the upcoming (most recent) appointment comes first
    return _target(NetworkTarget, f"{a.scheme}://{a.node}"), ""


def _target(cls: Any, base: str) -> Any:
    """A dev node on loopback gets its ICE candidates on loopback too (aioice skips it)."""
    from urllib.parse import urlsplit

    from videotime_client.pexip.api import is_loopback_host

    host = urlsplit(base).hostname
    return cls(base, host_addresses=("127.0.0.1",) if is_loopback_host(host) else None)


def _run_with_qt(
    ctx: Any, runner: Any, only: list[str] | None, *, camera: bool, audio: bool
) -> Any:
    """The real camera (and Qt audio where PulseAudio is absent: Windows, macOS) need Qt's
    event loop on this (main) thread: the checks run on a worker thread with their own asyncio
    loop, Qt runs here until they are done."""
    import threading

    try:
        from PySide6.QtCore import QCoreApplication

        from videotime_client.media.qt_audio_probe import QtAudioDevice
        from videotime_client.media.qt_camera_probe import QtCameraFrameSource, _Invoker
    except ImportError:  # Qt Multimedia missing: camera and lighting report not_run
        return asyncio.run(runner.run(only))
    import os

    # Qt Multimedia's back-end chatter (PipeWire, FFmpeg versions) is not for patients.
    os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false")
    app = QCoreApplication.instance() or QCoreApplication([sys.argv[0]])
    if camera:
        ctx.camera = QtCameraFrameSource
    if audio:
        ctx.audio = QtAudioDevice()
    invoker = _Invoker()
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["report"] = asyncio.run(runner.run(only))
        except BaseException as exc:  # re-raised on the main thread
            outcome["error"] = exc
        finally:
            invoker.call.emit(app.quit)

    thread = threading.Thread(target=work, name="videotime-check")
    thread.start()
    app.exec()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["report"]


def run(args: argparse.Namespace) -> int:
    from videotime_client.invitation import InvitationError
    from videotime_client.preflight import CheckContext, Runner, Verdict
    from videotime_client.preflight.report import chat_summary, to_json

    only: list[str] | None = None
    if args.only:
        only = [n.strip() for n in args.only.split(",") if n.strip()]
        bad = [n for n in only if n not in NAMES]
        if bad or not only:
            return _usage(
                f"unknown check name(s): {', '.join(bad) or '(none)'}; use {','.join(NAMES)}"
            )
    camera_factory: Callable[[], Any] | None = None
    if args.camera:
        from pathlib import Path

        from videotime_client.media.camera_probe import FileFrameSource, SyntheticFrameSource

        if args.camera == "synthetic":
            camera_factory = SyntheticFrameSource
        else:
            path = Path(args.camera)
            if not path.is_file():
                return _usage(f"--camera: no such file: {args.camera}")
            camera_factory = functools.partial(FileFrameSource, path)
    try:
        target, reason = _network_target(args)
    except InvitationError as exc:
        return _usage(exc.for_patient(args.lang))

    from videotime_client.media.audio_probe import PulseAudioDevice

    lang = args.lang

    async def ask(code: str, question: Any) -> bool | None:
        if args.yes:
            return True
        if not sys.stdin.isatty():
            return None
        answer = await asyncio.to_thread(input, f"{question(lang)} [j/n] ")
        return answer.strip().lower() in ("j", "ja", "y", "yes")

    ctx = CheckContext(
        lang=lang,
        ask=ask,
        camera=camera_factory,
        audio=PulseAudioDevice() if PulseAudioDevice.available() else None,
        network=target,
        network_missing_reason=reason or "no_node",
    )

    def progress(event: Any) -> None:
        if not args.json and event.phase == "finished" and event.result is not None:
            r = event.result
            print(f"{r.name:<11} {r.verdict.value:<8} {r.advice(lang) if r.advice else ''}")

    wanted = set(only) if only else set(NAMES)
    qt_camera = camera_factory is None and bool({"camera", "lighting"} & wanted)
    qt_audio = ctx.audio is None and bool({"microphone", "speaker"} & wanted)
    if qt_camera or qt_audio:
        runner = Runner(ctx, on_progress=progress)
        report = _run_with_qt(ctx, runner, only, camera=qt_camera, audio=qt_audio)
    else:
        report = asyncio.run(Runner(ctx, on_progress=progress).run(only))
    results = list(report.results)
    if args.json:
        print(json.dumps(to_json(results, report.duration_s, lang), ensure_ascii=False, indent=2))
    else:
        print(chat_summary(results, lang))
    return 1 if report.verdict is Verdict.CANNOT else 0
