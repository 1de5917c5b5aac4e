"""Single instance: a second launch hands its link to the first, which emits it; real processes.

The secondary must be another process (its forwarding blocks until the primary answers, which
the primary's event loop does), so each test starts ``python -c`` with the same data directory.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QLockFile
from PySide6.QtNetwork import QLocalSocket

from videotime_client.paths import AppPaths
from videotime_client.ui.single_instance import (
    Role,
    SingleInstance,
    describe_link,
    links_in,
    server_name,
)

pytestmark = pytest.mark.gui

SECONDARY = """
import sys
from PySide6.QtCore import QCoreApplication
from videotime_client.paths import AppPaths
from videotime_client.ui.single_instance import SingleInstance
app = QCoreApplication([])
instance = SingleInstance(AppPaths.resolve(sys.argv[1]))
role = instance.claim(sys.argv[2:])
print(role.value, flush=True)
if role.value == "primary" and "--hold" in sys.argv:
    print("holding", flush=True)
    sys.stdin.readline()
"""


def launch(data: Path, *argv: str, hold: bool = False) -> subprocess.Popen[str]:
    args = [sys.executable, "-c", SECONDARY, str(data), *argv] + (["--hold"] if hold else [])
    return subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stdin=subprocess.PIPE if hold else subprocess.DEVNULL,
        text=True,
        env=os.environ.copy(),
    )


def test_second_launch_forwards_its_link_to_the_first(qtbot, tmp_path: Path) -> None:
    paths = AppPaths.resolve(tmp_path)
    primary = SingleInstance(paths)
    assert primary.claim(["videotime://join.nhn.no/webapp/conference/111111"]) is Role.PRIMARY
    assert primary.initial_links() == ["videotime://join.nhn.no/webapp/conference/111111"]
    link = "videotime://join.nhn.no/webapp/conference/123456?dept=Hjerte%20og%20lunge"
    try:
        with (
            qtbot.waitSignal(primary.link_received, timeout=15_000) as got,
            qtbot.waitSignal(primary.activation_requested, timeout=15_000),
        ):
            second = launch(tmp_path, "--debug", link)
            while second.poll() is None:  # let the primary's event loop answer meanwhile
                qtbot.wait(20)
        out, _ = second.communicate(timeout=10)
        assert got.args == [link]
        assert out.strip() == "forwarded"
        assert second.returncode == 0
    finally:
        primary.close()


def test_a_crashed_primary_does_not_block_the_next_launch(qtbot, tmp_path: Path) -> None:
    first = launch(tmp_path, hold=True)
    assert first.stdout is not None
    assert first.stdout.readline().strip() == "primary"
    assert first.stdout.readline().strip() == "holding"
    first.send_signal(signal.SIGKILL)  # leaves its lock file and socket behind
    first.communicate(timeout=10)
    assert (tmp_path / "data" / "videotime.instance.lock").exists()
    instance = SingleInstance(AppPaths.resolve(tmp_path))
    try:
        assert instance.claim([]) is Role.PRIMARY
    finally:
        instance.close()


def test_a_silent_lock_holder_is_reported_not_waited_for_forever(
    qtbot, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A live process holds the lock but never listens: the launch gives up after ~5 s."""
    paths = AppPaths.resolve(tmp_path)
    paths.data.mkdir(parents=True)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from PySide6.QtCore import QLockFile; l = QLockFile(sys.argv[1]); "
            "assert l.tryLock(0); print('locked', flush=True); sys.stdin.readline()",
            str(paths.data / "videotime.instance.lock"),
        ],
        stdout=subprocess.PIPE,
        stdin=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        assert SingleInstance(paths).claim(["x"]) is Role.UNREACHABLE
        assert time.monotonic() - started < 15
        assert "does not answer" in caplog.text
    finally:
        holder.communicate("\n", timeout=10)


def test_profiles_and_users_get_their_own_instance(tmp_path: Path) -> None:
    a = AppPaths.resolve(tmp_path / "a")
    b = AppPaths.resolve(tmp_path / "b")
    assert server_name(a) != server_name(b)
    assert server_name(a) == server_name(AppPaths.resolve(tmp_path / "a"))
    # macOS limits Unix socket paths to ~104 bytes, and Qt puts them in $TMPDIR.
    assert len(server_name(a)) <= 30


def test_garbage_on_the_socket_is_ignored_and_the_primary_keeps_serving(
    qtbot, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    primary = SingleInstance(AppPaths.resolve(tmp_path))
    assert primary.claim([]) is Role.PRIMARY
    received: list[str] = []
    primary.link_received.connect(received.append)
    try:
        for payload in (b"not json\n", b'{"v": 1}\n', b"[1, 2]\n"):
            sock = QLocalSocket()
            sock.connectToServer(primary.name)
            assert sock.waitForConnected(2000)
            sock.write(payload)
            sock.flush()
            qtbot.waitUntil(lambda s=sock: s.bytesAvailable() > 0 or s.state() == 0, timeout=5000)
            reply = json.loads(bytes(sock.readAll().data()).split(b"\n")[0])
            assert reply["links"] == 0
            assert reply["pid"] == os.getpid()
            sock.abort()
        assert received == []
        assert any("malformed" in r.getMessage() for r in caplog.records)
        second = launch(tmp_path, "123456")
        with qtbot.waitSignal(primary.link_received, timeout=15_000) as got:
            while second.poll() is None:
                qtbot.wait(20)
        second.communicate(timeout=10)
        assert got.args == ["123456"]
    finally:
        primary.close()


def test_only_link_like_arguments_of_sane_size_are_forwarded(
    caplog: pytest.LogCaptureFixture,
) -> None:
    huge = "videotime://x/" + "a" * 10_000
    assert links_in(["--debug", "", "  123456 ", huge, "videotime://a/b"]) == [
        "123456",
        "videotime://a/b",
    ]
    assert "over-long" in caplog.text
    assert len(links_in([f"{i:06d}" for i in range(100)])) == 16


def test_logged_shape_of_a_link_never_contains_pin_or_name() -> None:
    link = (
        "videotime://join.nhn.no/webapp/conference/123456?pin=4711&name=Kari%20Nordmann&role=guest"
    )
    shape = describe_link(link)
    assert shape == "videotime://join.nhn.no/webapp/conference/123456 params=name,pin,role"
    assert "4711" not in shape
    assert "Kari" not in shape
    hashed = describe_link("https://join.nhn.no/webapp/#/?conference=1&pin=9999")
    assert "9999" not in hashed
    assert "pin" in hashed
    assert describe_link("654321") == "<room number or text, 6 characters>"


def test_lock_is_released_on_close(tmp_path: Path) -> None:
    paths = AppPaths.resolve(tmp_path)
    instance = SingleInstance(paths)
    assert instance.claim([]) is Role.PRIMARY
    instance.close()
    other = QLockFile(str(paths.data / "videotime.instance.lock"))
    assert other.tryLock(0)
    other.unlock()
