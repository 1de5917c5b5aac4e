"""The receive-direction measurement: a download of the node's own web app bundle.

Against the real embedded node on loopback (what it serves, the fallback when it serves
nothing suitable) and the estimator on recorded-shape timelines.  Accuracy against a shaped
link is in test_network_shaped.py.
"""

from __future__ import annotations

import asyncio
import re
import socket
import zlib

import pytest
import requests

from videotime_client.preflight import download
from videotime_client.preflight.checks import network
from videotime_client.preflight.checks.network import NetworkTarget
from videotime_client.preflight.context import CheckContext
from videotime_client.preflight.download import Timeline, estimate, measure_download, theil_sen
from videotime_client.preflight.models import Verdict
from videotime_node.config import NodeConfig, ScenarioError


def fetch(node, **kw):
    return asyncio.run(measure_download(node.base_url, ca_file=node.ca_file, **kw))


def check(node):
    target = NetworkTarget(node.base_url, ca_file=node.ca_file, host_addresses=("127.0.0.1",))
    return asyncio.run(network.run(CheckContext(network=target)))


# ------------------------------------------------------------------ the node's web app
def test_node_serves_an_index_linking_a_large_incompressible_bundle(node_factory) -> None:
    node = node_factory({"webapp_bundle_bytes": 300_000}, tls=True)
    index = requests.get(node.base_url + "/webapp/", verify=node.ca_file, timeout=5)
    assert index.status_code == 200
    assert index.headers["Content-Type"].startswith("text/html")
    (src,) = re.findall(r'src="([^"]+)"', index.text)
    assert re.fullmatch(r"/webapp/assets/index-[0-9a-f]{8}\.js", src)
    bundle = requests.get(
        node.base_url + src,
        verify=node.ca_file,
        timeout=5,
        headers={"Accept-Encoding": "identity"},
    )
    assert bundle.status_code == 200
    assert len(bundle.content) == 300_000
    assert len(zlib.compress(bundle.content)) > 0.7 * 300_000  # no cheap bytes to squeeze
    part = requests.get(
        node.base_url + src, verify=node.ca_file, timeout=5, headers={"Range": "bytes=100-199"}
    )
    assert part.status_code == 206
    assert part.headers["Content-Range"] == "bytes 100-199/300000"
    assert part.content == bundle.content[100:200]
    wrong = requests.get(node.base_url + "/webapp/assets/other.js", verify=node.ca_file, timeout=5)
    assert wrong.status_code == 404


@pytest.mark.parametrize("size", [-1, 10**9, "big", True])
def test_node_refuses_a_bad_bundle_size(size) -> None:
    with pytest.raises(ScenarioError, match="webapp_bundle_bytes"):
        NodeConfig.from_scenario({"webapp_bundle_bytes": size})


def test_node_without_a_web_app_answers_404(node_factory) -> None:
    node = node_factory({"webapp_bundle_bytes": 0})
    assert requests.get(node.base_url + "/webapp/", timeout=5).status_code == 404


# ------------------------------------------------------------------ measure_download
def test_download_follows_the_index_to_the_bundle(node_factory) -> None:
    node = node_factory(tls=True)
    r = fetch(node)
    assert r.why is None, r
    assert r.path is not None
    assert r.path.startswith("/webapp/assets/index-")
    assert r.byte_cap_hit  # loopback: the cap comes first, in milliseconds
    assert r.bytes >= download.BYTE_CAP
    assert r.kbps is not None
    assert r.kbps > 50_000


def test_candidate_paths_are_tried_in_order(node_factory) -> None:
    node = node_factory(tls=True)
    r = fetch(node, paths=("/no/such/page/", "/webapp/"))
    assert r.why is None, r
    assert r.kbps is not None


def test_no_web_app_gives_no_rate_and_says_why(node_factory) -> None:
    node = node_factory({"webapp_bundle_bytes": 0}, tls=True)
    r = fetch(node)
    assert r.kbps is None
    assert r.why == "http_error"
    assert r.bytes == 0


def test_a_tiny_file_is_too_little_data(node_factory) -> None:
    """The clinician script (15 kB) arrives in one go: no steady state to measure."""
    node = node_factory(tls=True)
    r = fetch(node, paths=("/clinician.js",), min_s=0.3, max_s=0.6)
    assert r.kbps is None
    assert r.why == "too_little_data"
    assert r.responses >= 1


def test_an_untrusted_node_is_never_measured(node_factory) -> None:
    node = node_factory(tls=True)
    r = asyncio.run(measure_download(node.base_url))  # system CAs do not know it
    assert r.kbps is None
    assert r.why == "tls_failed"
    assert r.bytes == 0


