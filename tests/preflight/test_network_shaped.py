"""The bitrate estimate against a tbf-shaped link: the node runs in a network namespace, the
check runs here, and every byte crosses a veth capped with ``tc tbf`` (tests/helpers/netns.py).

Acceptance (issue 5): the estimate is within ±15 % of the shaped capacity at 0.5, 2 and 5
Mbit/s — send (the packet train, shaped on the host's end of the veth) and receive (the
download from the node, shaped on the node's end) — also when the two directions differ, so
they cannot be mixed up.  Also: UDP blocked while HTTPS works → ``cannot`` (media_blocked),
the one network failure that really is the patient's network.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.helpers.netns import Namespace, netns_available, network_namespace
from videotime_client.preflight.checks import network
from videotime_client.preflight.checks.network import NetworkTarget
from videotime_client.preflight.context import CheckContext
from videotime_client.preflight.models import Verdict

pytestmark = [
    pytest.mark.netns,
    pytest.mark.slow,
    pytest.mark.skipif(not netns_available(), reason="needs root for network namespaces"),
]


TURN_PORT = 3478


TURN_SECRET = "probe-secret"


def _turn_offer(ns: Namespace, password: str = TURN_SECRET) -> list[dict[str, object]]:
    base = f"turn:{ns.addr}:{TURN_PORT}"
    return [
        {"urls": [f"{base}?transport={t}"], "username": "vt", "credential": password}
        for t in ("udp", "tcp")
    ]


@pytest.fixture(scope="module")
def shaped_node(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Namespace, NetworkTarget]]:
    """The node and a real coturn, both inside the namespace; the check runs out here."""
    tmp = tmp_path_factory.mktemp("node")
    pem = tmp / "node.pem"
    with network_namespace() as ns:
        scenario = tmp / "scenario.json"
        scenario.write_text(
            json.dumps({"rooms": {"999999": {"turn": _turn_offer(ns)}}}), encoding="utf-8"
        )
        turn = [
            "turnserver", "-n", "--listening-ip", ns.addr, "--relay-ip", ns.addr,
            "--listening-port", str(TURN_PORT), "--lt-cred-mech", "--user", f"vt:{TURN_SECRET}",
            "--realm", "videotime.test", "--no-tls", "--no-dtls", "--no-cli",
            "--allow-loopback-peers", "--min-port", "49160", "--max-port", "49200",
        ]  # fmt: skip
        ns.popen(turn, long_lived=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        node = [
            sys.executable, "-m", "videotime_client", "node", "serve", "--host", ns.addr,
            "--port", "8443", "--tls", "--cert-out", str(pem), "--scenario", str(scenario),
        ]  # fmt: skip
        proc = ns.popen(
            node, long_lived=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("https://"), url
        target = NetworkTarget(url, ca_file=str(pem), host_addresses=(ns.host_addr,))
        try:
            yield ns, target
        finally:
            proc.terminate()
            proc.wait(10)
            proc.stdout.close()


def check(target: NetworkTarget):
    return asyncio.run(network.run(CheckContext(network=target)))


@pytest.mark.parametrize("kbit", [500, 2000, 5000])
def test_send_estimate_within_15_percent_of_tbf_capacity(shaped_node, kbit: int) -> None:
    ns, target = shaped_node
    ns.clear_impairments()
    ns.limit_bandwidth(kbit)
    try:
        r = check(target)
    finally:
        ns.clear_impairments()
    m = r.measurements
    assert m["send_kbps"] is not None, m
    assert m["receive_kbps"] is not None, m
    error = abs(m["send_kbps"] - kbit) / kbit
    signed = (m["send_kbps"] - kbit) / kbit
    received = (m["receive_kbps"] - kbit) / kbit
    print(
        f"tbf {kbit} kbit/s: send {m['send_kbps']} kbit/s ({signed:+.1%}), "
        f"receive {m['receive_kbps']} kbit/s ({received:+.1%})"
    )
    assert error <= 0.15, m
    assert m["receive_method"] == "https_download", m
    assert abs(received) <= 0.15, m
    expected = Verdict.GOOD if kbit >= 1100 else Verdict.LIMITED
    assert r.verdict is expected, m


@pytest.mark.parametrize(("down", "up"), [(500, 2000), (2000, 5000), (5000, 500)])
def test_receive_estimate_within_15_percent_of_tbf_capacity(
    shaped_node, down: int, up: int
) -> None:
    """Each direction shaped differently: receive follows the downlink, send the uplink, and
    the slower one sets the verdict."""
    ns, target = shaped_node
    ns.clear_impairments()
    ns.limit_bandwidth(to_ns=up, from_ns=down)
    try:
        r = check(target)
    finally:
        ns.clear_impairments()
    m = r.measurements
    assert m["receive_method"] == "https_download", m
    assert m["receive_kbps_is_lower_bound"] is False, m
    received = (m["receive_kbps"] - down) / down
    sent = (m["send_kbps"] - up) / up
    print(
        f"tbf down {down} / up {up} kbit/s: receive {m['receive_kbps']} ({received:+.1%}), "
        f"send {m['send_kbps']} ({sent:+.1%}), download {m['download_s']} s"
    )
    assert abs(received) <= 0.15, m
    assert abs(sent) <= 0.15, m
    expected = Verdict.GOOD if min(down, up) >= 1100 else Verdict.LIMITED
    assert r.verdict is expected, m


def test_paths_direct_and_turn_udp_tcp_work(shaped_node) -> None:
    _ns, target = shaped_node
    r = check(target)
    assert r.measurements["paths"] == {
        "udp_direct": "ok",
        "turn_udp": "ok",
        "turn_tcp": "ok",
        "turn_tls": "not_offered",
    }
    assert r.measurements["path_used"] == "udp_direct"


def test_udp_blocked_falls_back_to_turn_tcp_and_measures_through_it(shaped_node) -> None:
    """A firewall that drops UDP: direct media and TURN/UDP fail, TURN over TCP carries it."""
    ns, target = shaped_node
    ns.clear_impairments()
    ns.blackhole("udp")
    try:
        r = check(target)
    finally:
        ns.clear_impairments()
    m = r.measurements
    assert m["paths"] == {
        "udp_direct": "failed",
        "turn_udp": "failed",
        "turn_tcp": "ok",
        "turn_tls": "not_offered",
    }, m
    print(
        f"via turn_tcp: {m['send_kbps']} kbit/s, connect {m.get('connect_media_ms')} ms, "
        f"receive {m['receive_kbps']} kbit/s ({m['receive_method']}, "
        f"{m.get('download_error') or str(m.get('download_s')) + ' s'})"
    )
    assert m["path_used"] == "turn_tcp"
    assert r.verdict in (Verdict.GOOD, Verdict.LIMITED), m  # you can join, through the relay
    assert m["send_kbps"] is not None
    assert m["send_kbps"] > 0


def test_everything_blocked_but_https_is_cannot(shaped_node) -> None:
    ns, target = shaped_node
    ns.clear_impairments()
    ns.blackhole("udp")
    ns.block_port("tcp", TURN_PORT)
    try:
        r = check(target)
    finally:
        ns.clear_impairments()
    assert r.verdict is Verdict.CANNOT, r.measurements
    assert r.problems == ("media_blocked",)
    assert r.measurements["paths"]["udp_direct"] == "failed"
