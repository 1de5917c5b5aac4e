"""The real services behind the journey: the appointment store, the pre-flight runner, the call.

Threading (aiortc-notes §3): nothing here blocks the GUI thread.

* Store and link parsing are pure/small file I/O and run inline.
* Media-engine work goes through the one Qt⇄asyncio bridge (``ui.bridge.CallBridge``): the
  equipment check and the preview pump are coroutines ``submit``-ted to the engine thread; the
  call's events arrive as the bridge's queued signals; pictures go through latest-frame
  mailboxes (``bridge.FrameMailbox``) that the views poll at display rate.
* Joining the conference is blocking HTTP, so it runs on a worker thread.  The conference's
  events reach the call through ``call.routing.EventRouter`` (the same routing as the headless
  join, with its bounded buffer for events that come before the call exists); chat and the
  check's progress/questions come back to the GUI through ``CallBridge.post`` (a queued signal).

Media: :class:`~videotime_client.ui.devices.MediaChoice` — Qt Multimedia devices in the app,
the synthetic picture and tone in the demo and the tour.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
import threading
from collections.abc import Callable
from typing import Any

from videotime_client.errors import VideotimeError
from videotime_client.paths import AppPaths
from videotime_client.texts import LANGUAGES, Text
from videotime_client.ui.devices import MediaChoice
from videotime_client.ui.models import (
    AppointmentView,
    CallModel,
    EncryptionInfo,
    EquipmentModel,
    JoinOptionsModel,
    utc_now,
)

log = logging.getLogger(__name__)

# Appointments older than this are no longer "upcoming" on the home screen.
PAST_GRACE_S = 3 * 3600
LEVEL_INTERVAL_S = 0.1


class _TeeFrames:
    """A pre-flight FrameSource that also shows every frame it reads in the self-view."""

    def __init__(self, inner: Any, show: Callable[[Any], object]) -> None:
        self.inner = inner
        self.show = show

    async def open(self) -> None:
        await self.inner.open()

    async def read(self) -> Any:
        frame = await self.inner.read()
        if frame is not None:
            self.show(frame)
        return frame

    async def close(self) -> None:
        await self.inner.close()


def _put(mailbox: Any, frame: Any) -> None:
    """Media thread → the consultation's latest-frame mailbox (the view polls it)."""
    mailbox.put(frame)


def _finish_check(model: EquipmentModel, verdict: str, summary: Text | None, report: Any) -> None:
    model.set_running(False)
    model.set_overall(verdict, summary, report)


