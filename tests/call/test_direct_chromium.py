"""Real browser interop: headless Chromium as the clinician, direct media, in a namespace.

The clinician page (the node's ``/clinician``) runs in Chromium inside a private network
namespace (it reaches the node through a loopback forwarder; media crosses the veth); the
patient is our headless join on the host side.  Picture and sound are checked both ways:
Chromium's own getStats (framesDecoded, framesPerSecond, freezeCount, audio packets) for what we
sent, and our report for what Chromium sent.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.call.conftest import JoinThread, chromium_in
from tests.helpers.netns import Namespace
from tests.helpers.node import RunningNode

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.netns]


def test_direct_media_both_ways_with_chromium_clinician(
    ns: Namespace, node: RunningNode, tmp_path: Path
) -> None:
    from videotime_client.cli.join import headless_join
    from videotime_client.invitation import parse_invitation
    from videotime_client.media.synthetic import SyntheticVideoTrack, ToneAudioTrack

    port = int(node.base_url.rsplit(":", 1)[1])
    fwd = ns.forward_tcp(port)
    chromium_in(ns, f"http://127.0.0.1:{fwd}/clinician?room=234567&results=clin", str(tmp_path))
    inv = parse_invitation(f"{node.base_url}/webapp/conference/234567", dev=True)
    joiner = JoinThread(
        lambda: headless_join(
            inv,
            video_source=SyntheticVideoTrack(label="patient"),
            audio_source=ToneAudioTrack(),
            duration_s=5,
            max_wait_s=60,
            host_addresses=[ns.host_addr],
        )
    ).start()
    stats = node.wait_result(
        "clin",
        timeout=60,
        until=lambda r: (
            r["video_in"]["framesDecoded"] > 60 and r["audio_in"]["packetsReceived"] > 50
        ),
    )
    report = joiner.join(90)
    assert stats["direct_media"] is True
    # Generous floors for a loaded 2-core CI machine: correctness, not a benchmark.
    assert stats["video_in"]["framesPerSecond"] >= 10
    assert stats["video_in"]["freezeCount"] <= 3
    assert stats["video_in"]["frameWidth"] == 640
    assert report.connected, report
    assert report.media_mode == "direct"
    assert report.video_rx_fps >= 10
    assert report.audio_rx_packets > 50
    assert report.encryption["remote_fingerprint_verified"] is True
    assert report.encryption["srtp_profile"]
