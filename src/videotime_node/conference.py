"""The node's model of rooms, participants, tokens and event streams (no HTTP here).

One :class:`Node` holds every :class:`Room`; a room holds its :class:`Participant` objects. All of
it lives on the node's asyncio loop, so there is no locking. Timeouts (token expiry, waiting-room
host timeout, guests-only timeout) are checked by one reaper task against :meth:`Node.now`, a
monotonic clock that tests can move forward (``/_admin/clock``) to simulate minutes in a second.

Privacy: nothing here logs tokens, PINs, display names or SDP; log lines name participants by a
short uuid prefix only.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import secrets
import time
import uuid as uuidlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from videotime_node.config import NodeConfig, RoomConfig

if TYPE_CHECKING:
    from videotime_node.calls import DirectCall, TranscodedCall
    from videotime_node.clinician_sim import SimulatedClinician
    from videotime_node.faults import Faults
    from videotime_node.media import AudioSource, VideoSource

log = logging.getLogger(__name__)

REASON_TOKEN_EXPIRED = "Timer expired awaiting token refresh"  # noqa: S105 (not a secret)
REASON_HOST_TIMEOUT = (
    "Timeout waiting for conference host to join or permit access to locked conference"
)
REASON_HOSTS_DEPARTED = "All conference hosts departed hosted conference"
REASON_DISCONNECTED_BY_HOST = "Disconnected by another participant"
REASON_CONFERENCE_TERMINATED = "Conference terminated by another participant"

SSE_QUEUE_LIMIT = 512


def short(uuid: str) -> str:
    """A log-safe participant reference."""
    return uuid[:8]


class EventStream:
    """One open SSE connection of a participant: a bounded queue of (event, data) pairs."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[str, Any] | None] = asyncio.Queue(SSE_QUEUE_LIMIT)
        self.closed = False

    def put(self, event: str, data: Any) -> None:
        if self.closed:
            return
        try:
            self.queue.put_nowait((event, data))
        except asyncio.QueueFull:
            # A reader this far behind is dead; closing makes the client reconnect and resync.
            self.close()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            with contextlib.suppress(asyncio.QueueFull):
                self.queue.put_nowait(None)


@dataclass
class Participant:
    # repr=False: a stray "%r" must not put a name or a token in the log (and room, streams
    # and call would make the repr huge).
    room: Room = field(repr=False)
    display_name: str = field(repr=False)
    role: str  # "HOST" | "GUEST" (token role); the roster says "chair" | "guest"
    service_type: str
    uuid: str = field(default_factory=lambda: str(uuidlib.uuid4()))
    call_tag: str = ""
    vendor: str = ""
    wants_direct_media: bool = False
    simulated: bool = False
    token: str = field(default="", repr=False)
    token_expires_at: float = 0.0
    start_time: float = field(default_factory=time.time)
    waiting_since: float = 0.0
    is_client_muted: bool = False
    is_video_muted: bool = False
    is_muted: bool = False
    streams: list[EventStream] = field(default_factory=list, repr=False)
    call: TranscodedCall | DirectCall | None = field(default=None, repr=False)
    rx_video: VideoSource | None = None
    rx_audio: AudioSource | None = None
    gone: bool = False

    @property
    def is_host(self) -> bool:
        return self.role == "HOST"

    @property
    def direct(self) -> bool:
        return self.wants_direct_media and self.room.config.media == "direct"

    def send(self, event: str, data: Any) -> None:
        for stream in list(self.streams):
            stream.put(event, data)

    def close_streams(self) -> None:
        for stream in self.streams:
            stream.close()
        self.streams.clear()

    def to_json(self) -> dict[str, Any]:
        has_media = self.simulated or self.call is not None
        return {
            "uuid": self.uuid,
            "display_name": self.display_name,
            "overlay_text": self.display_name,
            "role": "chair" if self.is_host else "guest",
            "service_type": self.service_type,
            "call_direction": "in",
            "protocol": "webrtc" if has_media else "api",
            "has_media": has_media,
            "is_muted": "YES" if self.is_muted else "NO",
            "is_client_muted": self.is_client_muted,
            "is_video_muted": self.is_video_muted,
            "is_presenting": "NO",
            "is_audio_only_call": "NO",
            "is_video_call": "YES",
            "is_video_silent": False,
            "mute_supported": "YES",
            "disconnect_supported": "YES",
            "transfer_supported": "YES",
            "fecc_supported": "NO",
            "presentation_supported": "NO",
            "rx_presentation_policy": "ALLOW",
            "buzz_time": 0,
            "spotlight": 0,
            "start_time": round(self.start_time, 3),
            "local_alias": self.room.config.alias,
            "uri": "",
            "vendor": self.vendor,
            "call_tag": self.call_tag,
            "external_node_uuid": "",
            "encryption": "On",
            "is_external": False,
            "is_streaming_conference": False,
            "is_conjoined": False,
            "is_idp_authenticated": False,
            "is_transferring": False,
            "is_main_video_dropped_out": False,
            "needs_presentation_in_mix": False,
            "supports_direct_chat": False,
            "can_receive_personal_mix": False,
            "receive_from_video_mix": {"mix_name": "main", "timestamp": 0},
        }


