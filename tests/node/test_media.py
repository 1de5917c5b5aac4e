"""Real media through the node: transcoded calls, the test-call loopback, the direct-media relay.

Each test runs aiortc peers (tests/node/peer.py) against an in-process node over 127.0.0.1.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from tests.conformance.pexip_schemas import validate
from tests.helpers.node import DEFAULT_ROOM, DIRECT_ROOM, HOST_PIN, TEST_CALL_ROOM, RunningNode
from tests.node.peer import TestPeer, settled, wait_until

pytestmark = pytest.mark.slow


def run(coro: Any) -> Any:
    return asyncio.run(settled(asyncio.wait_for(coro, 90)))


VALIDATORS = {
    "calls": "validateCallsWebrtcParticipant200",
    "ack": "validateAck200",
    "disconnect": "validateDisconnectCall200",
    "new_candidate": "validateNewCandidate200",
    "unlock": "validateUnlockParticipant200",
    "refresh_token": "validateRefreshToken200",
}


def assert_conformant(peer: TestPeer) -> None:
    """Every 200 answer the peer got validates against Pexip's schema for that endpoint."""
    checked = 0
    for endpoint, status, body in peer.responses:
        if status == 200 and endpoint in VALIDATORS:
            assert validate(VALIDATORS[endpoint], body) == [], (endpoint, body)
            checked += 1
    assert checked > 0


def test_transcoded_call_slate_then_clinician_picture_and_tone(node_factory: Any) -> None:
    node: RunningNode = node_factory({"rooms": {DEFAULT_ROOM: {"clinician": {"join_after_s": 2}}}})

    async def scenario() -> None:
        async with aiohttp.ClientSession() as session:
            guest = TestPeer(session, node.api(DEFAULT_ROOM), "Ola", label="patient")
            try:
                token = await guest.join()
                assert token["current_service_type"] == "waiting_room"
                result = await guest.call()
                assert result["offer_ignored"] is False
                answer = result["sdp"]
                # Full answer: the node's candidates are inline, on loopback only.
                assert "a=candidate:" in answer
                assert " 127.0.0.1 " in answer
                assert "192.0.2." not in answer
                await wait_until(lambda: guest.video and guest.video.frames > 10, what="slate")
                # The slate carries no time stamp: it is not the clinician's camera yet.
                assert guest.video is not None
                assert guest.video.stamped == 0
                await guest.wait_event("message_received", timeout=15)
                before = guest.video.stamped
                await wait_until(lambda: guest.video.stamped > before + 5, what="clinician video")
                await wait_until(lambda: guest.audio and guest.audio.frames > 50, what="tone")
                me = next(p for p in node.participants() if p["uuid"] == guest.uuid)
                assert me["has_media"] is True
                assert me["call_type"] == "transcoded"
                assert me["rx_video_frames"] > 0
                assert me["rx_audio_frames"] > 0
                assert_conformant(guest)
                # kill_calls: the node ends the media call; the token stays valid.
                node.inject("kill_calls", room=DEFAULT_ROOM)
                gone = await guest.wait_event("call_disconnected")
                assert gone["call_uuid"] == guest.call_uuid
                status, _ = await guest.post("refresh_token")
                assert status == 200
            finally:
                await guest.close()

    run(scenario())


def test_media_starts_only_on_ack(node: RunningNode) -> None:
    async def scenario() -> None:
        async with aiohttp.ClientSession() as session:
            guest = TestPeer(session, node.api(DEFAULT_ROOM), "Ola")
            try:
                await guest.join()
                from aiortc import RTCSessionDescription

                from tests.node.peer import LOOPBACK, set_local_description

                guest.pc = guest._new_pc()
                await set_local_description(guest.pc, await guest.pc.createOffer(), LOOPBACK)
                status, body = await guest.post(
                    f"participants/{guest.uuid}/calls",
                    {"call_type": "WEBRTC", "sdp": guest.pc.localDescription.sdp},
                )
                assert status == 200
                await guest.pc.setRemoteDescription(
                    RTCSessionDescription(body["result"]["sdp"], "answer")
                )
                await wait_until(lambda: guest.pc.connectionState == "connected", what="ICE")
                await asyncio.sleep(1.0)
                assert guest.video is None or guest.video.frames == 0
                call = body["result"]["call_uuid"]
                await guest.post(f"participants/{guest.uuid}/calls/{call}/ack", {})
                await wait_until(lambda: guest.video and guest.video.frames > 5, what="media")
            finally:
                await guest.close()

    run(scenario())


