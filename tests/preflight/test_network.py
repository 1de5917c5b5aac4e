"""Network check against a real embedded node on loopback: each verdict path, and the trap
"a test that could not start is not_run, not cannot"."""

from __future__ import annotations

import asyncio
import socket

import pytest

from videotime_client.preflight.checks import network
from videotime_client.preflight.checks.network import NetworkTarget, judge
from videotime_client.preflight.context import CheckContext
from videotime_client.preflight.models import Verdict

KEYS = {"rtt_ms", "jitter_ms", "loss_pct", "send_kbps", "receive_kbps", "paths"}


def run(target: NetworkTarget | None, **kw):
    return asyncio.run(network.run(CheckContext(network=target, **kw)))


def loopback(node, **kw) -> NetworkTarget:
    return NetworkTarget(node.base_url, ca_file=node.ca_file, host_addresses=("127.0.0.1",), **kw)


def test_good_network_to_the_test_call_room(node_factory) -> None:
    node = node_factory(tls=True)
    r = run(loopback(node))
    m = r.measurements
    assert r.verdict is Verdict.GOOD, m
    assert set(m) >= KEYS
    assert m["tls_verified"] is True
    assert m["paths"]["udp_direct"] == "ok"
    assert m["send_kbps"] > 4000  # loopback: the probe's cap is the limit
    assert m["loss_pct"] is not None
    assert m["loss_pct"] < 2
    assert m["rtt_ms"] is not None
    assert m["rtt_ms"] < 100
    assert node.participants("999999") == []  # we left the room


def test_no_node_known_is_not_run() -> None:
    r = run(None)
    assert r.verdict is Verdict.NOT_RUN
    assert r.problems == ("no_node",)


def test_missing_test_room_is_not_run_with_https_numbers(node) -> None:
    """The documented fallback: no test-call room → report HTTPS numbers, blame nothing."""
    r = run(loopback(node, test_alias="424242"))
    assert r.verdict is Verdict.NOT_RUN
    assert r.problems == ("media_test_unavailable",)
    assert r.measurements["https_rtt_ms"] is not None
    assert "ikke at nettet ditt er dårlig" in r.advice("nb")


def test_maintenance_is_not_run(node) -> None:
    node.inject("http_error", endpoint="status", status=503)
    r = run(loopback(node))
    assert r.verdict is Verdict.NOT_RUN
    assert r.problems == ("maintenance",)


def test_unreachable_node_cannot() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once we leave: nothing listens there
    r = run(NetworkTarget(f"http://127.0.0.1:{port}"))
    assert r.verdict is Verdict.CANNOT
    assert r.problems == ("unreachable",)
    assert "ring avdelingen" in r.advice("nb")


def test_unverifiable_tls_cannot(node_factory) -> None:
    node = node_factory(tls=True)
    r = run(NetworkTarget(node.base_url))  # the system CAs do not know the node's certificate
    assert r.verdict is Verdict.CANNOT
    assert r.problems == ("tls_failed",)


@pytest.mark.parametrize(
    ("m", "verdict", "problems"),
    [
        ({"send_kbps": 5000.0, "loss_pct": 0.0, "rtt_ms": 30.0}, Verdict.GOOD, []),
        ({"send_kbps": 1100.0}, Verdict.GOOD, []),
        ({"send_kbps": 600.0}, Verdict.LIMITED, ["small_video"]),
        ({"send_kbps": 100.0}, Verdict.LIMITED, ["audio_only"]),
        ({"send_kbps": 40.0}, Verdict.CANNOT, ["too_slow"]),
        ({"send_kbps": 5000.0, "loss_pct": 15.0}, Verdict.LIMITED, ["unstable"]),
        ({"send_kbps": 5000.0, "rtt_ms": 900.0}, Verdict.LIMITED, ["unstable"]),
        # The slower direction decides, once the receive rate is a real measurement ...
        (
            {"send_kbps": 5000.0, "receive_kbps": 600.0, "receive_kbps_is_lower_bound": False},
            Verdict.LIMITED,
            ["small_video"],
        ),
        (
            {"send_kbps": 5000.0, "receive_kbps": 40.0, "receive_kbps_is_lower_bound": False},
            Verdict.CANNOT,
            ["too_slow"],
        ),
        # ... a lower bound (what the node happened to send) never counts against the patient.
        (
            {"send_kbps": 5000.0, "receive_kbps": 3.0, "receive_kbps_is_lower_bound": True},
            Verdict.GOOD,
            [],
        ),
        ({"send_kbps": 5000.0, "receive_kbps": 3.0}, Verdict.GOOD, []),
    ],
)
def test_thresholds_table_drives_the_verdict(m, verdict, problems) -> None:
    assert judge(m) == (verdict, problems)
