"""The bitrate, loss, jitter and RTT probe over a live WebRTC session to the node.

Why not let the video find its own rate: aiortc's VP8 caps at 1.5 Mbit/s and its REMB-only
bandwidth estimate ramps from 0.5 to 1.5 Mbit/s over ~24 s (aiortc-notes §1.3), so a real video
stream can neither reach 2 or 5 Mbit/s nor get there inside a 10 s budget.  Instead, once the
session is up, we send a **paced packet train** on the session's own ICE/DTLS-SRTP path:

* RTP packets of 1200 bytes on a fresh SSRC with the negotiated **RTX payload type** — the type
  Chrome itself uses for padding/probing.  A receiver routes them by payload type, counts them
  in its RTCP statistics, and then drops them (an RTX packet of an SSRC it does not know carries
  no media), so the probe never reaches a decoder.
* The far end's normal **RTCP receiver reports** for that SSRC tell us, about once a second,
  the highest sequence number it got and how many it lost.  We first send a slow "ping" train
  (50 packets/s) with a sender report: its receiver report gives RTT (LSR/DLSR), jitter and the
  loss of an unloaded path.  Then a fast train at up to ``net_probe_cap_kbps`` saturates the
  uplink; the capacity is the *delivered* rate between two receiver reports that arrive during
  the train: Δ(received packets) × size / Δ(send time of the highest sequence reported).  Using
  two in-train reports cancels the shaper's initial burst and its queue (both would inflate a
  whole-train average at low rates: a 16 kB bucket is 25 % of a 0.5 Mbit/s second).

The receive direction is not saturated here (the node's own encoder sets its rate): what the
node delivered during the probe is only a lower bound.  The receive capacity comes from a
download from the node (``preflight.download``); the lower bound is the labelled fallback.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

from aiortc.rtp import RtcpRrPacket, RtcpSenderInfo, RtcpSrPacket, RtpPacket

PACKET_BYTES = 1200  # payload; +12 RTP header +~30 SRTP/UDP/IP overhead on the wire
WIRE_OVERHEAD = 12 + 10 + 8 + 20  # RTP header, SRTP tag, UDP, IPv4
NTP_EPOCH = 2208988800


def _ntp_now() -> int:
    now = time.time() + NTP_EPOCH
    return (int(now) << 32) | int((now % 1) * (1 << 32))


def _ntp_middle(ntp: int) -> int:
    return (ntp >> 16) & 0xFFFFFFFF


@dataclass(eq=False)  # identity-hashed: aiortc's router keeps recipients in a set
class ReportLog:
    """Receiver reports for the probe SSRC, as they arrive (our clock)."""

    ssrc: int
    reports: list[tuple[float, int, int, int, int, int]] = field(default_factory=list)
    # (arrival monotonic, highest_seq, packets_lost, jitter, lsr, dlsr)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    arrival_ntp: list[int] = field(default_factory=list)

    async def _handle_rtcp_packet(self, packet: Any) -> None:  # called by aiortc's RTP router
        if isinstance(packet, (RtcpRrPacket, RtcpSrPacket)):
            for r in packet.reports:
                if r.ssrc == self.ssrc:
                    self.reports.append(
                        (
                            time.monotonic(),
                            r.highest_sequence,
                            r.packets_lost,
                            r.jitter,
                            r.lsr,
                            r.dlsr,
                        )
                    )
                    self.arrival_ntp.append(_ntp_middle(_ntp_now()))
                    self.arrived.set()

    async def wait_next(self, timeout: float) -> bool:
        self.arrived.clear()
        try:
            await asyncio.wait_for(self.arrived.wait(), timeout)
            return True
        except TimeoutError:
            return False


@dataclass
class ProbeResult:
    rtt_ms: float | None = None
    jitter_ms: float | None = None
    loss_pct: float | None = None
    send_kbps: float | None = None
    probe_kbps: float | None = None
    method: str = ""
    packets_sent: int = 0


class PacketTrain:
    """Sends probe packets on ``dtls`` (a connected RTCDtlsTransport) with payload type ``pt``."""

    def __init__(self, dtls: Any, payload_type: int) -> None:
        self.dtls = dtls
        self.pt = payload_type
        self.ssrc = random.randint(1, 0xFFFFFFFF)  # noqa: S311 - an SSRC, not a secret
        self.seq = random.randint(0, 0x3FFF)  # noqa: S311
        self.sent: dict[int, float] = {}  # extended seq -> send time (monotonic)
        self.first_ext = self.seq
        self.log = ReportLog(self.ssrc)
        self.payload = os.urandom(PACKET_BYTES)
        dtls._rtp_router.register_sender(self.log, self.ssrc)  # receive its RTCP reports

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.dtls._rtp_router.senders.pop(self.ssrc, None)

    async def _send_one(self) -> None:
        ext = self.seq
        packet = RtpPacket(
            payload_type=self.pt,
            sequence_number=ext & 0xFFFF,
            timestamp=int(time.monotonic() * 90000) & 0xFFFFFFFF,
            ssrc=self.ssrc,
            payload=self.payload,
        )
        self.sent[ext] = time.monotonic()
        self.seq += 1
        await self.dtls._send_rtp(bytes(packet.serialize()))

    async def send_report(self) -> None:
        sr = RtcpSrPacket(
            ssrc=self.ssrc,
            sender_info=RtcpSenderInfo(
                ntp_timestamp=_ntp_now(),
                rtp_timestamp=int(time.monotonic() * 90000) & 0xFFFFFFFF,
                packet_count=len(self.sent),
                octet_count=len(self.sent) * PACKET_BYTES,
            ),
        )
        await self.dtls._send_rtp(bytes(sr))

    async def run(self, kbps: float, seconds: float, stop: asyncio.Event | None = None) -> float:
        """Send at ``kbps`` (wire rate) for up to ``seconds``; returns the real duration."""
        per_packet_bits = (PACKET_BYTES + WIRE_OVERHEAD) * 8
        interval = per_packet_bits / (kbps * 1000)
        start = time.monotonic()
        n = 0
        while True:
            now = time.monotonic()
            if now - start >= seconds or (stop is not None and stop.is_set()):
                break
            due = int((now - start) / interval) + 1
            while n < due:
                await self._send_one()
                n += 1
            await asyncio.sleep(0.004)  # ~250 wakeups/s: small bursts, steady average
        return time.monotonic() - start

    def _highest_ext(self, highest: int) -> int:
        # The report's 32-bit extended sequence shares our 16-bit start; map it to our numbering.
        base = self.first_ext & ~0xFFFF
        ext = base | (highest & 0xFFFF)
        if ext < self.first_ext - 0x8000:
            ext += 0x10000
        return ext


async def measure(dtls: Any, payload_type: int, *, cap_kbps: float, budget_s: float) -> ProbeResult:
    """Ping train (RTT, jitter, idle loss), then the saturating train (capacity)."""
    train = PacketTrain(dtls, payload_type)
    result = ProbeResult()
    deadline = time.monotonic() + budget_s
    try:
        # 1. ping: 50 packets/s with a sender report, until the first receiver report.
        await train.send_report()
        stop = asyncio.Event()
        ping_kbps = 50 * (PACKET_BYTES + WIRE_OVERHEAD) * 8 / 1000

        async def until_report() -> None:
            await train.log.wait_next(min(1.6, max(0.1, deadline - time.monotonic())))
            stop.set()

        waiter = asyncio.create_task(until_report())
        await train.run(ping_kbps, 1.6, stop)
        await waiter
        ping_sent = len(train.sent)
        if train.log.reports:
            _, hs, lost, jitter, lsr, dlsr = train.log.reports[-1]
            received_upto = train._highest_ext(hs) - train.first_ext + 1
            if received_upto > 0:
                result.loss_pct = round(100 * max(0, lost) / received_upto, 2)
            result.jitter_ms = round(jitter / 90.0, 1)  # 90 kHz clock
            if lsr:
                rtt = (train.log.arrival_ntp[-1] - lsr - dlsr) & 0xFFFFFFFF
                if rtt < (10 << 16):
                    result.rtt_ms = round(rtt * 1000 / 65536, 1)
        # 2. saturating train; stop once two in-train reports span >= 0.4 s of send time.
        train_start = time.monotonic()
        n_before = len(train.log.reports)
        stop = asyncio.Event()

        async def watch() -> None:
            while not stop.is_set():
                if not await train.log.wait_next(max(0.05, deadline - time.monotonic())):
                    return
                usable = [r for r in train.log.reports[n_before:] if r[0] - train_start > 0.25]
                if len(usable) >= 2 and _span(train, usable[0], usable[-1]) >= 0.4:
                    stop.set()

        watcher = asyncio.create_task(watch())
        max_train = max(0.5, min(3.0, deadline - time.monotonic() - 0.3))
        duration = await train.run(cap_kbps, max_train, stop)
        stop.set()
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        result.packets_sent = len(train.sent) - ping_sent
        result.probe_kbps = round(
            result.packets_sent * (PACKET_BYTES + WIRE_OVERHEAD) * 8 / max(duration, 1e-3) / 1000, 1
        )
        usable = [r for r in train.log.reports[n_before:] if r[0] - train_start > 0.25]
        if len(usable) >= 2 and _span(train, usable[0], usable[-1]) > 0.2:
            a, b = usable[0], usable[-1]
            got = (train._highest_ext(b[1]) - train._highest_ext(a[1])) - (b[2] - a[2])
            result.send_kbps = round(
                got * (PACKET_BYTES + WIRE_OVERHEAD) * 8 / _span(train, a, b) / 1000, 1
            )
            result.method = "rtcp_two_reports"
        else:
            # One report after the train: whole-train average (burst and queue included).
            await train.log.wait_next(max(0.05, min(1.6, deadline - time.monotonic())))
            if len(train.log.reports) > n_before:
                last = train.log.reports[-1]
                got = (
                    train._highest_ext(last[1]) - train.first_ext + 1 - max(0, last[2]) - ping_sent
                )
                result.send_kbps = round(
                    max(0, got) * (PACKET_BYTES + WIRE_OVERHEAD) * 8 / max(duration, 1e-3) / 1000, 1
                )
                result.method = "rtcp_train_average"
        return result
    finally:
        train.close()


def _span(train: PacketTrain, a: tuple[float, ...], b: tuple[float, ...]) -> float:
    ta = train.sent.get(train._highest_ext(int(a[1])))
    tb = train.sent.get(train._highest_ext(int(b[1])))
    if ta is None or tb is None:
        return 0.0
    return tb - ta


def https_rtt(samples: list[float]) -> tuple[float | None, float | None]:
    """Median RTT and jitter (standard deviation) of HTTPS round trips, in ms (Jitsi style)."""
    if not samples:
        return None, None
    ms = [s * 1000 for s in samples]
    jitter = statistics.pstdev(ms) if len(ms) > 1 else 0.0
    return round(statistics.median(ms), 1), round(jitter, 1)