class Room:
    def __init__(self, node: Node, config: RoomConfig) -> None:
        self.node = node
        self.config = config
        self.participants: dict[str, Participant] = {}
        self.locked = config.locked
        self.started = config.service_type == "test_call"
        self.guests_muted = False
        self.messages: list[dict[str, Any]] = []
        self.guests_only_deadline: float | None = None
        self.pin_failures: dict[str, int] = {}
        self.clinician: SimulatedClinician | None = None
        self.tasks: set[asyncio.Task[Any]] = set()

    # ------------------------------------------------------------ views
    @property
    def alias(self) -> str:
        return self.config.alias

    @property
    def is_test_call(self) -> bool:
        return self.config.service_type == "test_call"

    def hosts(self) -> list[Participant]:
        return [p for p in self.participants.values() if p.is_host]

    def guests(self) -> list[Participant]:
        return [p for p in self.participants.values() if not p.is_host]

    def status_json(self) -> dict[str, Any]:
        return {
            "locked": self.locked,
            "guests_muted": self.guests_muted,
            "started": self.started,
            "all_muted": False,
            "presentation_allowed": False,
            "direct_media": self.config.media == "direct",
            "live_captions_available": False,
            "guests_can_unmute": True,
            "guests_can_present": False,
            "breakout_rooms": False,
        }

    def admin_json(self) -> dict[str, Any]:
        return {
            "alias": self.alias,
            "locked": self.locked,
            "started": self.started,
            "service_type": self.config.service_type,
            "media": self.config.media,
            "participants": [
                {
                    **p.to_json(),
                    "simulated": p.simulated,
                    "call_type": None if p.call is None else p.call.kind,
                    "call_state": None if p.call is None else p.call.state,
                    "rx_video_frames": p.rx_video.frames if p.rx_video else 0,
                    "rx_audio_frames": p.rx_audio.frames if p.rx_audio else 0,
                    "tx_video_frames": getattr(p.call, "video_frames_sent", 0),
                    "tx_video_source": getattr(p.call, "video_source", ""),
                }
                for p in self.participants.values()
            ],
            "messages": list(self.messages),
        }

    # ------------------------------------------------------------ events
    def broadcast(self, event: str, data: Any, *, exclude: Participant | None = None) -> None:
        for p in list(self.participants.values()):
            if p is not exclude:
                p.send(event, data)

    def participant_changed(self, p: Participant) -> None:
        self.broadcast("participant_update", p.to_json())

    def conference_changed(self) -> None:
        self.broadcast("conference_update", self.status_json())

    def spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # Background clean-up (closing a peer connection) failing must not go unnoticed,
            # but it is not the caller's error either.  The type only: an aiortc/SDP error's
            # text may quote the SDP (ICE credentials).
            log.info(
                "room %s: background task failed (%s)", self.alias, type(task.exception()).__name__
            )

    # ------------------------------------------------------------ membership
    def join(self, p: Participant) -> None:
        self.participants[p.uuid] = p
        log.info("room %s: %s joined as %s (%s)", self.alias, short(p.uuid), p.role, p.service_type)
        self.broadcast("participant_create", p.to_json())
        if p.is_host:
            self._host_arrived()
        elif p.service_type == "waiting_room":
            p.waiting_since = self.node.now()
            if self.clinician is not None:
                self.clinician.guest_waiting()

    def initial_service_type(self, role: str) -> str:
        if self.is_test_call:
            return "test_call"
        if role == "HOST":
            return "conference"
        if self.hosts() and not self.locked:
            return "conference"
        return "waiting_room"

    def _host_arrived(self) -> None:
        self.guests_only_deadline = None
        changed = not self.started
        self.started = True
        if changed:
            self.conference_changed()
        if not self.locked:
            for guest in self.guests():
                if guest.service_type == "waiting_room":
                    self.admit(guest)

    def admit(self, p: Participant) -> bool:
        if p.service_type != "waiting_room":
            return False
        p.service_type = "conference"
        log.info("room %s: %s admitted", self.alias, short(p.uuid))
        self.participant_changed(p)
        self.node.calls.on_admitted(p)
        return True

    def set_locked(self, locked: bool) -> None:
        self.locked = locked
        self.conference_changed()
        if not locked and self.hosts():
            for guest in self.guests():
                self.admit(guest)

    def start_conference(self) -> None:
        if not self.started:
            self.started = True
            self.conference_changed()
        for guest in self.guests():
            self.admit(guest)

    def remove(self, p: Participant, reason: str | None, *, notify: bool = True) -> None:
        """Take ``p`` out of the room; ``reason`` goes to its own stream as ``disconnect``."""
        if p.gone:
            return
        p.gone = True
        log.info("room %s: %s left (%s)", self.alias, short(p.uuid), reason or "released")
        if notify and reason:
            p.send("disconnect", {"reason": reason})
        self.node.calls.close_call(p, notify_self=False)
        self.node.drop_tokens(p)
        self.participants.pop(p.uuid, None)
        # Let the disconnect event flush before closing the stream.
        asyncio.get_running_loop().call_later(0.2, p.close_streams)
        self.broadcast("participant_delete", {"uuid": p.uuid})
        if p.is_host and not self.hosts():
            self._last_host_left()
        if not p.is_host and self.clinician is not None:
            self.clinician.guest_left()
        if not self.participants and not self.is_test_call:
            self.started = False
            self.locked = self.config.locked
            self.guests_only_deadline = None

    def post_message(self, sender: Participant, mtype: str, payload: str) -> None:
        message = {
            "origin": sender.display_name,
            "uuid": sender.uuid,
            "type": mtype,
            "payload": payload,
            "direct": False,
        }
        self.messages.append(message)
        del self.messages[:-200]  # bounded: the admin view needs the recent ones only
        self.broadcast("message_received", message, exclude=sender)

    def _last_host_left(self) -> None:
        in_conference = [g for g in self.guests() if g.service_type == "conference"]
        if in_conference:
            self.guests_only_deadline = self.node.now() + self.config.guests_only_timeout_s

    # ------------------------------------------------------------ timers
    def check_timers(self, now: float) -> None:
        for p in list(self.participants.values()):
            if p.simulated:
                continue
            if now >= p.token_expires_at:
                self.remove(p, REASON_TOKEN_EXPIRED)
            elif (
                p.service_type == "waiting_room"
                and now - p.waiting_since >= self.config.host_timeout_s
            ):
                self.remove(p, REASON_HOST_TIMEOUT)
        if self.guests_only_deadline is not None and now >= self.guests_only_deadline:
            self.guests_only_deadline = None
            if not self.hosts():
                for g in self.guests():
                    self.remove(g, REASON_HOSTS_DEPARTED)
                self.started = False
                self.conference_changed()

    def host_timeout_now(self) -> None:
        """Fault: end the lobby wait now (#pex126), as a real node does after its timeout."""
        for g in self.guests():
            if g.service_type == "waiting_room" or not self.hosts():
                self.remove(g, REASON_HOST_TIMEOUT)


