"""Echo cancellation, noise suppression and gain control: WebRTC's audio processing module.

aiortc has none of these (aiortc-notes §1.4), and a patient on laptop speakers would otherwise
hear the clinician's voice come back as echo.  We use the WebRTC APM (AEC3, NS, AGC, high-pass)
through ``livekit.rtc.AudioProcessingModule``.

Evaluated on Python 3.12 here (2026-11): ``livekit`` installs as a wheel and runs (0.16 ms per
10 ms render + capture pair); ``webrtc-noise-gain`` installs but has no echo canceller;
``aec-audio-processing`` has no wheel and builds from source for minutes.  The echo reduction
is measured in ``tests/call/test_audio_processing.py`` with a speaker-to-microphone loop through
PulseAudio.

The APM works on 10 ms frames of 48 kHz mono int16:

* :meth:`AudioProcessor.process_render` gets what the loudspeaker plays (the far end, the
  "reverse stream"), so the canceller knows what to remove;
* :meth:`AudioProcessor.process_capture` cleans the microphone signal before it is encoded.

Both run on the media thread (remote audio receiver and local audio track); a lock makes other
callers safe.  When livekit cannot be loaded the processor passes audio through untouched and
says so once in the log (``available`` is False): a call without echo cancellation beats no call.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

RATE = 48000
CHUNK = RATE // 100  # 10 ms


class AudioProcessor:
    """WebRTC APM for one call (see module docstring)."""

    def __init__(
        self,
        *,
        echo_cancellation: bool = True,
        noise_suppression: bool = True,
        auto_gain_control: bool = True,
        high_pass_filter: bool = True,
        stream_delay_ms: int | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._apm: Any = None
        self._rtc: Any = None
        self._render_rest = np.zeros(0, dtype=np.int16)
        self.render_frames = 0
        self.capture_frames = 0
        try:
            from livekit import rtc

            self._rtc = rtc
            self._apm = rtc.AudioProcessingModule(
                echo_cancellation=echo_cancellation,
                noise_suppression=noise_suppression,
                high_pass_filter=high_pass_filter,
                auto_gain_control=auto_gain_control,
            )
            if stream_delay_ms is not None:
                self._apm.set_stream_delay_ms(stream_delay_ms)
        except Exception as exc:  # an optional native library: degrade, never crash a call
            log.error("echo cancellation is unavailable (%s); audio is not processed", exc)
            self._apm = None

    @property
    def available(self) -> bool:
        return self._apm is not None

    def _chunk(self, samples: np.ndarray) -> Any:
        frame = self._rtc.AudioFrame.create(RATE, 1, CHUNK)
        np.frombuffer(frame.data, dtype=np.int16)[:] = samples
        return frame

    def process_render(
        self, samples: np.ndarray, sample_rate: int = RATE, channels: int = 1
    ) -> None:
        """Feed what the loudspeaker plays (int16, interleaved if ``channels`` > 1)."""
        if self._apm is None or sample_rate != RATE:
            return
        mono = np.asarray(samples, dtype=np.int16).reshape(-1)
        if channels > 1:
            mono = mono.reshape(-1, channels).mean(axis=1).astype(np.int16)
        with self._lock:
            data = np.concatenate([self._render_rest, mono])
            whole = len(data) // CHUNK * CHUNK
            for start in range(0, whole, CHUNK):
                self._apm.process_reverse_stream(self._chunk(data[start : start + CHUNK]))
                self.render_frames += 1
            self._render_rest = data[whole:].copy()

    def process_render_frame(self, frame: Any) -> None:
        """:meth:`process_render` for a decoded ``av.AudioFrame`` (aiortc gives s16 stereo)."""
        if self._apm is None:
            return
        self.process_render(frame.to_ndarray(), frame.sample_rate, len(frame.layout.channels))

    def process_capture(self, samples: np.ndarray, sample_rate: int = RATE) -> np.ndarray:
        """Clean microphone samples (int16 mono, any shape); returns the same shape."""
        if self._apm is None or sample_rate != RATE:
            return samples
        flat = np.array(samples, dtype=np.int16).reshape(-1)
        whole = len(flat) // CHUNK * CHUNK
        with self._lock:
            for start in range(0, whole, CHUNK):
                frame = self._chunk(flat[start : start + CHUNK])
                self._apm.process_stream(frame)
                flat[start : start + CHUNK] = np.frombuffer(frame.data, dtype=np.int16)
                self.capture_frames += 1
        return flat.reshape(np.shape(samples))
