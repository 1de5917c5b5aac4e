"""One media call, from offer to hang-up, with reconnection: the :class:`CallSession` state machine.

States (``CallState``)::

    idle → connecting → waiting_for_host ⇄ in_consultation → ended
                 ↘            ↘                 ↓              ↗
                   reconnecting ←──────────────┘ ──→ failed (with a reason)

Everything here runs on the media engine's thread (``engine.py``); the public methods are
thread-safe and only schedule work there.  Events (``CallEvent``) are delivered to ``on_event``
on the media thread: the Qt bridge turns them into queued signals, the CLI just records them.

Signalling is injected (:class:`CallSignalling`, which :class:`~videotime_client.pexip.session.
ConferenceSession` satisfies): ``calls``, ``ack`` and ``disconnect_call`` are blocking requests
and run in a worker thread so that RTP never waits for HTTP.

Resilience (aiortc has no ICE restart, aiortc-notes §1.4):

* ICE that does not connect within ``ice_timeout_s`` → the next ICE attempt (the node's TURN
  servers in the order UDP → TCP → TLS, ``ice.py``);
* a dead path: no RTP packet *and* no decoded frame for ``dead_path_s`` (6 s) while connected
  (aiortc's consent check needs ~32 s), ICE ``failed``/``closed``, the node's
  ``call_disconnected`` for our call, or a change of the machine's addresses → state
  ``reconnecting``: disconnect the call, close the peer connection and POST ``calls`` again with
  the same token;
* reconnect attempts are spaced 0.5 → 4 s apart and bounded by ``reconnect_budget_s``; after
  that the call fails with reason ``network`` and the department's phone number.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any, Protocol, cast

import ifaddr
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.sdp import candidate_from_sdp

from videotime_client.call import encoding, encryption
from videotime_client.call.adaptation import AdaptationPolicy, VideoLevel
from videotime_client.call.encryption import NOT_CONNECTED, EncryptionInfo
from videotime_client.call.engine import MediaEngine
from videotime_client.call.errors import EndReason, reason_text
from videotime_client.call.ice import (
    IceAttempt,
    IcePlan,
    host_addresses,
    strip_non_relay_candidates,
)
from videotime_client.call.stats import QualityMonitor, QualitySample, RtpTotals, totals_from_report
from videotime_client.call.tracks import (
    LocalAudioTrack,
    LocalVideoTrack,
    RemoteAudioReceiver,
    RemoteVideoReceiver,
)
from videotime_client.texts import Text

log = logging.getLogger(__name__)


class CallState(StrEnum):
    IDLE = "idle"
    CONNECTING = "connecting"
    WAITING_FOR_HOST = "waiting_for_host"
    IN_CONSULTATION = "in_consultation"
    RECONNECTING = "reconnecting"
    ENDED = "ended"
    FAILED = "failed"


FINAL_STATES = frozenset({CallState.ENDED, CallState.FAILED})


# ---------------------------------------------------------------- events
@dataclass(frozen=True, slots=True)
class StateChanged:
    state: CallState
    previous: CallState
    reason: EndReason | None = None
    message: Text | None = None  # patient sentence for ended/failed


@dataclass(frozen=True, slots=True)
class FirstRemoteFrame:
    ms_since_start: float


@dataclass(frozen=True, slots=True)
class QualityChanged:
    sample: QualitySample


@dataclass(frozen=True, slots=True)
class EncryptionChanged:
    info: EncryptionInfo


@dataclass(frozen=True, slots=True)
class VideoLevelChanged:
    level: VideoLevel


CallEvent = StateChanged | FirstRemoteFrame | QualityChanged | EncryptionChanged | VideoLevelChanged


# ---------------------------------------------------------------- injected parts
class CallAnswerLike(Protocol):
    @property
    def call_uuid(self) -> str: ...
    @property
    def sdp(self) -> str: ...
    @property
    def offer_ignored(self) -> bool: ...
    @property
    def extra_ice_servers(self) -> Any: ...


class CallSignalling(Protocol):
    """What the call needs from the conference (``ConferenceSession`` fits)."""

    def calls(self, sdp: str) -> CallAnswerLike: ...
    def ack(
        self, call_uuid: str, *, sdp: str | None = None, offer_ignored: bool = False
    ) -> None: ...
    def disconnect_call(self, call_uuid: str) -> None: ...


class PlaybackDevice(Protocol):
    """A loudspeaker the session can tell the echo canceller about (``QtAudioPlayer`` fits).

    ``push`` takes decoded remote frames (any thread); ``on_played`` is set by the session and
    called by the device with int16 interleaved samples (``channels`` at ``sample_rate``) as
    they are handed to the output device."""

    on_played: Callable[[Any], None] | None
    sample_rate: int
    channels: int

    def push(self, frame: Any) -> None: ...


class Auto(Enum):
    AUTO = "auto"


AUTO = Auto.AUTO


def _playback_device(sink: Any) -> PlaybackDevice | None:
    """The player behind ``audio_sink``: the object itself, or the owner of a bound ``push``."""
    if sink is None:
        return None
    owner = getattr(sink, "__self__", None) if callable(sink) else sink
    if owner is None or not hasattr(owner, "on_played"):
        return None
    if sink is owner or sink == getattr(owner, "push", None):
        return cast(PlaybackDevice, owner)
    return None


def _default_audio_processor(source: Any) -> Any | None:
    """Echo cancellation, noise suppression and gain control for a real microphone only:
    synthetic tones and files are not microphones and must reach the far end unaltered."""
    if source is None or getattr(source, "is_microphone", False) is not True:
        return None
    from videotime_client.call.audio_processing import AudioProcessor

    return AudioProcessor()


@dataclass
class CallOptions:
    ice: IcePlan = field(default_factory=IcePlan)
    host_addresses: list[str] | None = None  # gather only here (tests, demo); None: all
    ice_timeout_s: float = 10.0
    dead_path_s: float = 6.0
    reconnect_budget_s: float = 60.0
    department_phone: str | None = None
    measure_latency: bool = False  # read synthetic stamps in received frames
    stats_interval_s: float = 1.0
    # None: watch the machine's addresses only when gathering on all of them (not in tests and
    # the loopback demo, where other processes' namespaces would look like network changes).
    watch_network_changes: bool | None = None
    # time.monotonic() the patient started joining (setup_ms and first_remote_frame_ms count
    # from here); None: when the media call starts.
    started_at: float | None = None


@dataclass
class CallMetrics:
    """What the JSON report and the UI's details view show (read from any thread)."""

    started_at: float = 0.0  # monotonic
    setup_ms: float | None = None
    first_remote_frame_ms: float | None = None
    first_remote_frame_wall: float | None = None  # time.time() of the first decoded frame
    waited_for_host_ms: float = 0.0
    in_consultation_s: float = 0.0
    video_rx_frames_in_consultation: int = 0
    video_tx_frames_in_consultation: int = 0
    audio_rx_packets: int = 0
    video_rx_packets: int = 0
    audio_tx_packets: int = 0
    rtt_ms: float | None = None
    loss_pct: float = 0.0
    reconnects: int = 0
    freezes: int = 0
    ice_attempt: str | None = None
    encryption: EncryptionInfo = NOT_CONNECTED
    quality: QualitySample | None = None
    # Bounded: a long call with latency measurement must not grow memory per frame.
    latencies_ms: collections.deque[float] = field(
        default_factory=lambda: collections.deque(maxlen=20_000)
    )
    media_mode: str = "transcoded"