def test_a_node_that_never_answers_gives_up_at_the_time_cap() -> None:
    """Accepts the connection (the kernel does) but never answers: no hang, no rate."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(4)
        port = server.getsockname()[1]
        r = asyncio.run(measure_download(f"http://127.0.0.1:{port}", max_s=0.5))
    assert r.kbps is None
    assert r.why == "timed_out"


def test_assets_are_same_origin_only() -> None:
    page = (
        '<script src="/webapp/assets/a.js"></script>'
        '<script type="module" src="b.js"></script>'
        '<script src="https://cdn.example.com/c.js"></script>'
        '<link rel="stylesheet" href="/webapp/assets/s.css?v=1">'
    )
    assert download._assets_in(page, "https://node.example/webapp/") == [
        "https://node.example/webapp/assets/a.js",
        "https://node.example/webapp/b.js",
        "https://node.example/webapp/assets/s.css?v=1",
    ]


# ------------------------------------------------------------------ the estimator
def _records(start: float, rate_bps: float, n: int, size: int = 16384) -> list[tuple[float, int]]:
    return [(start + i * size / rate_bps, size) for i in range(n)]


def test_a_stall_and_catch_up_does_not_skew_the_rate() -> None:
    """A lost segment holds a TLS record back; the next ones then arrive together."""
    rate = 62_500.0  # 0.5 Mbit/s in bytes/s
    held = _records(0.0, rate, 14)
    t8 = held[8][0]
    held[6], held[7] = (t8 - 0.001, 16384), (t8 - 0.0005, 16384)  # held back, then a rush
    timeline = Timeline([held])
    bps, span = estimate(timeline, byte_cap_hit=False)
    assert bps is not None
    assert abs(bps / rate - 1) < 0.03, bps
    assert span > 1.0


def test_gaps_between_responses_and_first_arrivals_do_not_count() -> None:
    rate = 250_000.0
    first = _records(0.0, rate, 20)
    second = _records(5.0, rate, 20)  # requested after a 4.7 s pause
    second[0] = (second[0][0], 999_999)  # the first arrival may have waited: not counted
    timeline = Timeline([first, second])
    curve = timeline.curve()
    assert curve[-1][1] == 38 * 16384
    assert curve[-1][0] < 2.7  # 38 records' time, not the pause
    bps, _ = estimate(timeline, byte_cap_hit=False)
    assert bps is not None
    assert abs(bps / rate - 1) < 0.01


def test_too_short_a_steady_state_is_no_measurement() -> None:
    timeline = Timeline([_records(0.0, 1e6, 5)])
    assert estimate(timeline, byte_cap_hit=False)[0] is None


def test_theil_sen_ignores_pairs_inside_one_burst() -> None:
    assert theil_sen([(0.0, 0), (0.001, 50_000)]) is None
    assert theil_sen([(0.0, 0), (1.0, 1000), (2.0, 2000)]) == 1000


# ------------------------------------------------------------------ in the network check
def test_network_check_measures_receive_by_download(node_factory) -> None:
    node = node_factory(tls=True)
    m = check(node).measurements
    assert m["receive_method"] == "https_download"
    assert m["receive_kbps"] > 50_000
    assert m["receive_kbps_is_lower_bound"] is True  # loopback outran the byte cap
    assert m["download_kb"] >= download.BYTE_CAP / 1000
    assert "download_error" not in m


def test_network_check_falls_back_to_the_media_lower_bound(node_factory) -> None:
    """A node that serves nothing suitable: the rate the node sent during the media test,
    labelled as a lower bound, and never held against the patient."""
    node = node_factory({"webapp_bundle_bytes": 0}, tls=True)
    r = check(node)
    m = r.measurements
    assert m["receive_method"] == "media_lower_bound"
    assert m["receive_kbps_is_lower_bound"] is True
    assert m["receive_kbps"] is not None
    assert m["download_error"] == "http_error"
    assert r.verdict is Verdict.GOOD, m  # a lower bound never lowers the verdict


def test_no_download_paths_configured_keeps_the_lower_bound(node_factory) -> None:
    node = node_factory(tls=True)
    target = NetworkTarget(
        node.base_url, ca_file=node.ca_file, host_addresses=("127.0.0.1",), download_paths=()
    )
    m = asyncio.run(network.run(CheckContext(network=target))).measurements
    assert m["receive_method"] == "media_lower_bound"
    assert m["download_error"] == "not_configured"
