"""Fixtures for call-engine tests: nodes on a namespace's veth, headless joins in a thread."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from tests.helpers.coturn import coturn, coturn_tls  # noqa: F401  (fixtures for this directory)
from tests.helpers.netns import Namespace, netns_available, network_namespace
from tests.helpers.node import (  # noqa: F401  (fixtures for this directory)
    RunningNode,
    node,
    node_factory,
    node_process,
)


def start_node_on(host: str, scenario: dict[str, Any] | None = None) -> RunningNode:
    """An in-process node listening on ``host`` (and gathering ICE candidates there only)."""
    from videotime_node.config import NodeConfig
    from videotime_node.server import NodeThread

    config = NodeConfig.from_scenario(scenario or {}, host=host, port=0, tls=False)
    config.ice_host_addresses = [host]
    runner = NodeThread(config)
    runner.start()
    return RunningNode(runner.base_url, runner.stop)


@pytest.fixture
def ns() -> Iterator[Namespace]:
    if not netns_available():
        pytest.fail("network namespaces need root, iproute2 and iptables (see system-packages)")
    with network_namespace() as namespace:
        yield namespace


def invitation_for(running: RunningNode, alias: str, **extra: Any) -> Any:
    """An Invitation for a running node (http, any local address: tests only)."""
    from videotime_client.invitation import Invitation

    host = running.base_url.split("://", 1)[1].rstrip("/")
    return Invitation(node=host, alias=alias, scheme="http", **extra)


class JoinThread:
    """Run ``headless_join`` in a thread so a test can watch the other side meanwhile."""

    def __init__(self, target: Callable[[], Any]) -> None:
        self.result: Any = None
        self.error: BaseException | None = None
        self.call: Any = None
        self._thread = threading.Thread(target=self._run, args=(target,), daemon=True)

    def _run(self, target: Callable[[], Any]) -> None:
        try:
            self.result = target()
        except BaseException as exc:
            self.error = exc

    def start(self) -> JoinThread:
        self._thread.start()
        return self

    def join(self, timeout: float = 60) -> Any:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the join did not finish"
        if self.error is not None:
            raise self.error
        return self.result


def chromium_in(ns: Namespace, url: str, profile: str) -> Any:
    """Start headless Chromium (the shared helper's flags) inside ``ns``; stopped with it."""
    import os
    import subprocess

    from tests.helpers import chromium as helper

    args = [helper.CHROMIUM, *helper.BASE_FLAGS, f"--user-data-dir={profile}"]
    if os.geteuid() == 0:
        args.append("--no-sandbox")
    return ns.popen([*args, url], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def node_in(ns: Namespace, scenario: dict[str, Any] | None = None, tmp: Any = None) -> str:
    """Run ``videotime node serve`` inside ``ns`` on its veth address.

    Returns a loopback base URL on the host that is forwarded to the node (the client only
    speaks plain http to loopback); media goes straight across the veth.  The process is stopped
    when the namespace closes.  Its admin API is out of reach, which these tests do not need.
    """
    import json
    import subprocess
    import sys
    import tempfile
    import time

    cmd = [
        sys.executable,
        "-m",
        "videotime_client",
        "node",
        "serve",
        "--host",
        ns.addr,
        "--port",
        "0",
    ]
    if scenario is not None:
        path = tmp / "scenario.json"
        path.write_text(json.dumps(scenario), encoding="utf-8")
        cmd += ["--scenario", str(path)]
    with tempfile.TemporaryFile() as out:
        proc = ns.popen(cmd, stdout=out, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        line = ""
        while time.monotonic() < deadline and "\n" not in line:
            out.seek(0)
            line = out.read().decode(errors="replace")
            if proc.poll() is not None:
                break
            time.sleep(0.05)
    line = line.split("\n", 1)[0].strip()
    if not line.startswith("http"):
        raise RuntimeError(f"node did not start in the namespace: {line!r}")
    port = int(line.rsplit(":", 1)[1].rstrip("/"))
    return f"http://127.0.0.1:{ns.forward_tcp(port, ns.addr, into_ns=True)}"


def invitation_at(base_url: str, alias: str, **extra: Any) -> Any:
    from videotime_client.invitation import Invitation

    host = base_url.split("://", 1)[1].rstrip("/")
    return Invitation(node=host, alias=alias, scheme="http", **extra)
