"""Call quality from aiortc's getStats plus our own counters → good / fair / poor.

aiortc's getStats lacks frame counts, fps, freezes and codec (aiortc-notes §1.4), so the picture
side comes from the receivers in ``tracks.py``; loss, jitter and RTT come from RTCP through
getStats.  The level is deliberately simple and conservative: a patient needs "the picture may
stutter" more than a number.

Thresholds (per 1-second sample, worst of audio and video):

=========  ==========  ===========  ==========  =====================
level      loss        RTT          video fps   freezes (last 10 s)
=========  ==========  ===========  ==========  =====================
good       < 2 %       < 250 ms     >= 20       none
poor       >= 8 %      >= 600 ms    < 8         >= 2
fair       anything in between
=========  ==========  ===========  ==========  =====================
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class QualityLevel(StrEnum):
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class RtpTotals:
    """Cumulative counters from one getStats() call."""

    audio_packets_received: int = 0
    video_packets_received: int = 0
    packets_lost: int = 0
    jitter_ms: float = 0.0
    rtt_ms: float | None = None
    fraction_lost: float | None = None  # what the remote reports about our stream
    bytes_sent: int = 0
    bytes_received: int = 0
    audio_packets_sent: int = 0

    @property
    def packets_received(self) -> int:
        return self.audio_packets_received + self.video_packets_received


def totals_from_report(report: Any) -> RtpTotals:
    """Sum the aiortc stats report (a dict of RTCStats) into :class:`RtpTotals`."""
    audio = video = lost = sent = received = audio_sent = 0
    jitter = 0.0
    rtts: list[float] = []
    fractions: list[float] = []
    for stats in report.values():
        kind = getattr(stats, "type", "")
        if kind == "inbound-rtp":
            if stats.kind == "audio":
                audio += stats.packetsReceived
                # aiortc reports jitter in RTP timestamp units.
                jitter = max(jitter, stats.jitter / 48.0)
            else:
                video += stats.packetsReceived
                jitter = max(jitter, stats.jitter / 90.0)
            lost += max(0, stats.packetsLost)
        elif kind == "outbound-rtp" and getattr(stats, "kind", "") == "audio":
            audio_sent += int(getattr(stats, "packetsSent", 0) or 0)
        elif kind == "remote-inbound-rtp":
            if stats.roundTripTime is not None:
                rtts.append(float(stats.roundTripTime))
            if stats.fractionLost is not None:
                fractions.append(float(stats.fractionLost))
        elif kind == "transport":
            sent += stats.bytesSent
            received += stats.bytesReceived
    return RtpTotals(
        audio_packets_received=audio,
        video_packets_received=video,
        packets_lost=lost,
        jitter_ms=jitter,
        rtt_ms=1000 * max(rtts) if rtts else None,
        fraction_lost=max(fractions) if fractions else None,
        bytes_sent=sent,
        bytes_received=received,
        audio_packets_sent=audio_sent,
    )


@dataclass(frozen=True, slots=True)
class QualitySample:
    """One second of call quality (what the UI indicator and the report show)."""

    level: QualityLevel
    loss_pct: float
    rtt_ms: float | None
    jitter_ms: float
    video_rx_fps: float
    video_tx_fps: float
    freezes: int
    rx_kbps: float
    tx_kbps: float


def classify(
    loss_pct: float, rtt_ms: float | None, fps: float, recent_freezes: int
) -> QualityLevel:
    rtt = rtt_ms or 0.0
    if loss_pct >= 8 or rtt >= 600 or fps < 8 or recent_freezes >= 2:
        return QualityLevel.POOR
    if loss_pct < 2 and rtt < 250 and fps >= 20 and recent_freezes == 0:
        return QualityLevel.GOOD
    return QualityLevel.FAIR


@dataclass
class QualityMonitor:
    """Turns successive :class:`RtpTotals` and receiver counters into :class:`QualitySample`."""

    _prev: RtpTotals | None = None
    _prev_at: float = 0.0
    _freezes: deque[tuple[float, int]] = field(default_factory=lambda: deque(maxlen=32))
    last: QualitySample | None = None

    def sample(
        self,
        totals: RtpTotals,
        rx_fps: float,
        tx_fps: float,
        freezes: int,
        now: float | None = None,
    ) -> QualitySample:
        now = time.monotonic() if now is None else now
        prev, dt = self._prev, max(1e-3, now - self._prev_at)
        if prev is None or totals.packets_received < prev.packets_received:
            prev, dt = RtpTotals(), 1.0  # first sample, or a new peer connection
        got = totals.packets_received - prev.packets_received
        lost = max(0, totals.packets_lost - prev.packets_lost)
        loss_pct = 100.0 * lost / (got + lost) if got + lost else 0.0
        if totals.fraction_lost is not None:
            loss_pct = max(loss_pct, 100.0 * totals.fraction_lost)
        self._freezes.append((now, freezes))
        recent = freezes - min((f for t, f in self._freezes if now - t <= 10), default=freezes)
        sample = QualitySample(
            level=classify(loss_pct, totals.rtt_ms, rx_fps, recent),
            loss_pct=round(loss_pct, 2),
            rtt_ms=None if totals.rtt_ms is None else round(totals.rtt_ms, 1),
            jitter_ms=round(totals.jitter_ms, 1),
            video_rx_fps=round(rx_fps, 1),
            video_tx_fps=round(tx_fps, 1),
            freezes=freezes,
            rx_kbps=round(8 * max(0, totals.bytes_received - prev.bytes_received) / dt / 1000, 1),
            tx_kbps=round(8 * max(0, totals.bytes_sent - prev.bytes_sent) / dt / 1000, 1),
        )
        self._prev, self._prev_at, self.last = totals, now, sample
        return sample
