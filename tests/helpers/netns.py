"""Private network namespaces for tests: a veth link to the host, bandwidth caps, loss, black holes.

Owner: call engine (issue 4).  Also used by pre-flight (bandwidth estimate) tests.

Why: real impairment instead of mocks.  ``tc netem`` does not exist on our machines, so delay is
not offered here; bandwidth is capped with ``tc tbf`` on both ends of the veth (tbf only shapes
egress, so each end shapes its own direction) and loss comes from iptables ``statistic``.

Every address lives on a link that only exists inside this machine: the host end of the veth gets
``10.213.N.1`` and the namespace end ``10.213.N.2`` (a /30 per namespace).  Nothing is routed
anywhere else; the namespace has no default route.

Interface::

    from tests.helpers.netns import network_namespace, netns_available

    with network_namespace() as ns:          # needs root; deletes everything on exit
        ns.addr, ns.host_addr                # "10.213.7.2", "10.213.7.1"
        proc = ns.popen(["chromium", ...])   # runs inside; terminated on exit
        ns.run(["ip", "addr"])               # CompletedProcess (check=True)
        ns.limit_bandwidth(500)              # kbit/s both directions (or to_ns=/from_ns=)
        ns.drop(0.05)                        # 5 % random loss both ways (or inbound=/outbound=)
        ns.blackhole(protocol="udp")         # drop all UDP on the link (media dies, HTTP lives)
        ns.clear_impairments()               # remove caps, loss and black holes
        port = ns.forward_tcp(8080)          # ns's 127.0.0.1:port -> host's 127.0.0.1:8080

``forward_tcp`` lets a browser inside the namespace reach a server on the host's loopback (the
embedded node's admin API only answers loopback peers, and a loopback origin is a secure
context).  The forwarder runs on threads of the test process and stops when the namespace closes.

Processes started with ``popen`` are registered with ``tests.helpers.processes`` only if you ask
(``long_lived=True``); otherwise the test that started them must end before the context exits,
which the context does for you.  Stale namespaces from a crashed run (same prefix, dead owner
pid) are removed when a new one is created.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

import psutil

PREFIX = "vtns"
_CHAIN = "VT_IMPAIR"
_counter = itertools.count(1)


def netns_available() -> bool:
    """True when this process may create namespaces (root with ``ip`` and ``tc``)."""
    return os.geteuid() == 0 and all(shutil.which(t) for t in ("ip", "tc", "iptables"))


def _sh(cmd: Sequence[str], check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(cmd), check=check, capture_output=True, text=True, timeout=20)


def _cleanup_stale() -> None:
    """Delete namespaces left by test processes that died without cleaning up."""
    out = _sh(["ip", "netns", "list"], check=False).stdout
    for line in out.splitlines():
        name = line.split()[0] if line.split() else ""
        if not name.startswith(PREFIX + "-"):
            continue
        try:
            owner = int(name.split("-")[1])
        except (IndexError, ValueError):
            continue
        if not psutil.pid_exists(owner):
            _sh(["ip", "netns", "del", name], check=False)
            _sh(["ip", "link", "del", f"vh{name.split('-', 1)[1]}"[:15]], check=False)


@dataclass
class Namespace:
    """One network namespace joined to the host by a veth pair (see module docstring)."""

    name: str
    index: int
    host_if: str
    ns_if: str
    host_addr: str
    addr: str
    _procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    _listeners: list[socket.socket] = field(default_factory=list)

    # ---------------------------------------------------------------- running things inside
    def prefix(self) -> list[str]:
        """Command prefix that runs a program inside the namespace."""
        return ["ip", "netns", "exec", self.name]

    def run(self, cmd: Sequence[str], check: bool = True) -> subprocess.CompletedProcess[str]:
        return _sh([*self.prefix(), *cmd], check=check)

    def popen(
        self, cmd: Sequence[str], long_lived: bool = False, **kwargs: object
    ) -> subprocess.Popen[bytes]:
        """Start ``cmd`` inside the namespace; it is terminated when the namespace closes."""
        proc: subprocess.Popen[bytes] = subprocess.Popen([*self.prefix(), *cmd], **kwargs)  # type: ignore[call-overload]
        self._procs.append(proc)
        if long_lived:
            from tests.helpers.processes import register_long_lived

            register_long_lived(proc.pid)
        return proc

    def forward_tcp(
        self, target_port: int, target_host: str = "127.0.0.1", *, into_ns: bool = False
    ) -> int:
        """Relay a new 127.0.0.1 port to ``target_host:target_port``; returns the new port.

        Default: the port is on the namespace's loopback and leads to the host.  With
        ``into_ns=True`` it is on the host's loopback and leads into the namespace (target
        ``self.addr``), so a client that only speaks plain http to loopback reaches a server
        running inside.
        """
        if into_ns:
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        else:
            listener = self._socket_inside()
        listener.bind(("127.0.0.1", 0))
        listener.listen(32)
        self._listeners.append(listener)

        def pump(src: socket.socket, dst: socket.socket) -> None:
            try:
                while data := src.recv(65536):
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                for s in (src, dst):
                    with suppress(OSError):
                        s.shutdown(socket.SHUT_RDWR)
                src.close()  # each socket is the source of exactly one pump

        def accept() -> None:
            while True:
                try:
                    inner, _ = listener.accept()
                except OSError:
                    return
                try:
                    outer = socket.create_connection((target_host, target_port), timeout=5)
                    outer.settimeout(None)
                except OSError:
                    inner.close()
                    continue
                for a, b in ((inner, outer), (outer, inner)):
                    threading.Thread(target=pump, args=(a, b), daemon=True).start()

        threading.Thread(target=accept, name=f"fwd-{self.name}", daemon=True).start()
        return int(listener.getsockname()[1])

    def _socket_inside(self) -> socket.socket:
        """A TCP socket created inside the namespace (setns on a helper thread)."""
        result: list[socket.socket | BaseException] = []

        def make() -> None:
            try:
                with open(f"/var/run/netns/{self.name}") as ns_file:
                    os.setns(ns_file.fileno(), os.CLONE_NEWNET)
                result.append(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            except BaseException as exc:
                result.append(exc)
            # This thread now lives in the namespace; it ends here, taking that with it.

        t = threading.Thread(target=make)
        t.start()
        t.join()
        made = result[0]
        if isinstance(made, BaseException):
            raise made
        made.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        return made

    # ---------------------------------------------------------------- impairment
    def limit_bandwidth(
        self,
        kbit: int | None = None,
        *,
        to_ns: int | None = None,
        from_ns: int | None = None,
        burst_bytes: int = 16_000,
        latency_ms: int = 100,
    ) -> None:
        """Cap the link with tbf: ``kbit`` both ways, or each direction separately."""
        for dev, rate, inside in (
            (self.host_if, to_ns if to_ns is not None else kbit, False),
            (self.ns_if, from_ns if from_ns is not None else kbit, True),
        ):
            if rate is None:
                continue
            cmd = [
                "tc",
                "qdisc",
                "replace",
                "dev",
                dev,
                "root",
                "tbf",
                "rate",
                f"{rate}kbit",
                "burst",
                str(burst_bytes),
                "latency",
                f"{latency_ms}ms",
            ]
            _sh([*self.prefix(), *cmd] if inside else cmd)

    def drop(self, probability: float, *, inbound: bool = True, outbound: bool = True) -> None:
        """Drop packets at random (iptables ``statistic``) on the namespace's veth end."""
        rules = []
        if inbound:
            rules.append(["-A", _CHAIN, "-i", self.ns_if])
        if outbound:
            rules.append(["-A", _CHAIN, "-o", self.ns_if])
        for rule in rules:
            self.run(
                [
                    "iptables",
                    *rule,
                    "-m",
                    "statistic",
                    "--mode",
                    "random",
                    "--probability",
                    f"{probability:.4f}",
                    "-j",
                    "DROP",
                ]
            )

    def blackhole(self, protocol: str = "all") -> None:
        """Drop every packet (of ``protocol``: all, udp, tcp) crossing the veth, both ways."""
        for direction in ("-i", "-o"):
            self.run(
                ["iptables", "-A", _CHAIN, direction, self.ns_if, "-p", protocol, "-j", "DROP"]
            )

    def block_port(self, protocol: str, port: int) -> None:
        """Drop traffic to and from ``port`` (e.g. keep host candidates away from a peer)."""
        for flag in ("--dport", "--sport"):
            self.run(["iptables", "-A", _CHAIN, "-p", protocol, flag, str(port), "-j", "DROP"])

    def clear_impairments(self) -> None:
        self.run(["iptables", "-F", _CHAIN])
        self.run(["tc", "qdisc", "del", "dev", self.ns_if, "root"], check=False)
        _sh(["tc", "qdisc", "del", "dev", self.host_if, "root"], check=False)

    # ---------------------------------------------------------------- lifecycle
    def close(self) -> None:
        for listener in self._listeners:
            with suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
            with suppress(OSError):
                listener.close()
        for proc in self._procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self._procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        # Anything else still running inside (a browser's helpers) goes too.
        pids = _sh(["ip", "netns", "pids", self.name], check=False).stdout.split()
        for pid in pids:
            with suppress(psutil.NoSuchProcess, ValueError):
                psutil.Process(int(pid)).kill()
        _sh(["ip", "link", "del", self.host_if], check=False)
        _sh(["ip", "netns", "del", self.name], check=False)


