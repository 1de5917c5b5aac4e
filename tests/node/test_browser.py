"""Headless Chromium on the /clinician page against aiortc peers through the node.

The Done-when test: Chromium is the clinician in a direct-media room, an aiortc peer is the
patient; the node only relays offer/answer/candidates, and both ends decode the other's frames.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from tests.helpers.chromium import launch_chromium
from tests.helpers.node import DEFAULT_ROOM, DIRECT_ROOM, RunningNode
from tests.node.peer import TestPeer, settled, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_chromium_clinician_direct_media_with_aiortc_patient(node: RunningNode) -> None:
    url = f"{node.base_url}/clinician?room={DIRECT_ROOM}&results=clinician&camera=stamp"
    with launch_chromium(url) as browser:
        # The page joins as host with the host PIN and waits for a peer (offer ignored).
        first = node.wait_result(
            "clinician", timeout=30, until=lambda r: r["role"] == "HOST" and r["calls_placed"] >= 1
        )
        assert first["direct_media"] is True, browser.log_tail()

        async def patient() -> dict[str, Any]:
            async with aiohttp.ClientSession() as session:
                guest = TestPeer(session, node.api(DIRECT_ROOM), "Ola", direct=True, label="pt")
                try:
                    token = await guest.join()
                    assert token["current_service_type"] == "waiting_room"
                    # The page admits the waiting guest by itself (participants/<uuid>/unlock);
                    # it may do so before our event stream opens, so the snapshot can show it.
                    await wait_until(
                        lambda: guest.own_service_type() == "conference",
                        what="admission by the browser",
                    )
                    result = await guest.call()  # relayed to the browser as new_offer
                    assert result["offer_ignored"] is False, result
                    await wait_until(
                        lambda: guest.video is not None and guest.video.frames > 60,
                        timeout=30,
                        what="frames from Chromium",
                    )
                    # The browser's canvas camera stamps each frame like synthetic.py does;
                    # reading them back proves these are the browser's own pictures.
                    await wait_until(
                        lambda: guest.video is not None and guest.video.stamped > 3,
                        what="stamped frames from Chromium",
                    )
                    await wait_until(
                        lambda: guest.audio is not None and guest.audio.frames > 100,
                        what="audio from Chromium",
                    )
                    stats = node.wait_result(
                        "clinician",
                        timeout=30,
                        until=lambda r: (
                            r["video_in"]["framesDecoded"] > 60
                            and r["audio_in"]["packetsReceived"] > 50
                        ),
                    )
                    return {"stats": stats, "frames": guest.video.frames if guest.video else 0}
                finally:
                    await guest.close()

        outcome = asyncio.run(settled(asyncio.wait_for(patient(), 120)))
        stats = outcome["stats"]
        assert stats["offers_answered"] >= 1  # the browser answered the relayed offer
        assert stats["connection"] == "connected"
        assert stats["video_in"]["frameWidth"] == 640
        # The node relayed only: it terminated no media itself.
        assert all(p["rx_video_frames"] == 0 for p in node.participants(DIRECT_ROOM))


def test_chromium_as_patient_sees_the_simulated_clinician(node_factory: Any) -> None:
    node = node_factory({"rooms": {DEFAULT_ROOM: {"clinician": {"join_after_s": 1}}}})
    url = f"{node.base_url}/clinician?room={DEFAULT_ROOM}&role=guest&direct=0&results=patient"
    with launch_chromium(url):
        stats = node.wait_result(
            "patient",
            timeout=60,
            until=lambda r: (
                r["service_type"] == "conference"
                and r["video_in"]["framesDecoded"] > 60
                and any(m["payload"].startswith("Hei, jeg er lege") for m in r["chat"])
            ),
        )
        assert stats["role"] == "GUEST"
        assert stats["audio_in"]["packetsReceived"] > 50
        guest = next(p for p in node.participants(DEFAULT_ROOM) if p["role"] == "guest")
        assert guest["call_type"] == "transcoded"
        assert guest["rx_video_frames"] > 0


def test_transcoded_room_relays_a_browser_host_to_an_aiortc_guest(node_factory: Any) -> None:
    node = node_factory({"rooms": {DEFAULT_ROOM: {"clinician": False}}})
    url = f"{node.base_url}/clinician?room={DEFAULT_ROOM}&direct=0&results=host"
    with launch_chromium(url):
        node.wait_result("host", timeout=30, until=lambda r: r["connection"] == "connected")

        async def patient() -> None:
            async with aiohttp.ClientSession() as session:
                guest = TestPeer(session, node.api(DEFAULT_ROOM), "Ola", label="pt")
                try:
                    await guest.join()
                    await wait_until(lambda: guest.own_service_type() == "conference")
                    await guest.call()
                    await wait_until(
                        lambda: guest.video is not None and guest.video.frames > 60,
                        timeout=30,
                        what="frames",
                    )
                    host = next(p for p in node.participants(DEFAULT_ROOM) if p["role"] == "chair")
                    me = next(p for p in node.participants(DEFAULT_ROOM) if p["uuid"] == guest.uuid)
                    # The guest is shown the browser's camera, the browser the guest's.
                    assert me["tx_video_source"] == f"relay:{host['uuid'][:8]}"
                    assert host["tx_video_source"] == f"relay:{guest.uuid[:8]}"
                    # ...and the browser decodes what the node relays from the guest.
                    node.wait_result(
                        "host", timeout=30, until=lambda r: r["video_in"]["framesDecoded"] > 120
                    )
                finally:
                    await guest.close()

        asyncio.run(settled(asyncio.wait_for(patient(), 120)))