@dataclass
class TokenEntry:
    participant: Participant
    current: bool = True
    valid_until: float = 0.0  # for refreshed-away tokens (grace period)


class Node:
    """Everything the node knows; created and driven on the node's event loop."""

    def __init__(self, config: NodeConfig) -> None:
        from videotime_node.calls import CallManager
        from videotime_node.clinician_sim import SimulatedClinician
        from videotime_node.faults import Faults

        self.config = config
        self.clock_offset = 0.0
        self.rooms: dict[str, Room] = {}
        for alias, room_config in config.rooms.items():
            room = Room(self, room_config)
            if room_config.clinician.enabled and room_config.service_type == "conference":
                room.clinician = SimulatedClinician(room, room_config.clinician)
            self.rooms[alias] = room
        self.tokens: dict[str, TokenEntry] = {}
        self.results: dict[str, Any] = {}
        self.faults: Faults = Faults(self)
        self.calls = CallManager(self)
        self.maintenance = config.maintenance
        self._reaper: asyncio.Task[None] | None = None
        self.closing = asyncio.Event()
        self._datachannel_ids = itertools.count(1000)

    def now(self) -> float:
        return time.monotonic() + self.clock_offset

    async def start(self) -> None:
        self._reaper = asyncio.ensure_future(self._reap())
        self.faults.load(self.config.faults)

    async def close(self) -> None:
        self.closing.set()
        if self._reaper:
            self._reaper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reaper
        self.faults.cancel_scheduled()
        for room in self.rooms.values():
            if room.clinician:
                room.clinician.stop()
            for task in list(room.tasks):
                task.cancel()
            for p in list(room.participants.values()):
                p.close_streams()
        await self.calls.close_all()

    async def _reap(self) -> None:
        while True:
            await asyncio.sleep(0.25)
            now = self.now()
            for room in self.rooms.values():
                try:
                    room.check_timers(now)
                except Exception:  # one broken room must not stop the others' timers
                    log.exception("timer check failed in room %s", room.alias)
            for token, entry in list(self.tokens.items()):
                if not entry.current and now > entry.valid_until:
                    del self.tokens[token]

    # ------------------------------------------------------------ tokens
    def issue_token(self, p: Participant) -> str:
        if p.token and p.token in self.tokens:
            old = self.tokens[p.token]
            old.current = False
            old.valid_until = self.now() + self.config.old_token_grace_s
        token = secrets.token_urlsafe(32)
        self.tokens[token] = TokenEntry(p)
        p.token = token
        p.token_expires_at = self.now() + self.config.token_expires_s
        return token

    def participant_for(self, token: str | None, alias: str) -> Participant | None:
        if not token:
            return None
        entry = self.tokens.get(token)
        if entry is None or entry.participant.gone:
            return None
        p = entry.participant
        if p.room.alias != alias:
            return None
        if not entry.current and self.now() > entry.valid_until:
            return None
        if self.now() >= p.token_expires_at:
            return None
        return p

    def drop_tokens(self, p: Participant) -> None:
        for token, entry in list(self.tokens.items()):
            if entry.participant is p:
                del self.tokens[token]

    def expire_tokens(self, room: Room | None) -> None:
        for r in [room] if room else list(self.rooms.values()):
            for p in r.participants.values():
                if not p.simulated:
                    p.token_expires_at = self.now()

    def next_datachannel_id(self) -> int:
        return next(self._datachannel_ids)


def sse_frame(event: str, data: Any, event_id: int) -> bytes:
    """One server-sent event as Pexip frames it (``data: null`` for empty events)."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"event: {event}\ndata: {payload}\nid: {event_id}\n\n".encode()
