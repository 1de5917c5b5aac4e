"""The simulated clinician: a host the node plays itself in a transcoded room.

Timeline (all configurable per room, docs/node.md): ``join_after_s`` after the first guest arrives
while no host is there, the clinician joins as host (the conference starts), admits each waiting
guest ``admit_after_s`` later, says hello in the chat, and sends a moving picture and a tone into
every admitted guest's transcoded call. With ``leave_after_s`` it leaves again and, with
``return_after_s``, comes back. When the last guest has gone it leaves too, so the next guest
sees the whole journey again. Tests and support can also make it join or leave now
(``/_admin/rooms/<alias>/clinician``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from videotime_client.media.synthetic import SyntheticVideoTrack, ToneAudioTrack
from videotime_node.config import ClinicianConfig
from videotime_node.media import AudioSource, VideoSource

if TYPE_CHECKING:
    from videotime_node.conference import Participant, Room

log = logging.getLogger(__name__)


class SimulatedClinician:
    def __init__(self, room: Room, config: ClinicianConfig) -> None:
        self.room = room
        self.config = config
        self.participant: Participant | None = None
        self.video: VideoSource | None = None
        self.audio: AudioSource | None = None
        self._join_task: asyncio.Task[None] | None = None
        self._life_task: asyncio.Task[None] | None = None
        self._admit_tasks: set[asyncio.Task[None]] = set()
        self.manual = False  # joined/left by an admin request: timers stand down

    @property
    def present(self) -> bool:
        return self.participant is not None and not self.participant.gone

    # ------------------------------------------------------------ triggers
    def guest_waiting(self) -> None:
        if self.present:
            self._schedule_admit()
        elif not self.manual and self._join_task is None and not self.room.hosts():
            self._join_task = asyncio.ensure_future(self._join_later(self.config.join_after_s))

    def guest_left(self) -> None:
        if self.present and not self.room.guests():
            asyncio.get_running_loop().call_later(1.0, self._leave_if_alone)

    def _leave_if_alone(self) -> None:
        if self.present and not self.room.guests():
            self.leave()
            self.manual = False

    # ------------------------------------------------------------ actions
    async def _join_later(self, delay: float) -> None:
        try:
            await asyncio.sleep(delay)
            if self.room.guests() and not self.present:
                self.join()
        finally:
            self._join_task = None

    def join(self) -> None:
        from videotime_node.conference import Participant

        if self.present:
            return
        p = Participant(
            room=self.room,
            display_name=self.config.display_name,
            role="HOST",
            service_type="conference",
            simulated=True,
            vendor="Videotime simulated clinician",
        )
        p.token_expires_at = float("inf")
        self.participant = p
        self.video = VideoSource(SyntheticVideoTrack(label="clinician"), "clinician")
        self.audio = AudioSource(ToneAudioTrack(frequency=440.0), "clinician-audio")
        self.room.join(p)
        self._schedule_admit()
        if self.config.greeting:
            self.room.spawn(self._greet())
        if self.config.leave_after_s is not None and not self.manual:
            self._life_task = asyncio.ensure_future(self._leave_later())

    def leave(self) -> None:
        if self._life_task is not None:
            self._life_task.cancel()
            self._life_task = None
        for task in self._admit_tasks:
            task.cancel()
        p = self.participant
        self.participant = None
        for source in (self.video, self.audio):
            if source is not None:
                source.stop()
        self.video = self.audio = None
        if p is not None:
            self.room.remove(p, None, notify=False)

    def stop(self) -> None:
        for task in (self._join_task, self._life_task, *self._admit_tasks):
            if task is not None:
                task.cancel()
        for source in (self.video, self.audio):
            if source is not None:
                source.stop()

    async def _leave_later(self) -> None:
        assert self.config.leave_after_s is not None
        await asyncio.sleep(self.config.leave_after_s)
        self._life_task = None
        self.leave()
        if self.config.return_after_s is not None:
            await asyncio.sleep(self.config.return_after_s)
            if self.room.guests() and not self.present:
                self.join()

    def _schedule_admit(self) -> None:
        if not self.config.admit:
            return
        task = asyncio.ensure_future(self._admit_later())
        self._admit_tasks.add(task)
        task.add_done_callback(self._admit_tasks.discard)

    async def _admit_later(self) -> None:
        await asyncio.sleep(self.config.admit_after_s)
        if self.present:
            for guest in self.room.guests():
                self.room.admit(guest)

    async def _greet(self) -> None:
        # Say hello once the first guest is in, as a clinician would.
        with contextlib.suppress(asyncio.CancelledError):
            for _ in range(200):
                if not self.present:
                    return
                # Greet once a guest is in and listening (its event stream is open).
                if any(g.service_type == "conference" and g.streams for g in self.room.guests()):
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(0.3)
            p = self.participant
            if p is not None and self.config.greeting:
                self.room.post_message(p, "text/plain", self.config.greeting)
