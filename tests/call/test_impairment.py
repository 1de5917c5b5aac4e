"""Real impairment on a veth link: random loss, a bandwidth cap, and a black-holed path.

The node runs as a subprocess inside a network namespace; the client stays on the host side and
reaches it across the veth, where iptables ``statistic`` drops packets and ``tc tbf`` caps the
rate (netem does not exist on these machines).  Room 999999 (the test call) loops our media
back, so one client sees both directions.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from tests.call.conftest import JoinThread, invitation_at, node_in
from tests.helpers.netns import Namespace

pytestmark = [pytest.mark.slow, pytest.mark.netns]


def _only_impairment_noise(caplog: pytest.LogCaptureFixture) -> None:
    """Lost packets make aiortc's VP8 decoder warn about a damaged frame (NACK/PLI then repair
    the picture): expected here; any other WARNING+ record is not."""
    unexpected = [
        f"{r.name}: {r.getMessage()}"
        for r in caplog.records
        if r.levelno >= logging.WARNING
        and not (r.name == "aiortc.rtcrtpreceiver" and "failed to decode" in r.getMessage())
        and not r.name.startswith("aioice")
    ]
    assert not unexpected, unexpected


def _join(ns: Namespace, base: str, duration: float, **kwargs: Any) -> Any:
    from videotime_client.cli.join import headless_join
    from videotime_client.media.synthetic import SyntheticVideoTrack, ToneAudioTrack

    return headless_join(
        invitation_at(base, "999999", phone="22 11 33 44"),
        video_source=SyntheticVideoTrack(),
        audio_source=ToneAudioTrack(),
        duration_s=duration,
        max_wait_s=30,
        host_addresses=[ns.host_addr],
        **kwargs,
    )


def test_call_survives_random_loss(ns: Namespace, caplog: pytest.LogCaptureFixture) -> None:
    base = node_in(ns)
    ns.drop(0.05)  # 5 % each way, on every packet crossing the veth
    report = _join(ns, base, 5)
    assert report.connected, report
    assert report.video_rx_fps >= 8  # NACK/PLI recovery keeps the picture moving
    assert report.loss_pct is not None
    assert report.reconnects == 0
    _only_impairment_noise(caplog)


def test_bandwidth_cap_steps_the_picture_down(
    ns: Namespace, caplog: pytest.LogCaptureFixture
) -> None:
    base = node_in(ns)
    ns.limit_bandwidth(350)  # kbit/s each way: below what 640x480@30 wants
    report = _join(ns, base, 6)
    assert report.connected, report
    # The receiver's REMB falls; the sender follows with a large, sustained step only
    # (hysteresis: no rebuild per 10 % wobble) and walks down the picture ladder.
    assert report.extra["encoder_rebuilds"] <= 3
    level = report.extra["video_level"]
    assert (level.width, level.fps) != (640, 30), level
    _only_impairment_noise(caplog)


def test_black_holed_path_reconnects_within_ten_seconds(
    ns: Namespace, caplog: pytest.LogCaptureFixture
) -> None:
    base = node_in(ns)
    seen: dict[str, float] = {}
    holder: dict[str, Any] = {}

    def watch(call: Any) -> None:
        holder["call"] = call

    # A long stay (the test ends the call itself once it is back), so a slow machine's
    # reconnect is never cut short by --duration.
    joiner = JoinThread(
        lambda: _join(ns, base, 60, on_call=watch, ice_timeout_s=3, reconnect_budget_s=40)
    ).start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        call = holder.get("call")
        if call is not None and str(call.state) == "in_consultation":
            break
        time.sleep(0.1)
    time.sleep(1.5)
    ns.blackhole("udp")  # media dies; HTTP signalling (TCP) still works
    seen["blackhole"] = time.monotonic()

    def watch_states() -> None:
        while "restored" not in seen:
            state = str(holder["call"].state)
            if state == "reconnecting" and "reconnecting" not in seen:
                seen["reconnecting"] = time.monotonic()
            if state == "in_consultation" and "reconnecting" in seen and "back" not in seen:
                seen["back"] = time.monotonic()
            time.sleep(0.05)

    watcher = threading.Thread(target=watch_states, daemon=True)
    watcher.start()
    time.sleep(9)
    ns.clear_impairments()
    end = time.monotonic() + 30
    while "back" not in seen and time.monotonic() < end:
        time.sleep(0.1)
    seen["restored"] = time.monotonic()
    holder["call"].end()  # the patient leaves: reason "left"
    report = joiner.join(60)
    assert "reconnecting" in seen, seen
    assert seen["reconnecting"] - seen["blackhole"] < 10  # not aiortc's ~32 s
    assert "back" in seen, seen
    assert report.reconnects >= 1
    assert report.ended_reason == "left"
    _only_impairment_noise(caplog)


def test_gives_up_with_reason_and_phone_when_the_path_stays_dead(
    ns: Namespace, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from videotime_client.call.errors import EndReason, reason_text

    base = node_in(ns)
    holder: dict[str, Any] = {}
    joiner = JoinThread(
        lambda: _join(
            ns,
            base,
            30,
            on_call=lambda c: holder.setdefault("call", c),
            ice_timeout_s=2,
            reconnect_budget_s=6,
            dead_path_s=3,
        )
    ).start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        call = holder.get("call")
        if call is not None and str(call.state) == "in_consultation":
            break
        time.sleep(0.1)
    ns.blackhole("udp")
    report = joiner.join(60)
    assert report.ended_reason == "network"
    assert str(holder["call"].state) == "failed"
    text = reason_text(EndReason.NETWORK, "22 11 33 44")
    assert "22 11 33 44" in text.nb
    assert "22 11 33 44" in text.en
    _only_impairment_noise(caplog)


def test_network_change_triggers_a_reconnect(
    ns: Namespace, caplog: pytest.LogCaptureFixture
) -> None:
    """A new address appears on this machine mid-call (our own veth, like a laptop moving to
    another network): the call is set up again instead of waiting for ICE to die."""
    import subprocess

    base = node_in(ns)
    holder: dict[str, Any] = {}
    joiner = JoinThread(
        lambda: _join(
            ns,
            base,
            9,
            on_call=lambda c: holder.setdefault("call", c),
            watch_network_changes=True,
        )
    ).start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        call = holder.get("call")
        if call is not None and str(call.state) == "in_consultation":
            break
        time.sleep(0.1)
    time.sleep(1.0)
    subprocess.run(["ip", "addr", "add", f"10.214.{ns.index}.1/32", "dev", ns.host_if], check=True)
    report = joiner.join(60)
    assert report.reconnects >= 1
    assert report.connected, report
    assert report.ended_reason == "left"
    _only_impairment_noise(caplog)
