"""Qt-free microphone/speaker access for the pre-flight check, over PulseAudio (and PipeWire's
pulse server) with the ``parec``/``pacat`` clients.

Why not QAudioSource here: the check must run headless (``videotime check`` in a terminal, CI)
and the PyAV wheel has no ``pulse`` input (aiortc-notes §2).  ``pacat`` streams raw PCM through
a pipe, so nothing touches the disk.  On Windows/macOS ``qt_audio_probe.QtAudioDevice``
(QAudioSource/QAudioSink) provides the same ``AudioDevice`` interface.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from videotime_client.preflight.checks.audio import RATE, AudioUnavailable

CHUNK_S = 0.1


def _reason(stderr: str) -> str:
    text = stderr.lower()
    if "connection refused" in text or "connection failure" in text or "no such file" in text:
        return "no_audio_system"
    if "no such entity" in text or "not found" in text:
        return "missing"
    if "access denied" in text or "permission" in text:
        return "denied"
    if "busy" in text:
        return "busy"
    return "missing"


class PulseAudioDevice:
    """Records from ``source`` and plays to ``sink`` (None = the server's defaults)."""

    def __init__(self, source: str | None = None, sink: str | None = None) -> None:
        self.source = source
        self.sink = sink

    @staticmethod
    def available() -> bool:
        return shutil.which("parec") is not None and shutil.which("pacat") is not None

    async def capture(
        self,
        seconds: float,
        on_chunk: Callable[[npt.NDArray[np.int16]], None] | None = None,
    ) -> npt.NDArray[np.int16]:
        if not self.available():
            raise AudioUnavailable("no_audio_system")
        args = ["parec", "--format=s16le", f"--rate={RATE}", "--channels=1", "--latency-msec=50"]
        if self.source:
            args.append(f"--device={self.source}")
        proc = await asyncio.create_subprocess_exec(
            *args,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            stdin=asyncio.subprocess.DEVNULL,
        )
        assert proc.stdout is not None
        assert proc.stderr is not None
        want = int(RATE * seconds) * 2
        chunk_bytes = int(RATE * CHUNK_S) * 2
        buf = bytearray()
        pending = bytearray()
        try:
            while len(buf) < want:
                try:
                    data = await asyncio.wait_for(proc.stdout.read(chunk_bytes), seconds + 3)
                except TimeoutError:
                    break
                if not data:
                    break
                buf.extend(data)
                pending.extend(data)
                while len(pending) >= chunk_bytes and on_chunk is not None:
                    on_chunk(np.frombuffer(bytes(pending[:chunk_bytes]), dtype="<i2"))
                    del pending[:chunk_bytes]
        finally:
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.terminate()
            err = (await proc.stderr.read()).decode(errors="replace")
            await proc.wait()
        if not buf:
            raise AudioUnavailable(_reason(err), "microphone")
        return np.frombuffer(bytes(buf[: min(len(buf), want) // 2 * 2]), dtype="<i2").copy()

    async def play(self, samples: npt.NDArray[np.int16]) -> None:
        if not self.available():
            raise AudioUnavailable("no_audio_system", "speaker")
        args = [
            "pacat",
            "--playback",
            "--format=s16le",
            f"--rate={RATE}",
            "--channels=1",
            "--latency-msec=50",
        ]
        if self.sink:
            args.append(f"--device={self.sink}")
        proc = await asyncio.create_subprocess_exec(
            *args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        assert proc.stdin is not None
        assert proc.stderr is not None
        try:
            proc.stdin.write(samples.astype("<i2").tobytes())
            await proc.stdin.drain()
            proc.stdin.close()
        except (BrokenPipeError, ConnectionResetError):
            pass
        duration = len(samples) / RATE
        try:
            await asyncio.wait_for(proc.wait(), duration + 5)
        except TimeoutError:
            proc.kill()
            await proc.wait()
        err = (await proc.stderr.read()).decode(errors="replace")
        if proc.returncode != 0:
            raise AudioUnavailable(_reason(err), "speaker")
