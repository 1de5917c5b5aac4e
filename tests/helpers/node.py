"""A running embedded Pexip-compatible node for tests (owner: node area).

Quick use::

    # The fixtures are registered suite-wide (tests/conftest.py pytest_plugins).
    def test_something(node):                  # fresh in-process node, default rooms
        url = node.api("123456")               # .../api/client/v2/conferences/123456
        ...
        assert node.participants("123456")[0]["service_type"] == "waiting_room"
        node.inject("http_error", room="123456", endpoint="refresh_token", status=503, count=2)

Fixtures (function scope unless said otherwise):

* ``node``            in-process node on a thread (fast, default config, 127.0.0.1, port 0).
* ``node_factory``    ``node_factory(scenario: dict | None = None, *, subprocess=False, tls=False)``
                      starts more nodes with a scenario (the JSON format of docs/node.md, as a
                      dict); ``subprocess=True`` runs the real ``videotime node serve`` CLI.
                      All are stopped at teardown.
* ``node_process``    MODULE-scoped node run through the real CLI (shared; registered long-lived).

Every fixture yields a :class:`RunningNode`. Its helpers talk to the node's loopback-only admin API
(``/_admin/...``), so they work the same for in-process and subprocess nodes:

* ``base_url``, ``api(alias)``, ``fingerprint`` (TLS only), ``ca_file`` (TLS only: PEM to verify)
* ``state(alias)``          the node's view of a room: ``{"alias", "locked", "started",
                            "service_type", "media", "participants": [roster fields (uuid,
                            display_name, role "chair"/"guest", service_type, has_media,
                            is_client_muted, is_video_muted, ...) plus simulated, call_type
                            ("transcoded"/"direct"/None), call_state, rx_video_frames,
                            rx_audio_frames, tx_video_frames, tx_video_source], "messages":
                            [{uuid, origin, type, payload, direct}]}``
* ``participants(alias)``, ``messages(alias)``   shortcuts into ``state``
* ``inject(kind, room=None, **params)``  add a fault (kinds in docs/node.md: ``http_error``,
                            ``slow``, ``drop_sse``, ``expire_tokens``, ``kill_calls``,
                            ``host_timeout``, ``maintenance``, ``refresh_token``);
                            ``clear_faults()``
* ``clinician(alias, action)``   simulated clinician ``"join"`` / ``"leave"`` now
* ``disconnect(alias, participant_uuid, reason=...)``  remove a participant (SSE ``disconnect``)
* ``advance_clock(seconds)``  move the node's clock (token expiry, timeouts) forward
* ``results(key)`` / ``wait_result(key, timeout)``  JSON the /clinician page POSTs back
* ``wait_for(predicate, timeout=10)``  poll ``predicate(node)`` until truthy

Also here: :func:`join` (request_token the way a guest/host does, returns the ``result``),
:class:`SseCollector` (reads a participant's event stream on a thread; ``wait(event, pred)``,
``wait_participant(uuid, pred)``),
constants for the default rooms and PINs (``DEFAULT_ROOM`` 123456, ``DIRECT_ROOM`` 234567,
``PIN_ROOM`` 345678, ``TEST_CALL_ROOM`` 999999, ``HOST_PIN`` 2468, ``GUEST_PIN`` 1357), and
``start_in_process`` / ``start_subprocess`` / ``stop_process`` for code outside fixtures
(benchmarks). In-process aiortc code may use ``videotime_node.media.new_peer_connection()`` and
``set_local_description(pc, desc, ["127.0.0.1"])`` to gather on loopback without public STUN.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
import requests

from tests.helpers.processes import register_long_lived

DEFAULT_ROOM = "123456"
DIRECT_ROOM = "234567"
PIN_ROOM = "345678"
TEST_CALL_ROOM = "999999"
HOST_PIN = "2468"
GUEST_PIN = "1357"


class RunningNode:
    """Handle on a node, in-process or subprocess; see the module docstring."""

    def __init__(
        self,
        base_url: str,
        stop: Callable[[], None],
        *,
        fingerprint: str | None = None,
        ca_file: str | None = None,
    ) -> None:
        self.base_url = base_url
        self.fingerprint = fingerprint
        self.ca_file = ca_file
        self._stop = stop
        self._http = requests.Session()
        # Passed per request: a Session's own ``verify`` loses to REQUESTS_CA_BUNDLE.
        self.verify: str | bool = ca_file if ca_file else True

    # ------------------------------------------------------------ addresses
    def api(self, alias: str) -> str:
        return f"{self.base_url}/api/client/v2/conferences/{alias}"

    # ------------------------------------------------------------ admin API
    def _admin(self, method: str, path: str, body: Any = None) -> Any:
        r = self._http.request(
            method, f"{self.base_url}/_admin/{path}", json=body, timeout=10, verify=self.verify
        )
        r.raise_for_status()
        return r.json() if r.content else None

    def state(self, alias: str = DEFAULT_ROOM) -> dict[str, Any]:
        return self._admin("GET", f"rooms/{alias}")  # type: ignore[no-any-return]

    def participants(self, alias: str = DEFAULT_ROOM) -> list[dict[str, Any]]:
        return self.state(alias)["participants"]  # type: ignore[no-any-return]

    def messages(self, alias: str = DEFAULT_ROOM) -> list[dict[str, Any]]:
        return self.state(alias)["messages"]  # type: ignore[no-any-return]

    def inject(self, kind: str, room: str | None = None, **params: Any) -> None:
        self._admin("POST", "faults", {"kind": kind, "room": room, **params})

    def clear_faults(self) -> None:
        self._admin("DELETE", "faults")

    def clinician(self, alias: str, action: str) -> None:
        self._admin("POST", f"rooms/{alias}/clinician", {"action": action})

    def disconnect(
        self,
        alias: str,
        participant_uuid: str,
        reason: str = "API initiated participant disconnect",
    ) -> None:
        self._admin(
            "POST",
            f"rooms/{alias}/disconnect",
            {"participant_uuid": participant_uuid, "reason": reason},
        )

    def advance_clock(self, seconds: float) -> None:
        self._admin("POST", "clock", {"advance_s": seconds})

    def results(self, key: str) -> Any:
        return self._admin("GET", f"results/{key}")

    def wait_result(
        self, key: str, timeout: float = 30, until: Callable[[Any], bool] | None = None
    ) -> Any:
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            last = self.results(key)
            if last is not None and (until is None or until(last)):
                return last
            time.sleep(0.25)
        raise AssertionError(f"no result {key!r} within {timeout}s (last: {last!r})")

    def wait_for(self, predicate: Callable[[RunningNode], Any], timeout: float = 10) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = predicate(self)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout}s")
            time.sleep(0.1)

    def stop(self) -> None:
        self._http.close()
        self._stop()


# ---------------------------------------------------------------- protocol helpers
def join(
    running: RunningNode,
    alias: str = DEFAULT_ROOM,
    name: str = "Ola Nordmann",
    pin: str | None = "none",
    **body: Any,
) -> dict[str, Any]:
    """``request_token`` with header ``pin`` (``None``: no header); returns ``result``."""
    headers = {} if pin is None else {"pin": pin}
    r = running._http.post(
        f"{running.api(alias)}/request_token",
        json={"display_name": name, **body},
        headers=headers,
        timeout=10,
        verify=running.verify,
    )
    assert r.status_code == 200, (r.status_code, r.text)
    return r.json()["result"]  # type: ignore[no-any-return]


class SseCollector:
    """Reads ``GET .../events?token=`` on a thread and collects ``(event, data)`` pairs.

    ``events`` is the full list (in order); ``wait(name, predicate, timeout)`` returns the first
    matching event's data not yet returned by an earlier ``wait``; ``ended`` is set when the
    server closes the stream. Always ``close()`` it (or use it as a context manager).
    """

    def __init__(self, running: RunningNode, alias: str, token: str) -> None:
        self.events: list[tuple[str, Any]] = []
        self.ended = threading.Event()
        self._cursor = 0
        self._closed = False
        url = urllib.parse.urlsplit(f"{running.api(alias)}/events")
        if url.scheme == "https":
            context = ssl.create_default_context(cafile=running.ca_file)
            self._conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                url.hostname or "", url.port, timeout=30, context=context
            )
        else:
            self._conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=30)
        query = urllib.parse.urlencode({"token": token})
        self._conn.request("GET", f"{url.path}?{query}", headers={"Accept": "text/event-stream"})
        self._response = self._conn.getresponse()
        self.status_code = self._response.status
        if self.status_code != 200:
            self.body = self._response.read()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        event, data = None, None
        try:
            while True:
                raw = self._response.readline()
                if not raw:
                    break
                line = raw.decode("utf-8").rstrip("\r\n")
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data = json.loads(line[5:].strip())
                elif not line and event is not None:
                    self.events.append((event, data))
                    event, data = None, None
        except (OSError, ValueError, http.client.HTTPException):
            pass  # closed under us at teardown, or the server dropped the stream
        finally:
            self.ended.set()

    def names(self) -> list[str]:
        return [e for e, _ in self.events]

    def wait(
        self, name: str, predicate: Callable[[Any], bool] | None = None, timeout: float = 10
    ) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            while self._cursor < len(self.events):
                event, data = self.events[self._cursor]
                self._cursor += 1
                if event == name and (predicate is None or predicate(data)):
                    return data
            if time.monotonic() > deadline:
                raise AssertionError(f"no SSE {name!r} within {timeout}s; got {self.names()}")
            if self.ended.is_set() and self._cursor >= len(self.events):
                raise AssertionError(f"stream ended before SSE {name!r}; got {self.names()}")
            time.sleep(0.05)

    def wait_participant(
        self, uuid: str, predicate: Callable[[Any], bool], timeout: float = 10
    ) -> Any:
        """The first ``participant_create``/``participant_update`` for ``uuid`` that matches,
        from the start of the stream: a change that happened before the stream opened shows
        up in the snapshot's ``participant_create`` instead of as an update."""
        deadline = time.monotonic() + timeout
        while True:
            for event, data in list(self.events):
                if (
                    event in ("participant_create", "participant_update")
                    and data["uuid"] == uuid
                    and predicate(data)
                ):
                    return data
            if time.monotonic() > deadline:
                raise AssertionError(f"participant {uuid[:8]} never matched; got {self.names()}")
            time.sleep(0.05)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            sock = self._conn.sock
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            self._thread.join(5)
            self._conn.close()

    def __enter__(self) -> SseCollector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---------------------------------------------------------------- starters
