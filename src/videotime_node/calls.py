"""Media calls: transcoded (the node answers with aiortc) and direct media (the node relays SDP).

Transcoded: the node is the patient's only peer. Its answer carries the node's candidates (full,
non-trickle; aiortc gathers in ``setLocalDescription``). What the node sends on the call is
chosen frame by frame (``video_for``/``audio_for``): the waiting slate, the simulated clinician's
picture and tone, another participant's relayed media, or, in a test-call room, the caller's own
media looped back.

Direct media: see docs/node.md "Direct media". In short: the first caller gets ``sdp: ""`` and
``offer_ignored: true`` and waits; a later caller's offer is relayed to it as SSE ``new_offer``,
its ``ack {"sdp"}`` answer is returned in the later caller's ``calls`` response, ``new_candidate``
is relayed both ways, and ``peer_disconnect`` tells the survivor to start its call again. When
two waiting callers become pairable later (a guest is admitted), the node sends the guest
``peer_disconnect`` so it offers again and the relay can pair them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid as uuidlib
from typing import TYPE_CHECKING, Any

from aiortc import RTCSessionDescription
from aiortc.sdp import candidate_from_sdp

from videotime_node import media

if TYPE_CHECKING:
    from videotime_node.conference import Node, Participant

log = logging.getLogger(__name__)

RELAY_ANSWER_TIMEOUT_S = 30.0


class CallError(Exception):
    """A call request the node refuses; ``status`` and ``text`` become the HTTP answer."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text


class TranscodedCall:
    kind = "transcoded"

    def __init__(self, manager: CallManager, participant: Participant) -> None:
        self.uuid = str(uuidlib.uuid4())
        self.manager = manager
        self.participant = participant
        self.pc = media.new_peer_connection()
        self.gate = asyncio.Event()
        self.state = "new"
        self.video_track: media.OutgoingVideoTrack | None = None
        self.audio_track: media.OutgoingAudioTrack | None = None

    @property
    def video_frames_sent(self) -> int:
        return self.video_track.frames_sent if self.video_track else 0

    @property
    def video_source(self) -> str:
        return self.video_track.source_name if self.video_track else ""

    async def answer(self, offer_sdp: str) -> str:
        p = self.participant
        pc = self.pc

        @pc.on("track")
        def on_track(track: Any) -> None:
            name = f"relay:{p.uuid[:8]}"
            if track.kind == "video":
                if p.rx_video:
                    p.rx_video.stop()
                p.rx_video = media.VideoSource(track, name)
            elif track.kind == "audio":
                if p.rx_audio:
                    p.rx_audio.stop()
                p.rx_audio = media.AudioSource(track, name)

        @pc.on("connectionstatechange")
        async def on_state() -> None:
            if pc.connectionState in ("failed", "closed") and self.state != "closed":
                log.info("call %s: connection %s", self.uuid[:8], pc.connectionState)
                if pc.connectionState == "failed":
                    self.manager.close_call(p, reason="Ice failure")

        await pc.setRemoteDescription(RTCSessionDescription(offer_sdp, "offer"))
        for transceiver in pc.getTransceivers():
            if transceiver.kind == "video" and self.video_track is None:
                self.video_track = media.OutgoingVideoTrack(
                    lambda: self.manager.video_for(p), self.gate
                )
                pc.addTrack(self.video_track)
            elif transceiver.kind == "audio" and self.audio_track is None:
                self.audio_track = media.OutgoingAudioTrack(
                    lambda: self.manager.audio_for(p), self.gate
                )
                pc.addTrack(self.audio_track)
        answer = await pc.createAnswer()
        await media.set_local_description(
            pc, answer, self.manager.node.config.effective_ice_host_addresses()
        )
        self.state = "answered"
        return pc.localDescription.sdp

    def ack(self, body: dict[str, Any]) -> None:
        self.gate.set()
        self.state = "active"

    async def add_candidate(self, body: dict[str, Any]) -> None:
        text = str(body.get("candidate") or "")
        if not text:
            return
        candidate = candidate_from_sdp(text.removeprefix("a=").removeprefix("candidate:"))
        candidate.sdpMid = str(body.get("mid", "0"))
        await self.pc.addIceCandidate(candidate)

    async def close(self) -> None:
        self.state = "closed"
        p = self.participant
        for source in (p.rx_video, p.rx_audio):
            if source is not None:
                source.stop()
        p.rx_video = None
        p.rx_audio = None
        await self.pc.close()