def create_namespace() -> Namespace:
    """Create a namespace with a veth link to the host; call ``close()`` (or use the context)."""
    if not netns_available():
        raise RuntimeError("network namespaces need root, iproute2 and iptables")
    _cleanup_stale()
    k = next(_counter)
    index = (os.getpid() * 7 + k) % 250 + 1
    in_use = _sh(["ip", "-o", "addr"], check=False).stdout
    while f"10.213.{index}." in in_use:  # another test process holds this /30
        index = index % 250 + 1
    tag = f"{os.getpid()}-{k}"
    name = f"{PREFIX}-{tag}"
    host_if = f"vh{tag}"[:15]
    ns_if = f"vn{tag}"[:15]
    host_addr, addr = f"10.213.{index}.1", f"10.213.{index}.2"
    ns = Namespace(name, index, host_if, ns_if, host_addr, addr)
    try:
        _sh(["ip", "netns", "add", name])
        _sh(["ip", "link", "add", host_if, "type", "veth", "peer", "name", ns_if])
        _sh(["ip", "link", "set", ns_if, "netns", name])
        _sh(["ip", "addr", "add", f"{host_addr}/30", "dev", host_if])
        _sh(["ip", "link", "set", host_if, "up"])
        ns.run(["ip", "addr", "add", f"{addr}/30", "dev", ns_if])
        ns.run(["ip", "link", "set", ns_if, "up"])
        ns.run(["ip", "link", "set", "lo", "up"])
        ns.run(["iptables", "-N", _CHAIN])
        ns.run(["iptables", "-I", "INPUT", "-j", _CHAIN])
        ns.run(["iptables", "-I", "OUTPUT", "-j", _CHAIN])
    except BaseException:
        ns.close()
        raise
    return ns


@contextmanager
def network_namespace() -> Iterator[Namespace]:
    """A namespace for the duration of a ``with`` block (see module docstring)."""
    ns = create_namespace()
    try:
        yield ns
    finally:
        ns.close()
