"""A private PulseAudio daemon with virtual microphones and speakers (owner: preflight area).

Quick use::

    from tests.helpers.pulse import pulse  # noqa: F401  (session fixture; or import in conftest)

    def test_mic(pulse):
        mic = pulse.virtual_mic("vt_mic")          # a source the app records from
        with pulse.play_tone("vt_mic", freq=440, dbfs=-20, seconds=3):   # into the mic
            ...                                    # app records PULSE_SERVER=pulse.server
        spk = pulse.null_sink("vt_speaker")        # a sink the app plays to
        samples = pulse.record(spk.monitor, seconds=1.0)   # what reached the "speaker"

Interface (all names are PulseAudio names; ``pulse.env`` holds ``PULSE_SERVER`` etc.):

* ``server``            ``unix:<socket>``; also exported in ``os.environ["PULSE_SERVER"]`` while
                        the fixture lives, so child processes and libpulse find it.
* ``null_sink(name)``   -> ``VirtualDevice(name, monitor=f"{name}.monitor")`` (a speaker)
* ``virtual_mic(name)`` -> ``VirtualDevice(name, feed=f"{name}_feed")``: a null sink
                        ``<name>_feed`` whose monitor is remapped to a real-looking source
                        ``<name>``; audio played into ``<name>_feed`` comes out of the mic.
* ``play_tone(name, freq, dbfs, seconds)``  context manager: plays a sine into a virtual mic
                        (``name``) or a sink; ``play_samples(name, int16_array)`` for any signal.
* ``record(source, seconds) -> np.ndarray[int16]``  mono capture (e.g. a sink's ``.monitor``).
* ``set_default(sink=None, source=None)``, ``pactl(*args)``, ``unload(module_id)``.

The daemon runs with a private runtime dir, no D-Bus, anonymous auth on its own socket, and
is registered long-lived and stopped at session teardown. Media never touches the disk: tones
are generated in memory and piped to ``pacat``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from tests.helpers.processes import register_long_lived

RATE = 48000


@dataclass(frozen=True)
class VirtualDevice:
    name: str
    monitor: str | None = None  # for sinks: the source that hears what the sink plays
    feed: str | None = None  # for virtual mics: the sink to play into


class PulseServer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.socket = root / "native"
        self.server = f"unix:{self.socket}"
        self.env = {
            "PULSE_SERVER": self.server,
            "PULSE_RUNTIME_PATH": str(root / "rt"),
            "PULSE_STATE_PATH": str(root / "state"),
            "PULSE_COOKIE": str(root / "cookie"),
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self._modules: list[str] = []

    # ---------------------------------------------------------------- lifecycle
    def start(self) -> None:
        script = self.root / "default.pa"
        script.write_text(
            f"load-module module-native-protocol-unix socket={self.socket} auth-anonymous=1\n"
            "load-module module-null-sink sink_name=vt_default_sink\n"
            "set-default-sink vt_default_sink\n"
        )
        env = {
            **os.environ,
            **self.env,
            "HOME": str(self.root),
            "XDG_RUNTIME_DIR": str(self.root),
            "DBUS_SESSION_BUS_ADDRESS": "disabled:",
        }
        env.pop("DISPLAY", None)
        self.proc = subprocess.Popen(
            [
                "pulseaudio",
                "--daemonize=no",
                "--exit-idle-time=-1",
                "--system=false",
                "-n",
                "-F",
                str(script),
                "--use-pid-file=false",
                "--disallow-exit=true",
                "--log-target=file:" + str(self.root / "pulse.log"),
                "--log-level=error",
            ],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        register_long_lived(self.proc.pid)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"pulseaudio exited: {(self.root / 'pulse.log').read_text()}")
            if self.socket.exists() and self._try("info"):
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("pulseaudio did not start within 10 s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    # ---------------------------------------------------------------- pactl
    def _try(self, *args: str) -> bool:
        r = subprocess.run(
            ["pactl", *args],
            env={**os.environ, **self.env},
            capture_output=True,
            check=False,
            timeout=10,
        )
        return r.returncode == 0

    def pactl(self, *args: str) -> str:
        r = subprocess.run(
            ["pactl", *args],
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
        if r.returncode != 0:
            raise RuntimeError(f"pactl {' '.join(args)} failed: {r.stderr.strip()}")
        return r.stdout.strip()

    def load(self, module: str, **params: str) -> str:
        mid = self.pactl("load-module", module, *(f"{k}={v}" for k, v in params.items()))
        self._modules.append(mid)
        return mid

    def unload(self, module_id: str) -> None:
        self.pactl("unload-module", module_id)
        if module_id in self._modules:
            self._modules.remove(module_id)

    def names(self, kind: str) -> set[str]:
        out = self.pactl("list", "short", kind)
        return {line.split("\t")[1] for line in out.splitlines() if "\t" in line}

    # ---------------------------------------------------------------- devices
    def null_sink(self, name: str) -> VirtualDevice:
        if name not in self.names("sinks"):
            self.load("module-null-sink", sink_name=name, rate=str(RATE))
        return VirtualDevice(name, monitor=f"{name}.monitor")

    def virtual_mic(self, name: str) -> VirtualDevice:
        feed = f"{name}_feed"
        if name not in self.names("sources"):
            self.null_sink(feed)
            self.load(
                "module-remap-source",
                master=f"{feed}.monitor",
                source_name=name,
                channels="1",
                channel_map="mono",
            )
        return VirtualDevice(name, feed=feed)

    def set_default(self, sink: str | None = None, source: str | None = None) -> None:
        if sink:
            self.pactl("set-default-sink", sink)
        if source:
            self.pactl("set-default-source", source)

    # ---------------------------------------------------------------- signals
    @staticmethod
    def tone(freq: float, dbfs: float, seconds: float) -> np.ndarray:
        """A sine whose RMS is ``dbfs`` (peak = RMS * sqrt 2), int16 mono."""
        n = int(RATE * seconds)
        amp = 32767 * (10 ** (dbfs / 20)) * np.sqrt(2)
        x = amp * np.sin(2 * np.pi * freq * np.arange(n) / RATE)
        return np.clip(x, -32768, 32767).astype(np.int16)

    @contextlib.contextmanager
    def play_samples(self, name: str, samples: np.ndarray) -> Iterator[None]:
        """Play int16 mono ``samples`` into sink ``name`` (a virtual mic's feed is found)."""
        target = f"{name}_feed" if f"{name}_feed" in self.names("sinks") else name
        proc = subprocess.Popen(
            [
                "pacat",
                "--playback",
                f"--device={target}",
                "--format=s16le",
                f"--rate={RATE}",
                "--channels=1",
                "--latency-msec=20",
            ],
            env={**os.environ, **self.env},
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert proc.stdin is not None
        stdin = proc.stdin
        data = samples.astype("<i2").tobytes()

        def feed() -> None:
            # pacat consumes in real time, so a long signal would block the writer for its
            # whole duration: write from a thread and let the test go on at once.
            with contextlib.suppress(BrokenPipeError, ValueError, OSError):
                stdin.write(data)
                stdin.flush()

        writer = threading.Thread(target=feed, name="pulse-play", daemon=True)
        writer.start()
        try:
            yield
        finally:
            proc.terminate()
            writer.join(5)
            with contextlib.suppress(BrokenPipeError, OSError):
                stdin.close()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)

    def play_tone(
        self, name: str, freq: float = 440.0, dbfs: float = -20.0, seconds: float = 5.0
    ) -> contextlib.AbstractContextManager[None]:
        return self.play_samples(name, self.tone(freq, dbfs, seconds))

    def record(self, source: str, seconds: float) -> np.ndarray:
        """Capture ``seconds`` of mono int16 from ``source`` (e.g. ``vt_speaker.monitor``)."""
        want = int(RATE * seconds) * 2
        proc = subprocess.Popen(
            [
                "parec",
                f"--device={source}",
                "--format=s16le",
                f"--rate={RATE}",
                "--channels=1",
                "--latency-msec=20",
            ],
            env={**os.environ, **self.env},
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert proc.stdout is not None
        buf = bytearray()
        deadline = time.monotonic() + seconds + 5
        try:
            while len(buf) < want and time.monotonic() < deadline:
                chunk = proc.stdout.read1(want - len(buf))  # type: ignore[attr-defined]
                if not chunk:
                    break
                buf.extend(chunk)
        finally:
            proc.terminate()
            proc.wait(5)
            proc.stdout.close()
        return np.frombuffer(bytes(buf[: len(buf) // 2 * 2]), dtype="<i2").copy()


@pytest.fixture(scope="session")
def pulse() -> Iterator[PulseServer]:
    """One PulseAudio daemon for the whole test session (virtual devices only)."""
    if shutil.which("pulseaudio") is None:
        pytest.fail("pulseaudio is not installed (scripts/system-packages.txt lists it)")
    root = Path(tempfile.mkdtemp(prefix="vt-pulse-"))
    server = PulseServer(root)
    server.start()
    old = {k: os.environ.get(k) for k in server.env}
    os.environ.update(server.env)
    try:
        yield server
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
