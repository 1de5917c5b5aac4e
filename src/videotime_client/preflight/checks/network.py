"""Network check against the appointment's own node — never a third-party speed test.

1. HTTPS reachability and TLS verification: ``GET /api/client/v2/status`` five times on one
   connection (the first includes the TLS handshake); RTT = median of the rest.
2. A short WebRTC session to the node's test-call room (``999999`` by default; the node loops
   media back) through our Pexip client: ``request_token`` → ``calls`` → ``ack`` → ICE/DTLS.
   Connecting proves the media path; which paths work is recorded (UDP direct; TURN UDP/TCP/TLS
   allocations when the node hands out TURN servers).
3. The packet-train probe (``preflight.netprobe``): RTT, jitter and loss from the node's RTCP
   receiver reports, and the achievable send bitrate.
4. The receive bitrate (``preflight.download``): a timed HTTPS download of the node's own web
   app bundle, after the media session (never at the same time: a full downlink would delay
   the RTCP reports and the signalling).  When the node serves nothing suitable, the rate the
   node delivered during the media test stands in, labelled as a lower bound
   (``receive_method``).

Documented fallback: when the node has no test-call room (or refuses it), the check reports
what it measured over HTTPS and says the media test could not run (``not_run``) — it never
blames the patient's network for a test that could not start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from typing import Any

from videotime_client.preflight.context import CheckContext
from videotime_client.preflight.download import DEFAULT_PATHS as DEFAULT_DOWNLOAD_PATHS
from videotime_client.preflight.download import MAX_S as MAX_DOWNLOAD_S
from videotime_client.preflight.models import CheckResult, Verdict, not_run
from videotime_client.preflight.thresholds import t
from videotime_client.texts import Text

log = logging.getLogger(__name__)

TEST_CALL_ALIAS = "999999"
DISPLAY_NAME = "Videotime utstyrstest"  # no patient data: the node sees only this
CONNECT_TIMEOUT_S = 3.0
TURN_TIMEOUT_S = 2.5
NETWORK_BUDGET_S = 9.0  # the runner's hard 10 s stops us anyway; finish with a result first
# The download gets what is left of the budget, up to its own cap; less than this is no
# measurement worth the patient's line (the lower bound stands in).  The margin keeps the
# CPU check's second (it runs first, alone) inside the runner's 10 s.
DOWNLOAD_MIN_S = 1.5
DOWNLOAD_MARGIN_S = 0.8


@dataclass(frozen=True, slots=True)
class NetworkTarget:
    """Where to test: the node of the appointment (never anywhere else)."""

    base_url: str  # https://node[:port]
    test_alias: str = TEST_CALL_ALIAS
    ca_file: str | None = None  # a PEM to verify the node with (dev/test); None = system CAs
    host_addresses: tuple[str, ...] | None = None  # tests: gather ICE only on these
    # Where this node serves static files to time a download from (docs/preflight.md); a page
    # (the web app's index) is followed to the bundles it links.  () = measure no download.
    download_paths: tuple[str, ...] = DEFAULT_DOWNLOAD_PATHS


TEXTS: dict[str, Text] = {
    "ok": Text(
        nb="Internett-forbindelsen er god nok til video.",
        nn="Internett-sambandet er godt nok til video.",
        en="Your internet connection is good enough for video.",
    ),
    "small_video": Text(
        nb="Forbindelsen er litt svak. Du kan delta, men bildet kan bli mindre skarpt. Sett deg "
        "nærmere ruteren, eller be andre i huset ta pause fra strømming.",
        nn="Sambandet er litt svakt. Du kan delta, men biletet kan bli mindre skarpt. Set deg "
        "nærare ruteren, eller be andre i huset ta pause frå strøyming.",
        en="Your connection is a little weak. You can join, but the picture may be less sharp. "
        "Sit closer to your router, or ask others at home to pause streaming.",
    ),
    "audio_only": Text(
        nb="Forbindelsen er svak. Du kan delta, men kanskje bare med lyd. Sett deg nærmere "
        "ruteren.",
        nn="Sambandet er svakt. Du kan delta, men kanskje berre med lyd. Set deg nærare ruteren.",
        en="Your connection is weak. You can join, but perhaps with sound only. Sit closer to "
        "your router.",
    ),
    "unstable": Text(
        nb="Forbindelsen er ustabil, så lyd og bilde kan hakke. Sett deg nærmere ruteren, eller "
        "bruk kabel.",
        nn="Sambandet er ustabilt, så lyd og bilete kan hakke. Set deg nærare ruteren, eller "
        "bruk kabel.",
        en="Your connection is unstable, so sound and picture may stutter. Sit closer to the "
        "router or use a cable.",
    ),
    "too_slow": Text(
        nb="Forbindelsen er for svak til en videotime. Ring avdelingen, så finner dere en annen "
        "løsning.",
        nn="Sambandet er for svakt til ein videotime. Ring avdelinga, så finn de ei anna løysing.",
        en="Your connection is too weak for a video appointment. Call the department to find "
        "another way.",
    ),
    "unreachable": Text(
        nb="Vi får ikke kontakt med sykehusets videotjeneste. Sjekk at du er koblet til "
        "internett. Virker det fortsatt ikke, ring avdelingen.",
        nn="Vi får ikkje kontakt med videotenesta til sjukehuset. Sjekk at du er kopla til "
        "internett. Verkar det framleis ikkje, ring avdelinga.",
        en="We cannot reach the hospital's video service. Check that you are connected to the "
        "internet. If it still does not work, call the department.",
    ),
    "tls_failed": Text(
        nb="Forbindelsen til sykehuset kunne ikke bekreftes som sikker. Ikke fortsett på dette "
        "nettverket; prøv et annet nett, eller ring avdelingen.",
        nn="Sambandet til sjukehuset kunne ikkje stadfestast som sikkert. Ikkje hald fram på "
        "dette nettverket; prøv eit anna nett, eller ring avdelinga.",
        en="The connection to the hospital could not be verified as secure. Do not continue on "
        "this network; try another one or call the department.",
    ),
    "media_blocked": Text(
        nb="Nettverket ditt stopper lyd og bilde (for eksempel en brannmur på jobb). Prøv et "
        "annet nettverk, eller ring avdelingen.",
        nn="Nettverket ditt stoppar lyd og bilete (til dømes ein brannmur på jobb). Prøv eit "
        "anna nettverk, eller ring avdelinga.",
        en="Your network blocks sound and picture (for example a firewall at work). Try "
        "another network or call the department.",
    ),
    "no_node": Text(
        nb="Vi vet ikke hvilken videotjeneste timen din bruker, så nettet ble ikke testet. "
        "Åpne lenken fra innkallingen først.",
        nn="Vi veit ikkje kva videoteneste timen din brukar, så nettet vart ikkje testa. Opne "
        "lenkja frå innkallinga først.",
        en="We do not know which video service your appointment uses, so the network was not "
        "tested. Open the link from your letter first.",
    ),
    "media_test_unavailable": Text(
        nb="Vi nådde sykehusets videotjeneste, men kunne ikke teste lyd- og bildekvaliteten nå. "
        "Det betyr ikke at nettet ditt er dårlig.",
        nn="Vi nådde videotenesta til sjukehuset, men kunne ikkje teste lyd- og "
        "biletkvaliteten no. Det betyr ikkje at nettet ditt er dårleg.",
        en="We reached the hospital's video service but could not test sound and picture "
        "quality now. That does not mean your network is bad.",
    ),
    "maintenance": Text(
        nb="Sykehusets videotjeneste har vedlikehold akkurat nå, så nettet ble ikke testet. "
        "Prøv igjen senere.",
        nn="Videotenesta til sjukehuset har vedlikehald akkurat no, så nettet vart ikkje testa. "
        "Prøv igjen seinare.",
        en="The hospital's video service is under maintenance right now, so the network was "
        "not tested. Try again later.",
    ),
}


def judge(m: dict[str, Any]) -> tuple[Verdict, list[str]]:
    """Verdict from the measurements, by the thresholds table.

    The slower direction decides: a call needs both.  A receive rate that is only a lower
    bound (``receive_kbps_is_lower_bound``) never counts against the patient."""
    rates = [m.get("send_kbps")]
    if not m.get("receive_kbps_is_lower_bound", True):
        rates.append(m.get("receive_kbps"))
    known = [r for r in rates if r is not None]
    rate = min(known) if known else None
    problems: list[str] = []
    verdict = Verdict.GOOD
    if rate is not None:
        if rate < t("net_audio_only_kbps"):
            return Verdict.CANNOT, ["too_slow"]
        if rate < t("net_small_video_kbps"):
            verdict, problems = Verdict.LIMITED, ["audio_only"]
        elif rate < t("net_good_kbps"):
            verdict, problems = Verdict.LIMITED, ["small_video"]
    loss, rtt = m.get("loss_pct"), m.get("rtt_ms")
    if (loss is not None and loss > t("net_loss_bad_pct")) or (
        rtt is not None and rtt > t("net_rtt_bad_ms")
    ):
        verdict = Verdict.LIMITED
        problems.append("unstable")
    return verdict, problems


def _status_round_trips(target: NetworkTarget, count: int = 5) -> list[float]:
    """Blocking: GET /status ``count`` times on one verified connection; seconds each."""
    import requests

    from videotime_client.pexip.api import api_root

    url = f"{api_root(target.base_url)}/status"
    samples: list[float] = []
    with requests.Session() as http:
        http.verify = target.ca_file if target.ca_file else True
        for _ in range(count):
            t0 = time.perf_counter()
            r = http.get(url, timeout=(3.0, 3.0), verify=http.verify)
            samples.append(time.perf_counter() - t0)
            if r.status_code == 503:
                raise _Maintenance()
            if r.status_code != 200:
                raise _NotANode(r.status_code)
    return samples


class _Maintenance(Exception):
    pass


class _NotANode(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def _result(verdict: Verdict, problems: list[str], m: dict[str, Any]) -> CheckResult:
    advice = TEXTS[problems[0]] if problems else TEXTS["ok"]
    return CheckResult("network", verdict, tuple(problems), advice, m)


async def run(ctx: CheckContext) -> CheckResult:
    target: NetworkTarget | None = ctx.network
    if target is None:
        why = ctx.network_missing_reason
        return not_run("network", why, TEXTS["no_node"])
    import requests

    # The probe gets what is left of the network check's own share of the 10 s budget.
    deadline = time.monotonic() + NETWORK_BUDGET_S
    m: dict[str, Any] = {
        "rtt_ms": None,
        "jitter_ms": None,
        "loss_pct": None,
        "send_kbps": None,
        "receive_kbps": None,
        "paths": {},
        "https_rtt_ms": None,
    }
    try:
        samples = await asyncio.to_thread(_status_round_trips, target)
    except requests.exceptions.SSLError:
        return _result(Verdict.CANNOT, ["tls_failed"], m)
    except (requests.exceptions.ConnectionError, requests.exceptions.Timeout):
        return _result(Verdict.CANNOT, ["unreachable"], m)
    except _Maintenance:
        return not_run("network", "maintenance", TEXTS["maintenance"], **m)
    except _NotANode:
        return not_run("network", "media_test_unavailable", TEXTS["media_test_unavailable"], **m)
    m["tls_verified"] = True
    m["connect_ms"] = round(samples[0] * 1000, 1)
    rtt, jitter = _https_stats(samples[1:])
    m["https_rtt_ms"], m["rtt_ms"], m["jitter_ms"] = rtt, rtt, jitter
    m["rtt_source"] = "https"
    outcome = await _media(target, m, deadline)
    # The receive direction last, with what is left of the budget: the media test's own
    # numbers must not share the line with a download.  It runs in every outcome (support
    # wants the downlink even when media could not be tested).
    await _receive(target, m, deadline)
    if outcome == "unavailable":
        return not_run("network", "media_test_unavailable", TEXTS["media_test_unavailable"], **m)
    if outcome == "blocked":  # ICE failed although HTTPS works: media is blocked
        return _result(Verdict.CANNOT, ["media_blocked"], m)
    verdict, problems = judge(m)
    return _result(verdict, problems, m)


async def _media(target: NetworkTarget, m: dict[str, Any], deadline: float) -> str:
    """The WebRTC part: ``ok``, ``blocked`` (no path carries media) or ``unavailable``."""
    try:
        session = await _media_session(target, m, deadline=deadline)
    except _MediaUnavailable as exc:
        m["media_error"] = exc.why
        return "unavailable"
    if session is None and m.get("relay") is not None:
        # Direct media is blocked but a TURN relay allocates: measure through the relay, the
        # way the call engine's fallback will carry the call.
        relay = m.pop("relay")
        m["path_used"] = relay[0]
        try:
            session = await _media_session(target, m, relay=relay, deadline=deadline)
        except _MediaUnavailable as exc:
            m["media_error"] = exc.why
            return "unavailable"
    m.pop("relay", None)
    if session is None:
        return "blocked"
    m.setdefault("path_used", "udp_direct")
    return "ok"


async def _receive(target: NetworkTarget, m: dict[str, Any], deadline: float) -> None:
    """``receive_kbps`` from a download from the node (``receive_method: https_download``);
    else the media lower bound stays (``media_lower_bound``, or ``none`` without one)."""
    from videotime_client.preflight.download import measure_download

    fallback = "media_lower_bound" if m.get("receive_kbps") is not None else "none"
    m["receive_method"] = fallback
    m["receive_kbps_is_lower_bound"] = True
    left = deadline - DOWNLOAD_MARGIN_S - time.monotonic()
    if not target.download_paths:
        m["download_error"] = "not_configured"
        return
    if left < DOWNLOAD_MIN_S:
        m["download_error"] = "no_time"
        return
    r = await measure_download(
        target.base_url,
        paths=target.download_paths,
        ca_file=target.ca_file,
        max_s=min(MAX_DOWNLOAD_S, left),
    )
    m["download_kb"] = round(r.bytes / 1000, 1)
    m["download_s"] = r.seconds
    if r.kbps is None:
        m["download_error"] = r.why
        return
    m["receive_kbps"] = r.kbps
    m["receive_method"] = "https_download"
    # The byte cap came first: the line is at least this fast.
    m["receive_kbps_is_lower_bound"] = r.byte_cap_hit


def _https_stats(samples: list[float]) -> tuple[float | None, float | None]:
    from videotime_client.preflight.netprobe import https_rtt

    return https_rtt(samples)


class _MediaUnavailable(Exception):
    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


async def _media_session(
    target: NetworkTarget,
    m: dict[str, Any],
    relay: tuple[str, Any] | None = None,
    deadline: float | None = None,
) -> bool | None:
    """Join the test-call room, connect, probe; fills ``m``. None when ICE failed.

    ``relay`` = (path name, TurnServer): connect relay-only through that TURN server."""
    import requests
    from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

    from videotime_client.call.ice import host_addresses
    from videotime_client.pexip.api import PexipApi
    from videotime_client.pexip.errors import PexipError
    from videotime_client.preflight.netprobe import measure

    http = requests.Session()
    if target.ca_file:
        # A per-node CA (dev/test node): REQUESTS_CA_BUNDLE from the environment would
        # otherwise silently replace it.
        http.verify = target.ca_file
        http.trust_env = False
    api = PexipApi(target.base_url, target.test_alias, session=http, max_attempts=1)
    try:
        grant = await asyncio.to_thread(api.request_token, DISPLAY_NAME)
    except PexipError as exc:
        http.close()
        raise _MediaUnavailable(exc.code) from exc
    token = grant.token
    if relay is None:
        config = RTCConfiguration(iceServers=[])  # host candidates prove the direct UDP path
    else:
        from videotime_client.call.ice import IceAttempt

        config = IceAttempt(None, relay[1], relay_only=True).configuration()
    pc = RTCPeerConnection(config)
    try:
        # Send no media of our own: the probe must be the only uplink traffic, or a 500 kbit/s
        # link reads 10 % low (measured: our own video took ~50 kbit/s of it).  The video
        # m-line is still negotiated: it carries the probe's RTX payload type.
        pc.addTransceiver("audio", direction="recvonly")
        pc.addTransceiver("video", direction="sendrecv")
        with host_addresses(list(target.host_addresses) if target.host_addresses else None):
            await pc.setLocalDescription(await pc.createOffer())
        try:
            answer = await asyncio.to_thread(
                api.calls, token, grant.participant_uuid, pc.localDescription.sdp
            )
            await pc.setRemoteDescription(RTCSessionDescription(answer.sdp, "answer"))
            await asyncio.to_thread(api.ack, token, grant.participant_uuid, answer.call_uuid)
        except PexipError as exc:
            raise _MediaUnavailable(exc.code) from exc
        turn_task = (
            asyncio.create_task(_test_turn_paths(grant, target.host_addresses))
            if relay is None
            else None
        )
        t0 = time.monotonic()
        while pc.connectionState not in ("connected", "failed", "closed"):
            if time.monotonic() - t0 > CONNECT_TIMEOUT_S:
                break
            await asyncio.sleep(0.02)
        m["connect_media_ms"] = round((time.monotonic() - t0) * 1000, 1)
        ok = pc.connectionState == "connected"
        if turn_task is not None:
            paths, servers = await turn_task
            m["paths"] = {"udp_direct": "ok" if ok else "failed", **paths}
            working = [k for k in ("turn_udp", "turn_tcp", "turn_tls") if paths[k] == "ok"]
            if not ok and working:
                m["relay"] = (working[0], servers[working[0]])
        if not ok:
            return None
        video = next(t for t in pc.getTransceivers() if t.kind == "video")
        dtls = video.sender.transport
        while dtls.state != "connected" and time.monotonic() - t0 < CONNECT_TIMEOUT_S:
            await asyncio.sleep(0.02)
        m["dtls_state"] = dtls.state
        if dtls.state != "connected":
            log.info("preflight: media transport %s after connect", dtls.state)
            return None
        rtx = _rtx_payload_types(pc.remoteDescription.sdp)
        if not rtx:
            m["probe"] = "no_rtx_payload_type"
            return True
        in0 = _inbound_bytes(await pc.getStats())
        t_in = time.monotonic()
        probe = await measure(
            dtls,
            rtx[0],
            cap_kbps=t("net_probe_cap_kbps"),
            budget_s=min(5.0, max(1.5, (deadline or time.monotonic() + 5.0) - time.monotonic())),
        )
        in1 = _inbound_bytes(await pc.getStats())
        # What the node happened to send: a lower bound only; the download replaces it.
        m["receive_kbps"] = round((in1 - in0) * 8 / max(time.monotonic() - t_in, 1e-3) / 1000, 1)
        if probe.rtt_ms is not None:
            m["rtt_ms"], m["rtt_source"] = probe.rtt_ms, "rtcp"
        if probe.jitter_ms is not None:
            m["jitter_ms"] = probe.jitter_ms
        m["loss_pct"] = probe.loss_pct
        m["send_kbps"] = probe.send_kbps
        m["probe_kbps"] = probe.probe_kbps
        m["probe_method"] = probe.method
        return True
    finally:
        with contextlib.suppress(Exception):
            await pc.close()
        with contextlib.suppress(Exception):
            await asyncio.to_thread(api.release_token, token)
        http.close()


def _turn_kind(url: str) -> str:
    if url.startswith("turns:"):
        return "turn_tls"
    return "turn_tcp" if "transport=tcp" in url else "turn_udp"


def _turn_offered(grant: Any) -> dict[str, str]:
    """TURN transports the node offered (``not_offered`` / ``offered``, before testing)."""
    paths = {"turn_udp": "not_offered", "turn_tcp": "not_offered", "turn_tls": "not_offered"}
    for server in getattr(grant, "ice_servers", ()):
        for url in server.urls:
            if url.startswith(("turn:", "turns:")):
                paths[_turn_kind(url)] = "offered"
    return paths


async def _allocate(url: str, username: str | None, credential: str | None) -> bool:
    """Can we get a relay candidate from this TURN server (an allocation, like testrtc's
    "relay candidate per transport")?  Credentials stay in memory and out of every log."""
    import aioice
    from aiortc import RTCIceServer
    from aiortc.rtcicetransport import connection_kwargs

    kwargs = connection_kwargs([RTCIceServer(urls=url, username=username, credential=credential)])
    conn = aioice.Connection(ice_controlling=True, components=1, **kwargs)
    try:
        await asyncio.wait_for(conn.gather_candidates(), TURN_TIMEOUT_S)
        return any(c.type == "relay" for c in conn.local_candidates)
    except (TimeoutError, OSError, ConnectionError, ValueError):
        return False
    finally:
        with contextlib.suppress(Exception):
            await conn.close()


async def _test_turn_paths(
    grant: Any, host_addresses: tuple[str, ...] | None
) -> tuple[dict[str, str], dict[str, Any]]:
    """Allocate on every offered TURN transport at once: paths (``ok`` / ``failed`` /
    ``not_offered``) and the TurnServer per path (to connect through it if needed)."""
    from videotime_client.call.ice import TurnServer
    from videotime_client.call.ice import host_addresses as only_on

    paths = _turn_offered(grant)
    jobs: dict[str, Any] = {}
    servers: dict[str, Any] = {}
    for server in getattr(grant, "ice_servers", ()):
        for url in server.urls:
            kind = _turn_kind(url) if url.startswith(("turn:", "turns:")) else None
            if kind is not None and kind not in jobs:
                jobs[kind] = _allocate(url, server.username, server.credential)
                servers[kind] = TurnServer(url, server.username, server.credential)
    if not jobs:
        return paths, servers
    with only_on(list(host_addresses) if host_addresses else None):
        results = await asyncio.gather(*jobs.values())
    for kind, ok in zip(jobs, results, strict=True):
        paths[kind] = "ok" if ok else "failed"
    return paths, servers


def _inbound_bytes(report: Any) -> int:
    total = 0
    for stat in report.values():
        if getattr(stat, "type", "") == "inbound-rtp":
            total += int(getattr(stat, "bytesReceived", 0) or 0)
    return total


def _rtx_payload_types(sdp: str) -> list[int]:
    """Payload types of ``rtx/90000`` in the video section of the node's answer."""
    import re

    video = sdp.split("m=video", 1)[1].split("\nm=", 1)[0] if "m=video" in sdp else ""
    return [int(pt) for pt in re.findall(r"a=rtpmap:(\d+) rtx/90000", video)]