class AppServices:
    """See the module docstring. One instance per app; ``shutdown()`` at exit."""

    def __init__(
        self,
        paths: AppPaths,
        *,
        dev: bool = False,
        synthetic: bool = False,
        play_audio: bool = True,
        ca_file: str | None = None,
        host_addresses: list[str] | None = None,
    ) -> None:
        from videotime_client.appointments import AppointmentStore
        from videotime_client.invitation import load_trusted_nodes
        from videotime_client.secrets import PinVault

        self.paths = paths
        self.dev = dev
        self.media = MediaChoice(synthetic)
        self.play_audio = play_audio
        self.ca_file = ca_file
        self.host_addresses = host_addresses
        self.store = AppointmentStore(paths, PinVault())
        self.trusted = load_trusted_nodes(paths.config)
        self._engine: Any = None
        self._bridge: Any = None
        self._invitations: dict[str, Any] = {}
        self._last_had_pin = False
        self._answers: dict[str, concurrent.futures.Future[bool | None]] = {}
        self._check_task: concurrent.futures.Future[Any] | None = None
        self._preview_task: concurrent.futures.Future[Any] | None = None
        self._call: Any = None
        self._call_model: CallModel | None = None
        self._tracks: list[Any] = []
        self._player: Any = None
        self._conference: Any = None
        self._call_thread: threading.Thread | None = None
        self._leaving = threading.Event()

    # ------------------------------------------------------------------ engine and bridge
    @property
    def engine(self) -> Any:
        if self._engine is None:
            from videotime_client.call.engine import MediaEngine

            self._engine = MediaEngine()
        return self._engine

    @property
    def bridge(self) -> Any:
        """The one Qt⇄asyncio bridge (created on the GUI thread on first use)."""
        if self._bridge is None:
            from videotime_client.ui.bridge import CallBridge

            self._bridge = CallBridge(self.engine)
            self._bridge.stateChanged.connect(self._on_state)
            self._bridge.qualityChanged.connect(self._on_quality)
            self._bridge.encryptionChanged.connect(self._on_encryption)
        return self._bridge

    # ------------------------------------------------------------------ appointments
    def list_appointments(self) -> list[AppointmentView]:
        now = utc_now()
        out = []
        for appt in self.store.list():
            if appt.start is not None and (now - appt.start).total_seconds() > PAST_GRACE_S:
                continue
            out.append(AppointmentView.from_core(appt))
        return out

    def open_link(self, text: str) -> AppointmentView:
        from videotime_client.appointments import StoreError, appointment_id
        from videotime_client.invitation import parse_invitation

        invitation = parse_invitation(text, trusted_nodes=self.trusted, dev=self.dev)
        ident = appointment_id(invitation.node, invitation.alias)
        try:
            saved: Any = self.store.save_from_invitation(invitation)
        except StoreError:
            # The link still works for this session even if it cannot be saved.
            log.warning("appointment could not be saved; using the link for this session")
            saved = invitation
        view = AppointmentView.from_core(saved)
        self._invitations[ident] = invitation
        self._last_had_pin = invitation.pin is not None
        return AppointmentView(
            ident, view.start, view.department, view.phone, view.display_name, saved
        )

    def take_notice(self) -> Text | None:
        """The keyring's "PIN not saved" sentence, the first time a link with a PIN needed it
        (a link without a PIN has nothing to save, so nothing to say)."""
        if not self._last_had_pin:
            return None
        notice: Text | None = self.store.secrets.take_notice()
        return notice

    def _invitation(self, appointment: AppointmentView) -> Any:
        inv = self._invitations.get(appointment.id)
        if inv is not None:
            return inv
        source = appointment.source
        if hasattr(source, "to_invitation"):
            return source.to_invitation(self.store.pin_for(appointment.id))
        return source

    def _host_addresses(self, invitation: Any) -> list[str] | None:
        """A dev node on loopback gets its ICE candidates on loopback too (aioice skips lo)."""
        from urllib.parse import urlsplit

        from videotime_client.pexip.api import is_loopback_host

        if self.host_addresses is not None:
            return self.host_addresses
        return ["127.0.0.1"] if is_loopback_host(urlsplit(invitation.node_base).hostname) else None

    # ------------------------------------------------------------------ preview
    def start_preview(self, options: JoinOptionsModel) -> None:
        options.set_devices(*self.media.devices())
        self.stop_preview()
        source = self.media.frame_source(options.camera)
        if source is None:
            return

        async def pump() -> None:
            try:
                await source.open()
            except Exception as exc:  # no camera, busy, denied: the pickers say the rest
                log.info("no camera preview: %s", type(exc).__name__)
                return
            try:
                while True:
                    frame = await source.read()
                    if frame is None:
                        break
                    options.self_view.put(frame)
            finally:
                await source.close()

        self._preview_task = self.bridge.submit(pump())

    def stop_preview(self) -> None:
        if self._preview_task is not None:
            self._preview_task.cancel()
            self._preview_task = None

    # ------------------------------------------------------------------ equipment check
    def start_check(self, appointment: AppointmentView, model: EquipmentModel, lang: str) -> None:
        from videotime_client.preflight import CheckContext, Runner
        from videotime_client.preflight.checks.network import NetworkTarget
        from videotime_client.preflight.report import chat_summary

        self.stop_check()
        invitation = self._invitation(appointment)
        bridge = self.bridge  # created here, on the GUI thread, before anything posts to it
        last_level = [0.0]

        async def ask(code: str, question: Text) -> bool | None:
            future: concurrent.futures.Future[bool | None] = concurrent.futures.Future()
            self._answers[code] = future
            bridge.post(lambda: model.ask(code, question))
            return await asyncio.wrap_future(future)

        def meter(kind: str, level: float) -> None:
            now = asyncio.get_running_loop().time()
            if kind == "microphone" and now - last_level[0] >= LEVEL_INTERVAL_S:
                last_level[0] = now
                bridge.post(lambda: model.set_level(level))

        source = self.media.frame_source()
        camera = (lambda: _TeeFrames(source, model.self_view.put)) if source else None
        hosts = self._host_addresses(invitation)
        ctx = CheckContext(
            lang=lang,
            ask=ask,
            meter=meter,
            camera=camera,
            audio=self.media.check_audio(),
            network=NetworkTarget(
                invitation.node_base,
                ca_file=self.ca_file,
                host_addresses=tuple(hosts) if hosts else None,
            ),
            department_phone=invitation.phone,
        )

        def progress(event: Any) -> None:  # media thread
            r = event.result
            if event.phase == "finished" and r is not None:
                bridge.post(
                    lambda: model.set_result(
                        r.name, r.verdict.value, r.problems, r.advice, dict(r.measurements)
                    )
                )

        def finished(report: Any, error: BaseException | None) -> None:  # GUI thread
            if isinstance(error, (asyncio.CancelledError, concurrent.futures.CancelledError)):
                return
            if error is not None:
                log.error("the equipment check failed: %s", type(error).__name__)
                _finish_check(model, "not_run", None, None)
                return
            results = list(report.results)
            summary = Text(**{lang_: chat_summary(results, lang_) for lang_ in LANGUAGES})
            _finish_check(model, report.verdict.value, summary, report)

        model.set_running(True)
        self._check_task = bridge.submit(Runner(ctx, on_progress=progress).run(), finished)

    def answer_check(self, code: str, yes: bool) -> None:
        future = self._answers.pop(code, None)
        if future is not None and not future.done():
            future.set_result(yes)

    def stop_check(self) -> None:
        for future in self._answers.values():
            if not future.done():
                future.set_result(None)
        self._answers.clear()
        if self._check_task is not None:
            self._check_task.cancel()
            self._check_task = None

    # ------------------------------------------------------------------ the call: GUI side
    def start_call(
        self, appointment: AppointmentView, options: JoinOptionsModel, call: CallModel
    ) -> None:
        invitation = self._invitation(appointment)
        self._leaving.clear()
        self._call_model = call
        bridge = self.bridge
        # Qt devices are created and started here, on the GUI thread.
        video, audio = self.media.call_sources(
            self.engine, options.camera, options.microphone, call.self_view.put
        )
        self._tracks = [t for t in (video, audio) if t is not None]
        self._player = self.media.player(options.speaker) if self.play_audio else None
        call.set_state("connecting")
        self._call_thread = threading.Thread(
            target=self._run_call,
            args=(
                invitation,
                options.display_name.strip(),
                options.pin.strip(),
                options.start_muted,
                options.start_camera_off,
                video,
                audio,
                call,
                bridge,
            ),
            name="videotime-join",
            daemon=True,
        )
        self._call_thread.start()

    def _on_state(self, event: Any) -> None:
        call = self._call_model
        if call is None:
            return
        state = event.state.value
        if state in ("ended", "failed"):
            call.end(state, event.reason.value if event.reason else None, event.message)
            self._release_devices()
        else:
            call.set_state(state)

    def _on_quality(self, sample: Any) -> None:
        call = self._call_model
        if call is None:
            return
        level = sample.level
        if call.state in ("connecting", "waiting_for_host"):
            from videotime_client.call.stats import classify

            # Nobody sends video before the clinician is in: judge the network alone (loss,
            # round trip), or every waiting patient would read "weak connection".
            level = classify(sample.loss_pct, sample.rtt_ms, 30.0, 0)
        call.set_quality(str(level.value))

    def _on_encryption(self, info: Any) -> None:
        if self._call_model is not None:
            self._call_model.set_encryption(
                EncryptionInfo(
                    info.dtls_state,
                    info.cipher,
                    info.srtp_profile,
                    info.remote_fingerprint,
                    info.remote_fingerprint_verified,
                )
            )

    def _release_devices(self) -> None:
        for track in self._tracks:
            track.stop()
        self._tracks = []
        if self._player is not None:
            self._player.stop()
            self._player = None

    # ------------------------------------------------------------------ the call: worker thread
    def _run_call(
        self,
        invitation: Any,
        name: str,
        pin: str,
        muted: bool,
        camera_off: bool,
        video: Any,
        audio: Any,
        call: CallModel,
        bridge: Any,
    ) -> None:
        """Join the conference (blocking HTTP), then hand the media call to the engine."""
        from videotime_client.call.errors import EndReason, reason_text
        from videotime_client.call.ice import IcePlan
        from videotime_client.call.routing import EventRouter
        from videotime_client.call.session import CallOptions, CallSession
        from videotime_client.pexip.api import PexipApi
        from videotime_client.pexip.lobby import LobbyState
        from videotime_client.pexip.session import ChatMessage, ConferenceSession

        # The same routing as the headless join (cli/join.py): lobby → admission, media
        # signals → the call, removal → the end reason; bounded buffer until the call exists.
        router = EventRouter()
        me: list[str] = []  # our participant uuid, once the conference has granted a token

        def on_conference(event: Any) -> None:  # the conference's event thread
            if isinstance(event, ChatMessage):
                if not me or event.sender_uuid != me[0]:
                    text = event.payload
                    bridge.post(lambda: call.add_chat(text))
                return
            router.on_event(event)

        def fail(state: str, code: str | None, message: Text | None) -> None:
            def on_gui() -> None:
                call.end(state, code, message)
                self._release_devices()

            bridge.post(on_gui)

        api = PexipApi(invitation.node_base, invitation.alias)
        conference = ConferenceSession(api, on_conference)
        self._conference = conference
        try:
            grant = conference.join(
                name or "Pasient",
                pin or invitation.pin,
                direct_media=True,
                call_tag=invitation.call_tag,
            )
            me.append(grant.participant_uuid)
            if self._leaving.is_set():
                fail("ended", "left", None)
                return
            player = self._player
            session = CallSession(
                self.engine,
                conference,
                video_source=video,
                audio_source=audio,
                options=CallOptions(
                    ice=IcePlan.from_grant(
                        grant.ice_servers, relay_only=grant.use_relay_candidates_only
                    ),
                    host_addresses=self._host_addresses(invitation),
                    department_phone=invitation.phone,
                ),
                direct_media=grant.direct_media,
                on_event=bridge.on_call_event,
                video_sink=functools.partial(_put, call.remote_video),
                audio_sink=player.push if player is not None else None,
            )
            session.set_microphone_muted(muted)
            session.set_camera_enabled(not camera_off)
            session.set_admitted(conference.lobby_state is LobbyState.ADMITTED)
            self._call = session
            router.attach(session)  # replays what came before, in order
            session.start()
            session.wait()
        except VideotimeError as exc:
            log.info("joining failed: %s", exc.code)
            fail("failed", exc.code, exc.message)
        except Exception:
            log.exception("joining failed unexpectedly")
            fail("failed", "internal", reason_text(EndReason.INTERNAL, invitation.phone))
        finally:
            conference.leave()
            self._call = None
            self._conference = None

    # ------------------------------------------------------------------ in the call
    def send_chat(self, text: str) -> None:
        conference = self._conference
        if conference is None:
            return

        def send() -> None:
            try:
                conference.send_message(text)
            except VideotimeError as exc:
                log.warning("chat message not sent: %s", exc.code)

        threading.Thread(target=send, name="videotime-chat", daemon=True).start()

    def _tell_conference(self, what: str, fn_name: str, value: bool) -> None:
        """Let the clinician's side show the mute state too (blocking HTTP: a worker thread)."""
        conference = self._conference
        if conference is None:
            return

        def send() -> None:
            try:
                getattr(conference, fn_name)(value)
            except VideotimeError as exc:
                log.info("%s state not sent to the conference: %s", what, exc.code)

        threading.Thread(target=send, name=f"videotime-{what}", daemon=True).start()

    def set_muted(self, muted: bool) -> None:
        if self._call is not None:
            self._call.set_microphone_muted(muted)
        self._tell_conference("microphone", "set_audio_muted", muted)

    def set_camera(self, on: bool) -> None:
        if self._call is not None:
            self._call.set_camera_enabled(on)
        self._tell_conference("camera", "set_video_muted", not on)

    def leave(self) -> None:
        self._leaving.set()
        if self._call is not None:
            from videotime_client.call.errors import EndReason

            self._call.end(EndReason.LEFT)

    def shutdown(self) -> None:
        self.stop_check()
        self.stop_preview()
        self.leave()
        if self._call_thread is not None:
            self._call_thread.join(20)
        self._release_devices()
        if self._engine is not None:
            self._engine.close()
            self._engine = None