class DirectCall:
    kind = "direct"

    def __init__(self, manager: CallManager, participant: Participant, offer: str) -> None:
        self.uuid = str(uuidlib.uuid4())
        self.manager = manager
        self.participant = participant
        self.offer = offer
        self.state = "waiting"  # waiting (for a peer) | relaying | paired | closed
        self.peer: DirectCall | None = None
        self.pending_answer: asyncio.Future[str] | None = None

    def ack(self, body: dict[str, Any]) -> None:
        sdp = body.get("sdp")
        if self.pending_answer is not None and not self.pending_answer.done() and sdp:
            self.pending_answer.set_result(str(sdp))

    async def add_candidate(self, body: dict[str, Any]) -> None:
        if self.peer is not None and self.peer.state != "closed":
            relayed = {k: body[k] for k in ("candidate", "mid", "ufrag", "pwd") if k in body}
            self.peer.participant.send("new_candidate", relayed)

    async def close(self) -> None:
        self.state = "closed"
        if self.pending_answer is not None and not self.pending_answer.done():
            self.pending_answer.set_result("offer_ignored")


class CallManager:
    def __init__(self, node: Node) -> None:
        self.node = node

    # ------------------------------------------------------------ what a call carries
    def video_for(self, p: Participant) -> media.VideoSource | str:
        room = p.room
        if room.is_test_call:
            return p.rx_video if p.rx_video and p.rx_video.latest is not None else "test_call"
        if p.service_type == "waiting_room":
            return "waiting_room"
        for q in room.participants.values():
            if q is not p and q.service_type == "conference" and q.rx_video and q.rx_video.live:
                return q.rx_video
        clinician = room.clinician
        if (
            clinician is not None
            and clinician.present
            and clinician.video is not None
            and clinician.participant is not p
        ):
            return clinician.video
        return "patient" if p.is_host else "waiting"

    def audio_for(self, p: Participant) -> media.AudioSource | None:
        room = p.room
        if room.is_test_call:
            return p.rx_audio
        if p.service_type == "waiting_room":
            return None
        for q in room.participants.values():
            if (
                q is not p
                and q.service_type == "conference"
                and q.rx_audio
                and not q.is_client_muted
                and q.rx_video is not None
            ):
                return q.rx_audio
        clinician = room.clinician
        if clinician is not None and clinician.present:
            return clinician.audio
        return None

    # ------------------------------------------------------------ life cycle
    async def create(self, p: Participant, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("call_type", "WEBRTC") != "WEBRTC":
            raise CallError(400, "Only WEBRTC calls are supported by this node")
        offer = body.get("sdp")
        if not isinstance(offer, str) or not offer.strip().startswith("v=0"):
            raise CallError(400, "Failed to parse SDP offer")
        if body.get("present") in ("send", "receive"):
            raise CallError(400, "Presentation calls are not supported by this node")
        self.close_call(p, notify_self=False)
        if p.direct:
            return await self._create_direct(p, offer)
        call = TranscodedCall(self, p)
        p.call = call
        try:
            answer = await call.answer(offer)
        except Exception as exc:
            p.call = None
            await call.close()
            log.info("call for %s refused: %s", p.uuid[:8], type(exc).__name__)
            raise CallError(400, "Failed to parse SDP offer") from exc
        p.room.participant_changed(p)
        return {"call_uuid": call.uuid, "sdp": answer, "offer_ignored": False}

    def find_call(self, p: Participant, call_uuid: str) -> TranscodedCall | DirectCall | None:
        call = p.call
        return call if call is not None and call.uuid == call_uuid else None

    def close_call(
        self, p: Participant, *, notify_self: bool = False, reason: str = "Call disconnected"
    ) -> None:
        call = p.call
        if call is None:
            return
        p.call = None
        if notify_self:
            p.send("call_disconnected", {"call_uuid": call.uuid, "reason": reason})
        if isinstance(call, DirectCall) and call.peer is not None:
            peer = call.peer
            call.peer = None
            peer.peer = None
            if peer.state != "closed":
                peer.participant.send("peer_disconnect", None)
                peer.state = "closed"
                if peer.participant.call is peer:
                    peer.participant.call = None
                    self._splash(peer.participant, waiting=True)
        p.room.spawn(call.close())
        if not p.gone:
            p.room.participant_changed(p)

    async def close_all(self) -> None:
        for room in self.node.rooms.values():
            for p in list(room.participants.values()):
                call = p.call
                p.call = None
                if call is not None:
                    with contextlib.suppress(Exception):
                        await call.close()

    def kill_calls(self, room_alias: str | None) -> None:
        for room in self.node.rooms.values():
            if room_alias in (None, room.alias):
                for p in list(room.participants.values()):
                    self.close_call(p, notify_self=True)

    # ------------------------------------------------------------ direct media
    def _pairable(self, a: Participant, b: Participant) -> bool:
        return (
            a is not b
            and a.service_type in ("conference", "test_call")
            and b.service_type in ("conference", "test_call")
        )

    def _splash(self, p: Participant, *, waiting: bool) -> None:
        if waiting:
            p.send(
                "splash_screen",
                {"screen_key": "direct_media_waiting_for_host", "display_duration": 0},
            )
        else:
            p.send("splash_screen", None)

    async def _relay_offer(self, peer: DirectCall, event: str, sdp: str) -> str:
        """Send ``sdp`` to ``peer`` as SSE ``event``; its ``ack`` answer, or ``"offer_ignored"``
        when it rejects the offer or does not answer in time."""
        peer.pending_answer = asyncio.get_running_loop().create_future()
        peer.participant.send(event, {"sdp": sdp})
        try:
            return await asyncio.wait_for(peer.pending_answer, RELAY_ANSWER_TIMEOUT_S)
        except TimeoutError:
            return "offer_ignored"
        finally:
            peer.pending_answer = None

    async def _create_direct(self, p: Participant, offer: str) -> dict[str, Any]:
        call = DirectCall(self, p, offer)
        p.call = call
        p.room.participant_changed(p)
        peer = next(
            (
                q.call
                for q in p.room.participants.values()
                if isinstance(q.call, DirectCall)
                and q.call.state == "waiting"
                and self._pairable(p, q)
            ),
            None,
        )
        if peer is None:
            self._splash(p, waiting=True)
            return {"call_uuid": call.uuid, "sdp": "", "offer_ignored": True}
        call.state = "relaying"
        peer.state = "relaying"
        answer = await self._relay_offer(peer, "new_offer", offer)
        if answer == "offer_ignored" or call.state == "closed" or peer.state == "closed":
            if call.state != "closed":
                call.state = "waiting"
            if peer.state != "closed":
                peer.state = "waiting"
            return {"call_uuid": call.uuid, "sdp": "", "offer_ignored": True}
        call.state = peer.state = "paired"
        call.peer, peer.peer = peer, call
        self._splash(p, waiting=False)
        self._splash(peer.participant, waiting=False)
        log.info("room %s: direct media paired", p.room.alias)
        return {"call_uuid": call.uuid, "sdp": answer, "offer_ignored": False}

    async def update(
        self, p: Participant, call: TranscodedCall | DirectCall, body: dict[str, Any]
    ) -> Any:
        sdp = body.get("sdp")
        if not isinstance(sdp, str) or not sdp.startswith("v=0"):
            raise CallError(400, "Failed to parse SDP offer")
        if isinstance(call, TranscodedCall):
            # aiortc cannot renegotiate ICE; a real node would. Ask the client to call again.
            raise CallError(500, "Renegotiation is not supported by this node; call again")
        peer = call.peer
        if peer is None or peer.state != "paired":
            return {"call_uuid": call.uuid, "sdp": "", "offer_ignored": True}
        answer = await self._relay_offer(peer, "update_sdp", sdp)
        if answer == "offer_ignored":
            return {"call_uuid": call.uuid, "sdp": "", "offer_ignored": True}
        return {"call_uuid": call.uuid, "sdp": answer, "offer_ignored": False}

    def on_admitted(self, p: Participant) -> None:
        """A guest left the waiting room: pair waiting direct-media calls (see module doc)."""
        if not isinstance(p.call, DirectCall) or p.call.state != "waiting":
            return
        for q in p.room.participants.values():
            if (
                isinstance(q.call, DirectCall)
                and q.call.state == "waiting"
                and self._pairable(p, q)
            ):
                # The guest's earlier offer was ignored; make it offer again now that a peer is
                # there. The SDK restarts its call on peer_disconnect.
                call = p.call
                p.call = None
                call.state = "closed"
                p.send("peer_disconnect", None)
                return
