"""A deliberately small aiortc participant for the node's own tests (not the product's engine).

It speaks just enough of the API over aiohttp to place calls: request_token, events (SSE), calls,
ack, new_candidate. It gathers on 127.0.0.1 only (the node's context-variable hook,
aiortc-notes §4) and never uses public STUN.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import aiohttp
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from videotime_client.media.synthetic import SyntheticVideoTrack, ToneAudioTrack, decode_stamp
from videotime_node.media import new_peer_connection, set_local_description

LOOPBACK = ["127.0.0.1"]


class FrameCounter:
    """Drains a received track, counting frames and readable time stamps."""

    def __init__(self, track: MediaStreamTrack) -> None:
        self.track = track
        self.frames = 0
        self.stamped = 0
        self.labels: set[int] = set()
        self.task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        with contextlib.suppress(MediaStreamError, asyncio.CancelledError):
            while True:
                frame = await self.track.recv()
                self.frames += 1
                if self.track.kind == "video" and self.frames % 5 == 0:
                    stamp = decode_stamp(frame)
                    if stamp is not None:
                        self.stamped += 1


class TestPeer:
    """One participant: token, SSE reader, one peer connection with synthetic media."""

    __test__ = False  # not a pytest class

    def __init__(
        self,
        session: aiohttp.ClientSession,
        api: str,
        name: str,
        *,
        pin: str | None = "none",
        direct: bool = False,
        label: str = "peer",
    ) -> None:
        self.session = session
        self.api = api
        self.name = name
        self.pin = pin
        self.direct = direct
        self.label = label
        self.token = ""
        self.uuid = ""
        self.events: list[tuple[str, Any]] = []
        self.event_added = asyncio.Event()
        self.pc: RTCPeerConnection | None = None
        self.call_uuid = ""
        self.video: FrameCounter | None = None
        self.audio: FrameCounter | None = None
        self._sse_task: asyncio.Task[None] | None = None
        self.responses: list[tuple[str, int, Any]] = []  # (last path segment, status, body)

    async def join(self) -> dict[str, Any]:
        headers = {} if self.pin is None else {"pin": self.pin}
        async with self.session.post(
            f"{self.api}/request_token",
            json={"display_name": self.name, "direct_media": self.direct},
            headers=headers,
        ) as r:
            body = await r.json()
            assert r.status == 200, body
        result: dict[str, Any] = body["result"]
        self.token = result["token"]
        self.uuid = result["participant_uuid"]
        self._sse_task = asyncio.ensure_future(self._read_events())
        await self.wait_event("participant_sync_end")
        return result

    async def _read_events(self) -> None:
        async with self.session.get(f"{self.api}/events", params={"token": self.token}) as r:
            event = None
            async for raw in r.content:
                line = raw.decode().rstrip("\r\n")
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event:
                    self.events.append((event, json.loads(line[5:])))
                    self.event_added.set()
                    event = None

    async def wait_event(self, name: str, timeout: float = 20, start: int = 0) -> Any:
        async def look() -> Any:
            i = start
            while True:
                while i < len(self.events):
                    if self.events[i][0] == name:
                        return self.events[i][1]
                    i += 1
                self.event_added.clear()
                await self.event_added.wait()

        return await asyncio.wait_for(look(), timeout)

    def own_service_type(self) -> str | None:
        """Our service_type as the latest participant_create/update for us says."""
        kind = None
        for event, data in self.events:
            if event in ("participant_create", "participant_update") and data["uuid"] == self.uuid:
                kind = data["service_type"]
        return kind

    async def post(self, path: str, body: Any = None) -> tuple[int, Any]:
        async with self.session.post(
            f"{self.api}/{path}", json=body, headers={"token": self.token}
        ) as r:
            text = await r.text()
            try:
                body = json.loads(text)
            except ValueError:
                body = text
            self.responses.append((path.rsplit("/", 1)[-1], r.status, body))
            return r.status, body

    def _new_pc(self) -> RTCPeerConnection:
        pc = new_peer_connection()
        pc.addTrack(SyntheticVideoTrack(label=self.label))
        pc.addTrack(ToneAudioTrack(frequency=660.0))

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            if track.kind == "video":
                self.video = FrameCounter(track)
            else:
                self.audio = FrameCounter(track)

        return pc

    async def call(self) -> dict[str, Any]:
        """POST calls with a full offer; on an answer apply it and ack. Returns the result."""
        if self.pc is not None:
            await self.pc.close()
        self.pc = self._new_pc()
        await set_local_description(self.pc, await self.pc.createOffer(), LOOPBACK)
        status, body = await self.post(
            f"participants/{self.uuid}/calls",
            {"call_type": "WEBRTC", "sdp": self.pc.localDescription.sdp, "media_type": "video"},
        )
        assert status == 200, body
        result: dict[str, Any] = body["result"]
        self.call_uuid = result["call_uuid"]
        if result["sdp"]:
            await self.pc.setRemoteDescription(RTCSessionDescription(result["sdp"], "answer"))
            status, body = await self.post(
                f"participants/{self.uuid}/calls/{self.call_uuid}/ack", {}
            )
            assert body == {"status": "success", "result": True}
        return result

    async def answer_relayed_offer(self, offer: str) -> None:
        """Direct media: our own offer was ignored; answer the peer's offer through ``ack``."""
        if self.pc is not None:
            await self.pc.close()
        self.pc = self._new_pc()
        await self.pc.setRemoteDescription(RTCSessionDescription(offer, "offer"))
        await set_local_description(self.pc, await self.pc.createAnswer(), LOOPBACK)
        status, body = await self.post(
            f"participants/{self.uuid}/calls/{self.call_uuid}/ack",
            {"sdp": self.pc.localDescription.sdp},
        )
        assert status == 200, body

    async def close(self) -> None:
        if self.pc is not None:
            await self.pc.close()
        if self.token:
            with contextlib.suppress(aiohttp.ClientError):
                await self.post("release_token", {"reason": "User initiated disconnect"})
        if self._sse_task is not None:
            self._sse_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, aiohttp.ClientError):
                await self._sse_task


async def wait_until(predicate: Any, timeout: float = 20, what: str = "condition") -> None:
    async def poll() -> None:
        while not predicate():
            await asyncio.sleep(0.1)

    try:
        await asyncio.wait_for(poll(), timeout)
    except TimeoutError:
        raise AssertionError(f"{what} not met within {timeout}s") from None


async def settled(coro: Any) -> Any:
    """Run ``coro``, then let leftover tasks finish and collect them before the loop closes.

    aiortc closes a peer connection by itself when the remote ends DTLS
    (``RTCPeerConnection.__updateConnectionState``); when we close ours at the same time its
    task can fail with ``InvalidStateError`` during teardown. That is aiortc's race, not the
    behaviour under test, so the outcome is collected here instead of being logged as "never
    retrieved" after ``asyncio.run`` returns.
    """
    from videotime_node.server import settle_tasks

    try:
        return await coro
    finally:
        await settle_tasks()
