"""Fail a test that leaves child processes running (browsers, TURN servers, nodes...)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

import psutil
import pytest

# Processes started by session- or module-scoped fixtures (a PulseAudio daemon, a node shared
# by many tests). Such fixtures call register_long_lived(pid) so they are not reported as leaks;
# they must still stop them at teardown.
_LONG_LIVED: set[int] = set()


def register_long_lived(pid: int) -> None:
    """Mark ``pid`` (and its children) as owned by a wider-scoped fixture."""
    _LONG_LIVED.add(pid)


def _children() -> set[int]:
    pids: set[int] = set()
    for p in psutil.Process().children(recursive=True):
        pids.add(p.pid)
    excluded: set[int] = set()
    for pid in _LONG_LIVED:
        try:
            proc = psutil.Process(pid)
            excluded.add(pid)
            excluded.update(c.pid for c in proc.children(recursive=True))
        except psutil.NoSuchProcess:
            pass
    return pids - excluded


@pytest.fixture(autouse=True)
def _no_leaked_processes(request: pytest.FixtureRequest) -> Iterator[None]:
    before = _children()
    yield
    if request.node.get_closest_marker("session_service"):
        return
    deadline = time.monotonic() + 5
    leaked: set[int] = set()
    while time.monotonic() < deadline:
        leaked = set()
        for pid in _children() - before:
            try:
                if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                    leaked.add(pid)
            except psutil.NoSuchProcess:
                pass
        if not leaked:
            return
        time.sleep(0.1)
    names = []
    for pid in leaked:
        with contextlib.suppress(psutil.NoSuchProcess):
            names.append(f"{pid} {' '.join(psutil.Process(pid).cmdline())[:120]}")
    if names:
        for pid in leaked:
            with contextlib.suppress(psutil.NoSuchProcess):
                psutil.Process(pid).kill()
        pytest.fail("test left processes running:\n" + "\n".join(names))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "session_service: uses a session-scoped process that outlives the test"
    )