def start_in_process(scenario: dict[str, Any] | None = None, *, tls: bool = False) -> RunningNode:
    """Run a node on a thread of this process (own asyncio loop)."""
    from videotime_node.config import NodeConfig
    from videotime_node.server import NodeThread

    config = NodeConfig.from_scenario(scenario or {}, host="127.0.0.1", port=0, tls=tls)
    runner = NodeThread(config)
    runner.start()
    return RunningNode(
        runner.base_url,
        runner.stop,
        fingerprint=runner.fingerprint,
        ca_file=runner.ca_file,
    )


def start_subprocess(
    scenario: dict[str, Any] | None = None, *, tls: bool = False, tmp_dir: Path | None = None
) -> tuple[RunningNode, subprocess.Popen[str]]:
    """Run ``videotime node serve --port 0`` and read its first stdout line(s)."""
    cmd = [
        sys.executable,
        "-m",
        "videotime_client",
        "node",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
    ]
    ca_file: str | None = None
    if scenario is not None:
        assert tmp_dir is not None
        path = tmp_dir / "scenario.json"
        path.write_text(json.dumps(scenario), encoding="utf-8")
        cmd += ["--scenario", str(path)]
    if tls:
        assert tmp_dir is not None
        ca_file = str(tmp_dir / "node-cert.pem")
        cmd += ["--tls", "--cert-out", ca_file]
    # Its own data dir (log file): a module-scoped node starts before the per-test private one.
    data_dir = Path(tempfile.mkdtemp(prefix="videotime-node-data-", dir=tmp_dir))
    env = {**os.environ, "VIDEOTIME_DATA_DIR": str(data_dir)}
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    assert proc.stdout is not None
    base_url = proc.stdout.readline().strip()
    fingerprint = proc.stdout.readline().strip() if tls else None
    if not base_url.startswith("http"):
        proc.kill()
        proc.wait()
        raise RuntimeError(f"node did not print its URL (got {base_url!r})")

    def stop() -> None:
        stop_process(proc)

    return RunningNode(base_url, stop, fingerprint=fingerprint, ca_file=ca_file), proc


