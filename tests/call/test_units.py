"""Pure pieces of the call engine: ICE plans, hysteresis, adaptation, quality, stamps, queues."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import av
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from videotime_client.call.adaptation import LADDER, AdaptationPolicy
from videotime_client.call.encoding import BitrateHysteresis
from videotime_client.call.encryption import sdp_fingerprints, verify_fingerprint
from videotime_client.call.ice import IcePlan, candidate_types, strip_non_relay_candidates
from videotime_client.call.stats import QualityLevel, QualityMonitor, RtpTotals, classify
from videotime_client.call.tracks import DropOldestQueue, fit_size
from videotime_client.media.synthetic import SyntheticVideoTrack, ToneAudioTrack, read_stamp


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


# ------------------------------------------------------------------ ICE
def test_turn_attempts_are_udp_then_tcp_then_tls_one_url_each() -> None:
    plan = IcePlan.from_node(
        [{"url": "stun:stun.node.example:3478"}, {"url": "stun:second.example"}],
        [
            {
                "urls": ["turns:turn.example:443?transport=tcp", "turn:turn.example:3478"],
                "username": "alice-user",
                "credential": "pw-secret",
            },
            {
                "urls": "turn:turn.example:3478?transport=tcp",
                "username": "alice-user",
                "credential": "pw-secret",
            },
        ],
    )
    attempts = plan.attempts()
    assert [a.turn.transport for a in attempts if a.turn] == ["udp", "tcp", "tls"]
    config = attempts[0].configuration()
    urls = [s.urls for s in config.iceServers]
    assert urls == ["stun:stun.node.example:3478", "turn:turn.example:3478"]  # one of each
    for attempt in attempts:  # no credentials in what we log
        assert "alice-user" not in attempt.describe()
        assert "pw-secret" not in attempt.describe()


def test_no_ice_servers_never_means_aiortc_default_stun() -> None:
    config = IcePlan.from_node(None, None).attempts()[0].configuration()
    assert config.iceServers == []  # None would make aiortc use Google's public STUN


def test_relay_only_uses_relay_policy_and_strips_other_candidates() -> None:
    plan = IcePlan.from_node(
        [{"url": "stun:s"}],
        [{"urls": ["turn:t"], "username": "u", "credential": "c"}],
        relay_only=True,
    )
    config = plan.attempts()[0].configuration()
    assert config.iceTransportPolicy.value == "relay"
    assert all(not s.urls.startswith("stun:") for s in config.iceServers)
    sdp = (
        "v=0\r\na=candidate:1 1 udp 2130706431 10.0.0.2 5000 typ host\r\n"
        "a=candidate:2 1 udp 1694498815 1.2.3.4 5000 typ srflx raddr 0.0.0.0 rport 0\r\n"
        "a=candidate:3 1 udp 16777215 5.6.7.8 6000 typ relay raddr 0.0.0.0 rport 0\r\n"
    )
    assert candidate_types(strip_non_relay_candidates(sdp)) == ["relay"]


def test_extra_turn_from_calls_is_added_once() -> None:
    plan = IcePlan.from_node(None, None)
    entry = [{"urls": ["turn:t:443?transport=tcp"], "username": "u", "credential": "c"}]
    assert plan.add_turn(entry) is True
    assert plan.add_turn(entry) is False
    assert len(plan.attempts()) == 1


# ------------------------------------------------------------------ bitrate hysteresis
def test_bitrate_hysteresis_ignores_wobble_and_follows_sustained_drops() -> None:
    clock = Clock()
    h = BitrateHysteresis(1_000_000, clock=clock)
    for i in range(40):  # REMB wobbling ±15 %: aiortc would rebuild on each >10 % move
        clock.t = i * 0.1
        assert h.offer(1_000_000 + (150_000 if i % 2 else -150_000)) == 1_000_000
    for i in range(15):  # a sustained drop to 400 kbit/s
        clock.t = 10 + i * 0.1
        applied = h.offer(400_000)
    assert applied == 400_000
    clock.t = 11.6
    assert h.offer(1_000_000) == 400_000  # going up again needs hold_up_s and min_interval_s


def test_adaptation_steps_down_on_slow_encoding_and_back_up_with_hysteresis() -> None:
    clock = Clock()
    policy = AdaptationPolicy(clock=clock)
    assert policy.update(40.0, None) == LADDER[1]  # 40 ms per frame: too slow
    clock.t = 1
    assert policy.update(40.0, None) == LADDER[1]  # min_interval_s between changes
    clock.t = 4
    assert policy.update(40.0, None) == LADDER[2]
    for t in range(5, 12):  # comfortable, but not yet for hold_up_s
        clock.t = t
        assert policy.update(5.0, None) == LADDER[2]
    clock.t = 13.5
    assert policy.update(5.0, None) == LADDER[1]


def test_adaptation_follows_a_thin_network() -> None:
    clock = Clock()
    policy = AdaptationPolicy(clock=clock)
    for t in range(0, 20, 4):
        clock.t = t
        level = policy.update(5.0, 150_000)
    assert level.width == 320


def test_fit_size_keeps_aspect_and_even_sizes() -> None:
    assert fit_size(1280, 720, LADDER[0]) == (640, 360)
    assert fit_size(640, 480, LADDER[3]) == (320, 240)
    assert fit_size(320, 240, LADDER[0]) == (320, 240)  # never upscale


# ------------------------------------------------------------------ quality
@pytest.mark.parametrize(
    ("loss", "rtt", "fps", "freezes", "level"),
    [
        (0.0, 40.0, 30.0, 0, QualityLevel.GOOD),
        (3.0, 40.0, 30.0, 0, QualityLevel.FAIR),
        (0.0, 300.0, 30.0, 0, QualityLevel.FAIR),
        (10.0, 40.0, 30.0, 0, QualityLevel.POOR),
        (0.0, 40.0, 5.0, 0, QualityLevel.POOR),
        (0.0, 40.0, 30.0, 2, QualityLevel.POOR),
    ],
)
def test_quality_levels(
    loss: float, rtt: float, fps: float, freezes: int, level: QualityLevel
) -> None:
    assert classify(loss, rtt, fps, freezes) == level


def test_quality_monitor_uses_deltas_between_samples() -> None:
    monitor = QualityMonitor()
    monitor.sample(RtpTotals(audio_packets_received=1000, packets_lost=0), 30, 30, 0, now=0)
    sample = monitor.sample(
        RtpTotals(audio_packets_received=1090, packets_lost=10, rtt_ms=50), 30, 30, 0, now=1
    )
    assert sample.loss_pct == 10.0
    assert sample.level == QualityLevel.POOR


# ------------------------------------------------------------------ encryption
def _cert() -> x509.Certificate:
    import datetime

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "peer")])
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )


def test_fingerprint_verification_matches_and_rejects() -> None:
    cert = _cert()
    good = cert.fingerprint(hashes.SHA256()).hex(":").upper()
    sdp = f"v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=fingerprint:sha-256 {good}\r\n"
    assert sdp_fingerprints(sdp) == [("sha-256", good)]
    assert verify_fingerprint(cert, sdp)[0] is True
    bad = sdp.replace(good[:2], "00" if good[:2] != "00" else "11", 1)
    assert verify_fingerprint(cert, bad)[0] is False
    assert verify_fingerprint(cert, "v=0\r\n")[0] is False  # nothing to check is not "verified"
    assert verify_fingerprint(None, sdp)[0] is False


# ------------------------------------------------------------------ queues and sources
def test_drop_oldest_queue_never_grows() -> None:
    async def go() -> list[int]:
        q: DropOldestQueue[int] = DropOldestQueue(2)
        for i in range(10):
            q.put_nowait(i)
        assert q.qsize() == 2
        assert q.dropped == 8
        return [await q.get(), await q.get()]

    assert asyncio.run(go()) == [8, 9]


def test_synthetic_stamp_survives_vp8_and_downscaling() -> None:
    from aiortc.codecs.vpx import Vp8Decoder, Vp8Encoder, vp8_depayload
    from aiortc.jitterbuffer import JitterFrame

    async def frames() -> list[av.VideoFrame]:
        track = SyntheticVideoTrack()
        return [await track.recv() for _ in range(5)]

    encoder, decoder = Vp8Encoder(), Vp8Decoder()
    stamps = []
    for frame in asyncio.run(frames()):
        sent = read_stamp(frame)
        payloads, timestamp = encoder.encode(frame)
        data = b"".join(vp8_depayload(p) for p in payloads)
        for decoded in decoder.decode(JitterFrame(data=data, timestamp=timestamp)):
            small = decoded.reformat(width=320, height=240)
            stamps.append((sent, read_stamp(decoded), read_stamp(small)))
    assert stamps
    for sent, got, small in stamps:
        assert sent is not None
        assert got == sent
        assert small == sent


def test_tone_track_gives_paced_20ms_frames() -> None:
    async def go() -> list[av.AudioFrame]:
        track = ToneAudioTrack()
        return [await track.recv() for _ in range(3)]

    frames = asyncio.run(go())
    assert [f.samples for f in frames] == [960, 960, 960]
    assert [f.pts for f in frames] == [0, 960, 1920]
    assert frames[1].to_ndarray().std() > 1000  # a real tone, not silence


def test_h264_encoder_uses_a_fast_preset_and_keeps_its_codec_on_small_wobbles() -> None:
    from videotime_client.call.encoding import EncodeMonitor, FastH264Encoder

    async def frames() -> list[av.VideoFrame]:
        track = SyntheticVideoTrack()
        return [await track.recv() for _ in range(6)]

    monitor = EncodeMonitor()
    encoder = FastH264Encoder(monitor)
    payloads = []
    for i, frame in enumerate(asyncio.run(frames())):
        if i == 3:
            codec = encoder.codec
            encoder.target_bitrate = int(encoder.target_bitrate * 1.2)  # a REMB wobble
        packets, _ = encoder.encode(frame, force_keyframe=(i == 0))
        payloads += packets
    assert payloads
    assert encoder.codec is codec  # not rebuilt: no keyframe storm
    # libx264 writes its settings into the first keyframe's SEI: "veryfast" means subme=2
    # and ref=1 ("medium", aiortc's implicit default, would be subme=7 ref=3).
    sei = b"".join(payloads)
    assert b"subme=2" in sei
    assert b" ref=1" in sei
    assert monitor.frames == 6


def test_thread_safe_put_keeps_one_wakeup_while_the_loop_is_stalled() -> None:
    """A camera thread pushing into a stalled media loop: memory stays bounded (the loop's own
    callback queue would otherwise hold every frame), and the newest frames win."""
    import threading

    async def go() -> tuple[list[int], int, int]:
        loop = asyncio.get_running_loop()
        q: DropOldestQueue[int] = DropOldestQueue(2)
        scheduled = 0

        def call_soon(fn: Any) -> None:
            nonlocal scheduled
            scheduled += 1
            loop.call_soon_threadsafe(fn)

        def camera() -> None:  # runs while this loop is not running callbacks
            for i in range(1000):
                q.put_threadsafe(i, call_soon)

        t = threading.Thread(target=camera)
        t.start()
        t.join()
        assert q.qsize() == 2
        got = [await asyncio.wait_for(q.get(), 5), await asyncio.wait_for(q.get(), 5)]
        return got, scheduled, q.dropped

    got, scheduled, dropped = asyncio.run(go())
    assert got == [998, 999]
    assert scheduled == 1
    assert dropped == 998


def test_thread_safe_put_wakes_a_waiting_consumer() -> None:
    import threading

    async def go() -> int:
        loop = asyncio.get_running_loop()
        q: DropOldestQueue[int] = DropOldestQueue(2)
        waiter = asyncio.ensure_future(q.get())
        await asyncio.sleep(0)
        threading.Thread(target=q.put_threadsafe, args=(7, loop.call_soon_threadsafe)).start()
        return await asyncio.wait_for(waiter, 10)

    assert asyncio.run(go()) == 7


# ------------------------------------------------------------------ privacy
def test_ice_plan_repr_has_no_turn_credentials() -> None:
    from videotime_client.pexip.api import IceServer

    plan = IcePlan.from_grant(
        [
            IceServer(("stun:s.example:3478",)),
            IceServer(("turn:t.example:3478",), "alice-user", "pw-secret"),
        ],
        relay_only=True,
    )
    assert [a.turn.credential for a in plan.attempts() if a.turn] == ["pw-secret"]
    assert plan.stun == ["stun:s.example:3478"]
    for text in (repr(plan), repr(plan.attempts()), str(plan.turn)):
        assert "pw-secret" not in text
        assert "alice-user" not in text


# ------------------------------------------------------------------ routing
def test_event_router_buffers_in_order_and_bounded_until_the_call_exists() -> None:
    from videotime_client.call.errors import EndReason
    from videotime_client.call.routing import PENDING_MAX, EventRouter
    from videotime_client.pexip.errors import LobbyTimeout
    from videotime_client.pexip.lobby import LobbyChanged, LobbyState
    from videotime_client.pexip.session import MediaSignal

    class Recorder:
        def __init__(self) -> None:
            self.seen: list[tuple[str, Any]] = []

        def set_admitted(self, admitted: bool) -> None:
            self.seen.append(("admitted", admitted))

        def media_signal(self, name: str, data: Any) -> None:
            self.seen.append(("signal", data))

        def end(self, reason: EndReason = EndReason.LEFT) -> None:
            self.seen.append(("end", reason))

    router = EventRouter()
    for i in range(PENDING_MAX + 10):
        router.on_event(MediaSignal("new_candidate", i))
    call = Recorder()
    router.attach(call)
    assert [d for _, d in call.seen] == list(range(10, PENDING_MAX + 10))  # oldest dropped
    call.seen.clear()
    router.on_event(
        LobbyChanged(LobbyState.REMOVED, LobbyState.WAITING_FOR_HOST, removal=LobbyTimeout())
    )
    assert call.seen == [("admitted", False), ("end", EndReason.LOBBY_TIMEOUT)]


# ------------------------------------------------------------------ audio processing wiring
def test_synthetic_tone_is_not_audio_processed() -> None:
    """Echo cancellation is for real microphones (test_qt_devices checks that one); a synthetic
    tone must reach the far end unaltered."""
    from videotime_client.call.engine import MediaEngine
    from videotime_client.call.session import CallSession

    engine = MediaEngine()
    try:
        session = CallSession(
            engine,
            cast(Any, None),
            video_source=SyntheticVideoTrack(),
            audio_source=ToneAudioTrack(),
        )
        assert session.audio_processor is None
        assert session.local_audio is not None
        assert session.local_audio.processor is None
    finally:
        engine.close()


def test_join_report_needs_sound_sent_as_well_as_received() -> None:
    from videotime_client.cli.join import JoinReport

    report = JoinReport(video_rx_fps=30, video_tx_fps=30, audio_rx_packets=500)
    report.extra = {"audio_tx_packets": 0}
    assert report.media_both_ways is False
    report.extra = {"audio_tx_packets": 500}
    assert report.media_both_ways is True
