"""``videotime join``: join a consultation; headless, print one JSON report.

Usage: ``videotime join LINK [--dev] --headless [--synthetic-media | --camera FILE]
[--duration S] [--json]``.

Joins as a guest, waits for admission, stays ``S`` seconds in the consultation, leaves cleanly
and prints one JSON report (keys are a contract; see issue 4)::

    connected, media_mode, waited_for_host_ms, setup_ms, first_remote_frame_ms, video_rx_fps,
    video_tx_fps, audio_rx_packets, rtt_ms, loss_pct,
    encryption {dtls_state, cipher, srtp_profile, remote_fingerprint_verified},
    reconnects, ended_reason

Exit 0 only when the consultation was reached and media flowed both ways; 1 otherwise; 2 for
usage errors.  Without ``--headless`` the link opens in the app.

:func:`headless_join` is the same thing as a function (tests, benchmarks, pre-flight).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from videotime_client.texts import Text

log = logging.getLogger(__name__)

DEFAULT_DURATION_S = 10.0
DEFAULT_MAX_WAIT_S = 600.0


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = sub.add_parser(
        "join",
        parents=[common],
        help="join a consultation (headless: for tests and support)",
        description="Join a video consultation as a guest.",
    )
    p.add_argument("link", metavar="LINK", help="invitation link or room number")
    p.add_argument("--dev", action="store_true", help="allow loopback development nodes")
    p.add_argument("--headless", action="store_true", help="no window; print a report")
    media = p.add_mutually_exclusive_group()
    media.add_argument(
        "--synthetic-media", action="store_true", help="send a test picture and tone"
    )
    media.add_argument("--camera", metavar="FILE", help="send this image or video as the camera")
    p.add_argument(
        "--duration",
        metavar="S",
        type=float,
        default=DEFAULT_DURATION_S,
        help=f"seconds to stay in the consultation (default {DEFAULT_DURATION_S:g})",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument(
        "--max-wait",
        metavar="S",
        type=float,
        default=DEFAULT_MAX_WAIT_S,
        help=argparse.SUPPRESS,  # how long to wait for the host before giving up
    )
    p.add_argument("--name", default=None, help=argparse.SUPPRESS)
    p.set_defaults(handler=run)


# ---------------------------------------------------------------- the report
@dataclass
class JoinReport:
    connected: bool = False
    media_mode: str = "transcoded"
    waited_for_host_ms: float | None = None
    setup_ms: float | None = None
    first_remote_frame_ms: float | None = None
    video_rx_fps: float = 0.0
    video_tx_fps: float = 0.0
    audio_rx_packets: int = 0
    rtt_ms: float | None = None
    loss_pct: float | None = None
    encryption: dict[str, Any] = field(
        default_factory=lambda: {
            "dtls_state": None,
            "cipher": None,
            "srtp_profile": None,
            "remote_fingerprint_verified": False,
        }
    )
    reconnects: int = 0
    ended_reason: str | None = None
    # Not part of the contract: extra facts for tests and benchmarks (not printed).
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data.pop("extra")
        return data

    @property
    def media_both_ways(self) -> bool:
        """Picture both ways and sound both ways (sent audio: RTP packets, from getStats)."""
        return (
            self.video_rx_fps > 0
            and self.video_tx_fps > 0
            and self.audio_rx_packets > 0
            and self.extra.get("audio_tx_packets", 0) > 0
        )


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


# ---------------------------------------------------------------- the join
def headless_join(
    invitation: Any,
    *,
    video_source: Any,
    audio_source: Any,
    duration_s: float = DEFAULT_DURATION_S,
    max_wait_s: float = DEFAULT_MAX_WAIT_S,
    display_name: str | None = None,
    host_addresses: list[str] | None = None,
    measure_latency: bool = False,
    engine: Any | None = None,
    http_session: Any | None = None,
    on_call: Any | None = None,
    dead_path_s: float = 6.0,
    reconnect_budget_s: float = 60.0,
    ice_timeout_s: float = 10.0,
    relay_only: bool | None = None,
    watch_network_changes: bool | None = None,
) -> JoinReport:
    """Join, wait for the host, stay ``duration_s`` in consultation, leave; return the report."""
    from videotime_client.call.engine import MediaEngine
    from videotime_client.call.errors import EndReason
    from videotime_client.call.ice import IcePlan
    from videotime_client.call.routing import EventRouter
    from videotime_client.call.session import CallOptions, CallSession, CallState, StateChanged
    from videotime_client.pexip.api import PexipApi
    from videotime_client.pexip.lobby import LobbyState
    from videotime_client.pexip.session import ConferenceSession

    started_at = time.monotonic()  # "start" of setup_ms and first_remote_frame_ms
    report = JoinReport()
    own_engine = engine is None
    engine = engine or MediaEngine()
    api = PexipApi(invitation.node_base, invitation.alias, session=http_session)
    if host_addresses is None and _is_loopback(invitation.node_base):
        host_addresses = ["127.0.0.1"]  # a dev node on loopback: keep media on loopback too

    router = EventRouter()
    state_changed = threading.Event()

    def on_call_event(event: Any) -> None:
        if isinstance(event, StateChanged):
            state_changed.set()

    conference = ConferenceSession(api, router.on_event)
    call: CallSession | None = None
    try:
        grant = conference.join(
            display_name or invitation.display_name or "Pasient",
            invitation.pin,
            direct_media=True,
            call_tag=invitation.call_tag,
        )
        report.media_mode = "direct" if grant.direct_media else "transcoded"
        plan = IcePlan.from_grant(
            grant.ice_servers,
            relay_only=grant.use_relay_candidates_only if relay_only is None else relay_only,
        )
        options = CallOptions(
            ice=plan,
            host_addresses=host_addresses,
            department_phone=invitation.phone,
            measure_latency=measure_latency,
            dead_path_s=dead_path_s,
            reconnect_budget_s=reconnect_budget_s,
            ice_timeout_s=ice_timeout_s,
            watch_network_changes=watch_network_changes,
            started_at=started_at,
        )
        call = CallSession(
            engine,
            conference,
            video_source=video_source,
            audio_source=audio_source,
            options=options,
            direct_media=grant.direct_media,
            on_event=on_call_event,
        )
        if on_call is not None:
            on_call(call)
        call.set_admitted(conference.lobby_state is LobbyState.ADMITTED)
        router.attach(call)
        call.start()

        # Wait for the consultation (bounded), then stay for the duration.
        deadline = time.monotonic() + max_wait_s
        while call.state not in (CallState.IN_CONSULTATION, CallState.ENDED, CallState.FAILED):
            if time.monotonic() > deadline:
                call.end(EndReason.LOBBY_TIMEOUT)
                break
            state_changed.wait(0.2)
            state_changed.clear()
        if call.state == CallState.IN_CONSULTATION:
            report.connected = True
            stay_until = time.monotonic() + duration_s
            while time.monotonic() < stay_until and call.state not in (
                CallState.ENDED,
                CallState.FAILED,
            ):
                state_changed.wait(min(0.2, max(0.0, stay_until - time.monotonic())))
                state_changed.clear()
        call.end(EndReason.LEFT)
        call.wait(30)
    finally:
        conference.leave()
        if own_engine:
            engine.close()
    _fill(report, call)
    return report


def _fill(report: JoinReport, call: Any) -> None:
    if call is None:
        report.ended_reason = "signalling"
        return
    m = call.metrics
    report.waited_for_host_ms = _round(m.waited_for_host_ms)
    report.setup_ms = _round(m.setup_ms)
    report.first_remote_frame_ms = _round(m.first_remote_frame_ms)
    if m.in_consultation_s > 0:
        report.video_rx_fps = round(m.video_rx_frames_in_consultation / m.in_consultation_s, 1)
        report.video_tx_fps = round(m.video_tx_frames_in_consultation / m.in_consultation_s, 1)
    report.audio_rx_packets = m.audio_rx_packets
    report.rtt_ms = _round(m.rtt_ms)
    report.loss_pct = _round(m.loss_pct, 2)
    report.encryption = m.encryption.as_report()
    report.reconnects = m.reconnects
    report.ended_reason = call.end_reason.value if call.end_reason else None
    report.extra = {
        "freezes": m.freezes,
        "latencies_ms": list(m.latencies_ms),
        "video_rx_packets": m.video_rx_packets,
        "audio_tx_packets": m.audio_tx_packets,
        "ice_attempt": m.ice_attempt,
        "state": str(call.state),
        "video_level": call.policy.level,
        "encoder_rebuilds": call.monitor.rebuilds,
        "first_remote_frame_wall": m.first_remote_frame_wall,
    }
    # "connected" means: consultation reached AND media flowed both ways.
    report.connected = report.connected and report.media_both_ways


def _is_loopback(node_base: str) -> bool:
    """A dev node on loopback (the same test as the app's and ``videotime check``'s)."""
    from urllib.parse import urlsplit

    from videotime_client.pexip.api import is_loopback_host

    return is_loopback_host(urlsplit(node_base).hostname)


# ---------------------------------------------------------------- command
def _sources(args: argparse.Namespace) -> tuple[Any, Any]:
    from videotime_client.media.synthetic import SyntheticVideoTrack, ToneAudioTrack

    if args.camera:
        from videotime_client.media.file_source import FileVideoTrack

        return FileVideoTrack(args.camera), ToneAudioTrack()
    return SyntheticVideoTrack(label="patient"), ToneAudioTrack()


_NEEDS_MEDIA = Text(
    nb="Uten vindu trenger «join» --synthetic-media eller --camera FIL.",
    nn="Utan vindauge treng «join» --synthetic-media eller --camera FIL.",
    en="A headless join needs --synthetic-media or --camera FILE.",
)
_BAD_DURATION = Text(
    nb="--duration må være mellom 0 og 86400 sekunder.",
    nn="--duration må vere mellom 0 og 86400 sekund.",
    en="--duration must be between 0 and 86400 seconds.",
)


def _usage_problem(args: argparse.Namespace) -> Text | None:
    if not (args.synthetic_media or args.camera):
        return _NEEDS_MEDIA
    if not 0 < args.duration <= 24 * 3600:
        return _BAD_DURATION
    return None


def run(args: argparse.Namespace) -> int:
    from videotime_client.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE
    from videotime_client.invitation import parse_invitation

    if not args.headless:
        from videotime_client.cli import gui_main

        # The app opens the link on its appointment screen; --dev lets it accept a loopback
        # development node there too, as it does here for --headless.
        return gui_main([args.link], paths=args.paths, lang=args.lang, dev=args.dev)
    problem = _usage_problem(args)
    if problem is not None:
        print(problem(args.lang), file=sys.stderr)
        return EXIT_USAGE
    invitation = parse_invitation(args.link, dev=args.dev)  # InvitationError → exit 1, message
    video, audio = _sources(args)
    report = headless_join(
        invitation,
        video_source=video,
        audio_source=audio,
        duration_s=args.duration,
        max_wait_s=args.max_wait,
        display_name=args.name,
    )
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        _print_human(report, args.lang)
    return EXIT_OK if report.connected else EXIT_FAILED


def _print_human(report: JoinReport, lang: str) -> None:
    ok = {
        "nb": ("Samtalen fungerte: lyd og bilde begge veier.", "Samtalen fungerte ikke."),
        "nn": ("Samtalen fungerte: lyd og bilete begge vegar.", "Samtalen fungerte ikkje."),
        "en": ("The call worked: sound and picture both ways.", "The call did not work."),
    }[lang]
    print(ok[0] if report.connected else ok[1])
    for key, value in report.as_json().items():
        print(f"  {key}: {value}")