def stop_process(proc: subprocess.Popen[str], timeout: float = 10) -> int:
    """SIGTERM, wait, then kill the whole tree; returns the exit code."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            try:
                for child in psutil.Process(proc.pid).children(recursive=True):
                    child.kill()
            except psutil.NoSuchProcess:
                pass
            proc.kill()
            proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()
    return proc.returncode


# ---------------------------------------------------------------- fixtures
@pytest.fixture
def node() -> Iterator[RunningNode]:
    running = start_in_process()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def node_factory(tmp_path: Path) -> Iterator[Callable[..., RunningNode]]:
    started: list[RunningNode] = []

    def make(
        scenario: dict[str, Any] | None = None, *, subprocess: bool = False, tls: bool = False
    ) -> RunningNode:
        if subprocess:
            sub_dir = tmp_path / f"node{len(started)}"
            sub_dir.mkdir()
            running, _proc = start_subprocess(scenario, tls=tls, tmp_dir=sub_dir)
        else:
            running = start_in_process(scenario, tls=tls)
        started.append(running)
        return running

    try:
        yield make
    finally:
        for running in started:
            running.stop()


@pytest.fixture(scope="module")
def node_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNode]:
    running, proc = start_subprocess(None, tmp_dir=tmp_path_factory.mktemp("node"))
    register_long_lived(proc.pid)
    try:
        yield running
    finally:
        running.stop()
