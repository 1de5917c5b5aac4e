"""`videotime join` end to end against the embedded node (transcoded): the exact CLI contract."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from tests.call.conftest import invitation_for
from tests.helpers.node import RunningNode

CONTRACT_KEYS = {
    "connected",
    "media_mode",
    "waited_for_host_ms",
    "setup_ms",
    "first_remote_frame_ms",
    "video_rx_fps",
    "video_tx_fps",
    "audio_rx_packets",
    "rtt_ms",
    "loss_pct",
    "encryption",
    "reconnects",
    "ended_reason",
}
ENCRYPTION_KEYS = {"dtls_state", "cipher", "srtp_profile", "remote_fingerprint_verified"}


PATIENT_NAME = "Ola Testesen"


def _assert_nothing_private(text: str) -> None:
    """No display name, SDP body or ICE credentials (a mask ``***`` is fine)."""
    assert PATIENT_NAME not in text
    assert not re.search(r"^v=0\s*$", text, flags=re.MULTILINE), "an SDP body"
    assert not re.search(r"a=ice-(?:pwd|ufrag):(?!\*\*\*)\S", text), "ICE credentials"
    assert not re.search(r"a=candidate:\S+ \d \w+ \d+ \S+ \d+ typ", text), "SDP candidates"


def _videotime(*args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "videotime_client", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.slow
def test_headless_join_prints_one_json_report_and_exits_0(
    node_process: RunningNode, tmp_path: Path
) -> None:
    link = f"{node_process.base_url}/webapp/conference/123456"
    proc = _videotime(
        "join",
        link,
        "--dev",
        "--headless",
        "--synthetic-media",
        "--duration",
        "3",
        "--json",
        "--name",
        PATIENT_NAME,
        "--data-dir",
        str(tmp_path),
        "--debug",  # the most verbose log, aiortc/aioice included: still nothing private
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout)  # exactly one JSON document on stdout
    assert set(report) == CONTRACT_KEYS
    assert set(report["encryption"]) == ENCRYPTION_KEYS
    assert report["connected"] is True
    assert report["media_mode"] == "transcoded"
    assert report["waited_for_host_ms"] > 2000  # the simulated clinician arrives after 3 s
    assert 0 < report["setup_ms"] < report["first_remote_frame_ms"] + 10_000
    # Generous floors (a loaded 2-core CI machine): the picture flows, not a frame rate target.
    assert report["video_rx_fps"] >= 10
    assert report["video_tx_fps"] >= 10
    assert report["audio_rx_packets"] > 50
    assert report["encryption"]["dtls_state"] == "connected"
    assert report["encryption"]["remote_fingerprint_verified"] is True
    assert report["encryption"]["srtp_profile"].startswith("SRTP_")
    assert report["reconnects"] == 0
    assert report["ended_reason"] == "left"
    assert "Traceback" not in proc.stderr
    _assert_nothing_private(proc.stdout + proc.stderr)
    logs = [p.read_text(errors="replace") for p in tmp_path.rglob("*.log*") if p.is_file()]
    assert logs
    assert any("call:" in text for text in logs)  # the call did log (redacted)
    for text in logs:
        _assert_nothing_private(text)


def test_headless_join_without_media_choice_is_a_usage_error() -> None:
    proc = _videotime("join", "123456", "--headless", "--lang", "en", timeout=30)
    assert proc.returncode == 2
    assert "--synthetic-media" in proc.stderr


def test_bad_link_is_a_clear_error_without_traceback() -> None:
    proc = _videotime(
        "join",
        "http://example.invalid:1/x",
        "--headless",
        "--synthetic-media",
        "--lang",
        "en",
        timeout=30,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip()
    assert "Traceback" not in proc.stderr


@pytest.mark.slow
def test_unknown_room_fails_with_exit_1(node_process: RunningNode) -> None:
    link = f"{node_process.base_url}/webapp/conference/777777"
    proc = _videotime(
        "join", link, "--dev", "--headless", "--synthetic-media", "--json", "--lang", "en"
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip()


@pytest.mark.slow
def test_in_process_join_measures_glass_to_glass_latency(node: RunningNode) -> None:
    """The test call loops our stamped picture back through the node: a full glass-to-glass
    path (our encoder, the node's decoder and encoder, our decoder)."""
    from videotime_client.cli.join import headless_join
    from videotime_client.media.synthetic import SyntheticVideoTrack, ToneAudioTrack

    report = headless_join(
        invitation_for(node, "999999"),
        video_source=SyntheticVideoTrack(),
        audio_source=ToneAudioTrack(),
        duration_s=3,
        measure_latency=True,
    )
    assert report.connected, report
    latencies = report.extra["latencies_ms"]
    assert len(latencies) > 10  # stamps were read on received frames (not a frame rate check)
    assert all(0 <= v < 2000 for v in latencies)


@pytest.mark.slow
def test_signalling_refuses_an_untrusted_certificate(node_factory) -> None:
    """An https node whose certificate we do not trust: no call, a clear error, exit 1."""
    node = node_factory(tls=True)
    link = f"{node.base_url}/webapp/conference/999999"
    proc = _videotime(
        "join",
        link,
        "--dev",
        "--headless",
        "--synthetic-media",
        "--json",
        "--lang",
        "en",
        timeout=60,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip()
    assert proc.stdout.strip() == ""  # nothing was joined, so no report