def test_test_call_room_loops_the_callers_media_back(node: RunningNode) -> None:
    async def scenario() -> None:
        async with aiohttp.ClientSession() as session:
            caller = TestPeer(session, node.api(TEST_CALL_ROOM), "Ola", pin=None, label="me")
            try:
                result = await caller.join()
                assert result["current_service_type"] == "test_call"
                await caller.call()
                # Our own stamped picture comes back (the node's slate has no stamp).
                await wait_until(lambda: caller.video and caller.video.stamped > 5, what="loop")
                await wait_until(lambda: caller.audio and caller.audio.frames > 50, what="audio")
            finally:
                await caller.close()

    run(scenario())


def test_direct_media_relay_between_two_aiortc_peers(node: RunningNode) -> None:
    async def scenario() -> None:
        async with aiohttp.ClientSession() as session:
            api = node.api(DIRECT_ROOM)
            host = TestPeer(session, api, "Kari", pin=HOST_PIN, direct=True, label="host")
            guest = TestPeer(session, api, "Ola", direct=True, label="guest")
            try:
                token = await host.join()
                assert token["direct_media"] is True
                assert "pex_datachannel_id" in token
                first = await host.call()
                assert first == {"call_uuid": first["call_uuid"], "sdp": "", "offer_ignored": True}
                splash = await host.wait_event("splash_screen")
                assert splash["screen_key"] == "direct_media_waiting_for_host"

                await guest.join()
                status, _ = await host.post(f"participants/{guest.uuid}/unlock")
                assert status == 200
                mark = len(host.events)
                answer_task = asyncio.ensure_future(guest.call())
                offer = await host.wait_event("new_offer", start=mark)
                await host.answer_relayed_offer(offer["sdp"])
                second = await answer_task
                assert second["offer_ignored"] is False
                assert second["sdp"].startswith("v=0")
                for peer in (host, guest):
                    await wait_until(
                        lambda p=peer: p.video and p.video.stamped > 5, what=f"{peer.name} video"
                    )
                # The node relayed, it did not terminate media: it received nothing itself.
                for p in node.participants(DIRECT_ROOM):
                    assert p["call_type"] == "direct"
                    assert p["rx_video_frames"] == 0
                assert_conformant(host)
                assert_conformant(guest)
                # Hanging up one side tells the other.
                mark = len(host.events)
                status, _ = await guest.post(
                    f"participants/{guest.uuid}/calls/{guest.call_uuid}/disconnect"
                )
                assert status == 200
                assert await host.wait_event("peer_disconnect", start=mark) is None
            finally:
                await guest.close()
                await host.close()

    run(scenario())


def test_direct_media_guest_who_called_from_the_waiting_room_is_asked_to_call_again(
    node: RunningNode,
) -> None:
    async def scenario() -> None:
        async with aiohttp.ClientSession() as session:
            api = node.api(DIRECT_ROOM)
            host = TestPeer(session, api, "Kari", pin=HOST_PIN, direct=True, label="host")
            guest = TestPeer(session, api, "Ola", direct=True, label="guest")
            try:
                await host.join()
                assert (await host.call())["offer_ignored"] is True
                await guest.join()
                # Calling from the waiting room: nobody to pair with yet.
                assert (await guest.call())["offer_ignored"] is True
                mark = len(guest.events)
                status, _ = await host.post(f"participants/{guest.uuid}/unlock")
                assert status == 200
                # Admitted: the node asks the guest to start its call again...
                assert await guest.wait_event("peer_disconnect", start=mark) is None
                mark = len(host.events)
                again = asyncio.ensure_future(guest.call())
                # ...and relays the new offer to the waiting host.
                offer = await host.wait_event("new_offer", start=mark)
                await host.answer_relayed_offer(offer["sdp"])
                assert (await again)["offer_ignored"] is False
                await wait_until(lambda: guest.video and guest.video.stamped > 3, what="video")
                await wait_until(lambda: host.video and host.video.stamped > 3, what="video")
            finally:
                await guest.close()
                await host.close()

    run(scenario())