class _Relay(MediaStreamTrack):
    """A per-peer-connection front for a long-lived local track.

    aiortc's sender stops its track when the peer connection closes; the camera must survive a
    reconnect, so each connection gets a relay and only the relay is stopped.
    """

    def __init__(self, inner: MediaStreamTrack) -> None:
        super().__init__()
        self.kind = inner.kind
        self._inner = inner

    async def recv(self) -> Any:
        if self.readyState != "live":
            raise MediaStreamError
        return await self._inner.recv()


class _Outcome(StrEnum):
    CONNECTED = "connected"
    FAILED = "failed"
    END = "end"
    DEAD = "dead"
    PEER_GONE = "peer_gone"


class CallSession:
    """One media call; see the module docstring.  Create, ``start()``, ``hang_up()``."""

    def __init__(
        self,
        engine: MediaEngine,
        signalling: CallSignalling,
        *,
        video_source: MediaStreamTrack | None,
        audio_source: MediaStreamTrack | None,
        options: CallOptions | None = None,
        direct_media: bool = False,
        on_event: Callable[[CallEvent], None] | None = None,
        video_sink: Callable[[Any], None] | None = None,
        audio_sink: Callable[[Any], None] | PlaybackDevice | None = None,
        audio_processor: Any = AUTO,
    ) -> None:
        """``audio_sink``: where remote sound goes, a callable (e.g. ``QtAudioPlayer.push``) or
        a :class:`PlaybackDevice`.  ``audio_processor``: echo cancellation etc. for the
        microphone; by default (``AUTO``) an ``AudioProcessor`` is made when ``audio_source`` is
        a real microphone (``is_microphone``) and nothing for synthetic or file sources; pass
        ``None`` to switch it off."""
        self.engine = engine
        self.signalling = signalling
        self.options = options or CallOptions()
        self.direct_media = direct_media
        self._on_event = on_event
        self.video_sink = video_sink
        self._player = _playback_device(audio_sink)
        self.audio_sink: Callable[[Any], None] | None = (
            self._player.push if self._player is not None else cast(Any, audio_sink)
        )
        if audio_processor is AUTO:
            audio_processor = _default_audio_processor(audio_source)
        self.policy = AdaptationPolicy()
        self.monitor = encoding.EncodeMonitor()
        self.local_video = (
            LocalVideoTrack(video_source, lambda: self.policy.level) if video_source else None
        )
        self.local_audio = LocalAudioTrack(audio_source, audio_processor) if audio_source else None
        self.audio_processor = audio_processor
        # The echo canceller must hear what the loudspeaker plays, as close to the loudspeaker
        # as we can get: a player that reports what it hands the device (``on_played``) feeds
        # it; otherwise the remote sound is fed as it is received (_on_remote_audio).
        self._render_from_player = False
        if audio_processor is not None and self._player is not None:
            self._player.on_played = self._on_played
            self._render_from_player = True
        self.state = CallState.IDLE
        self.end_reason: EndReason | None = None
        self.metrics = CallMetrics(media_mode="direct" if direct_media else "transcoded")
        self._admitted = False
        self._pc: RTCPeerConnection | None = None
        self._call_uuid: str | None = None
        self._video_rx: RemoteVideoReceiver | None = None
        self._audio_rx: RemoteAudioReceiver | None = None
        self._end_request: EndReason | None = None
        self._wake = asyncio.Event()  # bound to the engine loop on first use (3.10+)
        self._signals: asyncio.Queue[tuple[str, Any]] = asyncio.Queue(maxsize=64)
        self._task: concurrent.futures.Future[None] | None = None
        self._quality = QualityMonitor()
        self._rx_totals_base = RtpTotals()
        self._last_totals = RtpTotals()
        self._state_since = 0.0
        self._consult_marks: tuple[int, int] | None = None
        self._done = asyncio.Event()

    # ================================================================ thread-safe API
    def start(self) -> None:
        """Begin the call (returns at once; follow ``on_event``)."""
        if self._task is not None:
            raise RuntimeError("CallSession.start() called twice")
        self._task = self.engine.submit(self._main())

    def set_admitted(self, admitted: bool) -> None:
        """The lobby says whether the host has let us in (from ``LobbyChanged``)."""
        self.engine.call_soon(self._set_admitted, admitted)

    def media_signal(self, name: str, data: Any) -> None:
        """Hand over an SSE media event (``new_offer``, ``new_candidate``, ``peer_disconnect``,
        ``update_sdp``, ``call_disconnected``); bounded: the oldest is dropped when full."""
        self.engine.call_soon(self._push_signal, name, data)

    def end(self, reason: EndReason = EndReason.LEFT) -> None:
        """Ask the call to end (hang up, removed by the node, ...); returns at once."""
        self.engine.call_soon(self._request_end, reason)

    def hang_up(self, timeout: float = 15.0) -> None:
        """End the call and wait until it has fully closed (never from the media thread)."""
        self.end(EndReason.LEFT)
        self.wait(timeout)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the call reached ``ended``/``failed``; False on timeout."""
        if self._task is None:
            return True
        try:
            self._task.result(timeout)
        except TimeoutError:
            return False
        except Exception:  # already logged by _main
            return True
        return True

    def set_microphone_muted(self, muted: bool) -> None:
        if self.local_audio is not None:
            self.local_audio.muted = muted

    def set_camera_enabled(self, enabled: bool) -> None:
        if self.local_video is not None:
            self.local_video.enabled = enabled

    # ================================================================ media-thread internals
    def _emit(self, event: CallEvent) -> None:
        if self._on_event is None:
            return
        try:
            self._on_event(event)
        except Exception:
            log.exception("a call event listener failed")

    def _set_state(self, state: CallState, reason: EndReason | None = None) -> None:
        if state == self.state:
            return
        now = time.monotonic()
        previous = self.state
        if previous == CallState.WAITING_FOR_HOST:
            self.metrics.waited_for_host_ms += 1000 * (now - self._state_since)
        if previous == CallState.IN_CONSULTATION:
            self._close_consultation_window(now)
        if state == CallState.IN_CONSULTATION:
            self._consult_marks = (
                self._video_rx.frames if self._video_rx else 0,
                self.local_video.frames_sent if self.local_video else 0,
            )
        self._state_since = now
        self.state = state
        message = None
        if state in FINAL_STATES and reason is not None:
            self.end_reason = reason
            message = reason_text(reason, self.options.department_phone)
        log.info("call: %s -> %s%s", previous, state, f" ({reason})" if reason else "")
        self._emit(StateChanged(state, previous, reason, message))

    def _close_consultation_window(self, now: float) -> None:
        if self._consult_marks is None:
            return
        rx0, tx0 = self._consult_marks
        self.metrics.in_consultation_s += now - self._state_since
        self.metrics.video_rx_frames_in_consultation += (
            self._video_rx.frames if self._video_rx else 0
        ) - rx0
        self.metrics.video_tx_frames_in_consultation += (
            self.local_video.frames_sent if self.local_video else 0
        ) - tx0
        self._consult_marks = None

    def _set_admitted(self, admitted: bool) -> None:
        self._admitted = admitted
        if self.state in (CallState.WAITING_FOR_HOST, CallState.IN_CONSULTATION):
            self._update_presence_state()
        self._wake.set()

    def _update_presence_state(self) -> None:
        connected = self._pc is not None and self._pc.connectionState == "connected"
        if self._admitted and connected:
            self._set_state(CallState.IN_CONSULTATION)
        else:
            self._set_state(CallState.WAITING_FOR_HOST)

    def _push_signal(self, name: str, data: Any) -> None:
        if self._signals.full():
            self._signals.get_nowait()
            log.warning("call: media signal queue full; dropped the oldest")
        self._signals.put_nowait((name, data))
        self._wake.set()

    def _request_end(self, reason: EndReason) -> None:
        if self._end_request is None:
            self._end_request = reason
        self._wake.set()

    # ---------------------------------------------------------------- main loop
    async def _main(self) -> None:
        encoding.use_monitor(self.monitor)
        self.metrics.started_at = self.options.started_at or time.monotonic()
        self._state_since = self.metrics.started_at
        self._set_state(CallState.CONNECTING)
        final = CallState.ENDED
        reason: EndReason = EndReason.LEFT
        trouble_since: float | None = None
        backoff = 0.5
        try:
            while True:
                outcome = await self._establish()
                if outcome == _Outcome.CONNECTED:
                    trouble_since = None
                    backoff = 0.5
                    outcome = await self._supervise()
                if outcome == _Outcome.END:
                    reason = self._end_request or EndReason.LEFT
                    final = _final_state(reason)
                    break
                await self._teardown_call()
                if outcome == _Outcome.PEER_GONE:
                    # Direct media: the clinician left (or the node wants a fresh offer).
                    self._set_state(CallState.WAITING_FOR_HOST)
                    continue
                now = time.monotonic()
                trouble_since = trouble_since or now
                if now - trouble_since > self.options.reconnect_budget_s:
                    final, reason = CallState.FAILED, EndReason.NETWORK
                    break
                if outcome == _Outcome.FAILED and self.metrics.setup_ms is None:
                    # Never connected at all: keep trying within the budget, as "connecting".
                    pass
                else:
                    self.metrics.reconnects += 1
                    self._set_state(CallState.RECONNECTING)
                if await self._sleep_or_end(backoff):
                    reason = self._end_request or EndReason.LEFT
                    final = _final_state(reason)
                    break
                backoff = min(4.0, backoff * 2)
        except _SignallingFailed as exc:
            final, reason = CallState.FAILED, exc.reason
        except Exception:
            log.exception("call: unexpected failure")
            final, reason = CallState.FAILED, EndReason.INTERNAL
        finally:
            with contextlib.suppress(Exception):
                await self._teardown_call()
            for track in (self.local_video, self.local_audio):
                if track is not None:
                    track.stop()
            # The player may outlive this call; leave a later call's hook alone.
            if self._player is not None and self._player.on_played == self._on_played:
                self._player.on_played = None
            self._set_state(final, reason)

    async def _sleep_or_end(self, seconds: float) -> bool:
        """Sleep, waking early when the call is asked to end; True when it should end."""
        deadline = time.monotonic() + seconds
        while self._end_request is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), remaining)
        return True

    # ---------------------------------------------------------------- one call
    async def _establish(self) -> _Outcome:
        for attempt in self.options.ice.attempts():
            if self._end_request is not None:
                return _Outcome.END
            self.metrics.ice_attempt = attempt.describe()
            try:
                outcome = await self._try(attempt)
            except _AttemptFailed:
                outcome = _Outcome.FAILED
            if outcome != _Outcome.FAILED:
                return outcome
            log.info("call: ICE attempt %s failed", attempt.describe())
            await self._teardown_call()
        return _Outcome.FAILED

    def _new_pc(self, attempt: IceAttempt) -> RTCPeerConnection:
        pc = RTCPeerConnection(attempt.configuration())
        self.engine.track_peer_connection(pc)

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            if pc is not self._pc:
                return
            if track.kind == "video":
                self._video_rx = RemoteVideoReceiver(
                    track, self._on_remote_video, measure_latency=self.options.measure_latency
                )
                self._video_rx.start()
            elif track.kind == "audio":
                self._audio_rx = RemoteAudioReceiver(track, self._on_remote_audio)
                self._audio_rx.start()

        @pc.on("connectionstatechange")
        def on_state() -> None:
            self._wake.set()

        return pc

    def _add_local_tracks(self, pc: RTCPeerConnection) -> None:
        for kind, local in (("audio", self.local_audio), ("video", self.local_video)):
            if local is not None:
                pc.addTransceiver(_Relay(local), direction="sendrecv")
            else:
                pc.addTransceiver(kind, direction="recvonly")

    async def _gather_offer(self, pc: RTCPeerConnection) -> str:
        offer = await pc.createOffer()
        with host_addresses(self.options.host_addresses):
            await pc.setLocalDescription(offer)
        sdp = pc.localDescription.sdp
        return strip_non_relay_candidates(sdp) if self.options.ice.relay_only else sdp

    async def _try(self, attempt: IceAttempt) -> _Outcome:
        self._pc = pc = self._new_pc(attempt)
        self._add_local_tracks(pc)
        sdp = await self._gather_offer(pc)
        answer = await self._signal(self.signalling.calls, sdp)
        self._call_uuid = answer.call_uuid
        self.options.ice.add_ice_servers(getattr(answer, "extra_ice_servers", ()) or ())
        if answer.sdp and not answer.offer_ignored:
            await pc.setRemoteDescription(RTCSessionDescription(answer.sdp, "answer"))
            await self._signal(self.signalling.ack, answer.call_uuid)
        elif self.direct_media:
            outcome = await self._answer_relayed_offer(attempt)
            if outcome != _Outcome.CONNECTED:
                return outcome
            pc = self._pc
        else:
            raise _SignallingFailed(EndReason.SIGNALLING)
        return await self._wait_connected(pc)

    async def _answer_relayed_offer(self, attempt: IceAttempt) -> _Outcome:
        """Direct media, nobody there yet: wait for the peer's offer (SSE ``new_offer``)."""
        self._set_state(CallState.WAITING_FOR_HOST)
        while True:
            signal = await self._next_signal(None)
            if signal is None:
                return _Outcome.END
            name, data = signal
            if name in ("new_offer", "update_sdp") and isinstance(data, dict) and data.get("sdp"):
                break
            if name == "call_disconnected":
                return _Outcome.DEAD
        # Our pc holds an unanswered offer; aiortc cannot roll back, so answer on a fresh one.
        old = self._pc
        if old is not None:
            self.engine.forget_peer_connection(old)
            await old.close()
        self._pc = pc = self._new_pc(attempt)
        await pc.setRemoteDescription(RTCSessionDescription(data["sdp"], "offer"))
        for local in (self.local_audio, self.local_video):
            if local is not None:
                pc.addTrack(_Relay(local))  # aiortc reuses the offer's transceiver (sendrecv)
        answer = await pc.createAnswer()
        with host_addresses(self.options.host_addresses):
            await pc.setLocalDescription(answer)
        sdp = pc.localDescription.sdp
        if self.options.ice.relay_only:
            sdp = strip_non_relay_candidates(sdp)
        assert self._call_uuid is not None
        await self._signal(self.signalling.ack, self._call_uuid, sdp=sdp)
        return _Outcome.CONNECTED

    async def _signal(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """A blocking signalling request in a worker thread; typed failures end the call."""
        from videotime_client.pexip.errors import (
            CallRejected,
            NodeUnavailable,
            PexipError,
            Removed,
            TokenExpired,
        )

        try:
            return await asyncio.to_thread(fn, *args, **kwargs)
        except (Removed, TokenExpired) as exc:
            raise _SignallingFailed(EndReason.REMOTE_ENDED) from exc
        except (NodeUnavailable, CallRejected) as exc:
            # Transient (network, 5xx): treat like a failed ICE attempt; the budget bounds it.
            raise _AttemptFailed from exc
        except PexipError as exc:
            raise _SignallingFailed(EndReason.SIGNALLING) from exc

    async def _wait_connected(self, pc: RTCPeerConnection) -> _Outcome:
        deadline = time.monotonic() + self.options.ice_timeout_s
        while pc.connectionState != "connected":
            if self._end_request is not None:
                return _Outcome.END
            if pc.connectionState in ("failed", "closed"):
                return _Outcome.FAILED
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return _Outcome.FAILED
            await self._drain_signals()
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), min(remaining, 0.25))
        now = time.monotonic()
        if self.metrics.setup_ms is None:
            self.metrics.setup_ms = 1000 * (now - self.metrics.started_at)
        self.metrics.encryption = encryption.inspect(pc)
        self._emit(EncryptionChanged(self.metrics.encryption))
        self._update_presence_state()
        return _Outcome.CONNECTED

    # ---------------------------------------------------------------- signals
    async def _next_signal(self, timeout: float | None) -> tuple[str, Any] | None:
        """The next media signal; None when the call is asked to end (or on timeout)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._end_request is None:
            if not self._signals.empty():
                return self._signals.get_nowait()
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return None
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), remaining)
        return None

    async def _drain_signals(self) -> _Outcome | None:
        """Apply queued signals; returns an outcome when one ends this peer connection."""
        while not self._signals.empty():
            name, data = self._signals.get_nowait()
            if name == "new_candidate" and isinstance(data, dict) and self._pc is not None:
                await self._add_candidate(data)
            elif name == "call_disconnected":
                return _Outcome.DEAD
            elif name == "peer_disconnect" and self.direct_media:
                return _Outcome.PEER_GONE
            elif name in ("new_offer", "update_sdp") and self.direct_media:
                # A re-offer from the peer: aiortc cannot renegotiate; start over cleanly.
                return _Outcome.PEER_GONE
        return None

    async def _add_candidate(self, data: dict[str, Any]) -> None:
        text = str(data.get("candidate") or "")
        if not text or self._pc is None or self._pc.remoteDescription is None:
            return
        try:
            candidate = candidate_from_sdp(text.removeprefix("a=").removeprefix("candidate:"))
            candidate.sdpMid = str(data.get("mid", "0"))
            if self.options.ice.relay_only and candidate.type != "relay":
                return
            await self._pc.addIceCandidate(candidate)
        except Exception:
            log.info("call: ignored a remote candidate that aiortc could not use")

    # ---------------------------------------------------------------- supervision
    async def _supervise(self) -> _Outcome:
        pc = self._pc
        assert pc is not None
        last_rx_change = time.monotonic()
        last_rx_count = -1
        next_stats = time.monotonic()
        addresses = _machine_addresses() if self._watch_network() else None
        next_net_check = time.monotonic() + 2.0
        while True:
            if self._end_request is not None:
                return _Outcome.END
            outcome = await self._drain_signals()
            if outcome is not None:
                return outcome
            if pc.connectionState in ("failed", "closed"):
                log.info("call: ICE %s", pc.connectionState)
                return _Outcome.DEAD
            now = time.monotonic()
            if now >= next_stats:
                next_stats = now + self.options.stats_interval_s
                await self._sample_stats(pc)
                count = self._rx_activity()
                if count != last_rx_count:
                    last_rx_count, last_rx_change = count, now
            if now - last_rx_change > self.options.dead_path_s:
                log.info("call: no media for %.1f s: path is dead", now - last_rx_change)
                return _Outcome.DEAD
            if addresses is not None and now >= next_net_check:
                next_net_check = now + 2.0
                current = _machine_addresses()
                if current != addresses:
                    log.info("call: the network changed")
                    return _Outcome.DEAD
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 0.25)

    def _watch_network(self) -> bool:
        if self.options.watch_network_changes is None:
            return self.options.host_addresses is None
        return self.options.watch_network_changes

    def _rx_activity(self) -> int:
        t = self._last_totals
        frames = (self._video_rx.frames if self._video_rx else 0) + (
            self._audio_rx.frames if self._audio_rx else 0
        )
        return t.packets_received + frames

    async def _sample_stats(self, pc: RTCPeerConnection) -> None:
        try:
            report = await pc.getStats()
        except Exception:
            log.info("call: getStats failed")
            return
        totals = totals_from_report(report)
        self._last_totals = totals
        base = self._rx_totals_base
        self.metrics.audio_rx_packets = base.audio_packets_received + totals.audio_packets_received
        self.metrics.video_rx_packets = base.video_packets_received + totals.video_packets_received
        self.metrics.audio_tx_packets = base.audio_packets_sent + totals.audio_packets_sent
        rx_fps = self._video_rx.fps if self._video_rx else 0.0
        tx_fps = self.local_video.fps if self.local_video else 0.0
        freezes = self._video_rx.freezes if self._video_rx else 0
        sample = self._quality.sample(totals, rx_fps, tx_fps, freezes)
        self.metrics.quality = sample
        self.metrics.rtt_ms = sample.rtt_ms if sample.rtt_ms is not None else self.metrics.rtt_ms
        self.metrics.loss_pct = sample.loss_pct
        self.metrics.freezes = freezes
        self._emit(QualityChanged(sample))
        level = self.policy.level
        new_level = self.policy.update(self.monitor.percentile_ms(), self.monitor.wanted_bitrate)
        if new_level != level:
            log.info("call: sending %dx%d@%d", new_level.width, new_level.height, new_level.fps)
            self._emit(VideoLevelChanged(new_level))

    def _on_played(self, samples: Any) -> None:
        """What the player just handed the loudspeaker (its thread): the far-end reference."""
        processor, player = self.audio_processor, self._player
        if processor is not None and player is not None:
            processor.process_render(
                samples, getattr(player, "sample_rate", 48000), getattr(player, "channels", 2)
            )

    def _on_remote_audio(self, frame: Any) -> None:
        if self.audio_processor is not None and not self._render_from_player:
            # No player tells us what it plays: the received sound is the closest we have.
            self.audio_processor.process_render_frame(frame)
        if self.audio_sink is not None:
            self.audio_sink(frame)

    def _on_remote_video(self, frame: Any) -> None:
        if self.metrics.first_remote_frame_ms is None:
            self.metrics.first_remote_frame_wall = time.time()
            self.metrics.first_remote_frame_ms = 1000 * (time.monotonic() - self.metrics.started_at)
            self._emit(FirstRemoteFrame(self.metrics.first_remote_frame_ms))
        if self.video_sink is not None:
            self.video_sink(frame)

    # ---------------------------------------------------------------- teardown
    async def _teardown_call(self) -> None:
        if self.state == CallState.IN_CONSULTATION:
            self._close_consultation_window(time.monotonic())
            self._consult_marks = None
        if self._video_rx is not None and self.options.measure_latency:
            self.metrics.latencies_ms.extend(self._video_rx.latencies_ms)
        for receiver in (self._video_rx, self._audio_rx):
            if receiver is not None:
                await receiver.stop()
        self.metrics.freezes = max(
            self.metrics.freezes, self._video_rx.freezes if self._video_rx else 0
        )
        self._video_rx = self._audio_rx = None
        t = self._last_totals
        self._rx_totals_base = RtpTotals(
            audio_packets_received=self._rx_totals_base.audio_packets_received
            + t.audio_packets_received,
            video_packets_received=self._rx_totals_base.video_packets_received
            + t.video_packets_received,
            audio_packets_sent=self._rx_totals_base.audio_packets_sent + t.audio_packets_sent,
        )
        self._last_totals = RtpTotals()
        call_uuid, self._call_uuid = self._call_uuid, None
        if call_uuid:
            try:
                await asyncio.wait_for(
                    asyncio.to_thread(self.signalling.disconnect_call, call_uuid), 5.0
                )
            except Exception as exc:
                log.info("call: disconnect_call failed (%s)", type(exc).__name__)
        pc, self._pc = self._pc, None
        if pc is not None:
            self.engine.forget_peer_connection(pc)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(pc.close(), 5.0)
        # Queued signals were about the call that is gone (candidates, re-offers).
        while not self._signals.empty():
            self._signals.get_nowait()


def _final_state(reason: EndReason) -> CallState:
    return (
        CallState.ENDED if reason in (EndReason.LEFT, EndReason.REMOTE_ENDED) else CallState.FAILED
    )


class _SignallingFailed(Exception):
    def __init__(self, reason: EndReason) -> None:
        super().__init__(reason.value)
        self.reason = reason


class _AttemptFailed(Exception):
    pass


def _machine_addresses() -> frozenset[str]:
    found: set[str] = set()
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            if isinstance(ip.ip, str) and not ip.ip.startswith("127."):
                found.add(ip.ip)
    return frozenset(found)
