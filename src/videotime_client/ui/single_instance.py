"""One Videotime per user: a second launch hands its link to the first and exits.

Patients click the link in their letter while Videotime is already open (or click it twice).
The operating system then starts a *second* process with the link as its argument (Linux
``.desktop`` ``%u``, Windows ``"%1"``). That process must not open a second window: it forwards
its arguments to the running one and exits 0. macOS normally never starts a second process; it
sends the running app an open-URL event instead (see :mod:`videotime_client.ui.url_events`,
which emits the same :attr:`SingleInstance.link_received` signal).

How (measured pitfalls in packaging/README.md):

* ``QLockFile`` in the profile's data directory decides who is primary. ``QLocalServer.listen``
  alone is *not* mutual exclusion on Windows (named pipes allow many listeners), and a crashed
  primary leaves a stale socket file on Unix. The lock counts as stale only when its owner PID is
  dead, and only the lock holder may call ``removeServer``.
* The server name hashes the user and the data directory, so two users (RDP, fast user switching)
  and two test profiles (``--data-dir``) never meet; it is short because macOS limits socket
  paths to about 104 bytes.
* Message (one JSON line, versioned so an old launcher still talks to a new app after an upgrade):
  ``{"v": 1, "argv": [...]}``; the primary answers ``{"v": 1, "pid": N, "links": K}``.
* On Windows the *secondary* calls ``AllowSetForegroundWindow(primary_pid)``, because the
  foreground-lock rules stop the primary from raising itself.

Use from ``ui/app.py`` (after the ``QApplication`` exists, before any window)::

    instance = SingleInstance(paths)
    if instance.claim(argv) is not Role.PRIMARY:
        return 0                     # forwarded (or a clear message was logged): just exit
    instance.link_received.connect(home.open_link)       # str: the untrusted link text
    instance.activation_requested.connect(window.bring_to_front)
    url_events.install(app, instance)                    # macOS open-URL events
    ... open instance.initial_links() ...                # the first launch's own links

Links are untrusted input: they are passed on as text for ``videotime_client.invitation`` to
parse; this module only limits their size and count. Links are never logged in full (they can
carry a PIN or a name); :func:`describe_link` gives the loggable shape.
"""

from __future__ import annotations

import enum
import getpass
import hashlib
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from urllib.parse import parse_qsl, urlsplit

from PySide6.QtCore import QByteArray, QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from videotime_client.paths import AppPaths

log = logging.getLogger(__name__)

PROTOCOL_VERSION = 1
MAX_ARGS = 16
MAX_ARG_CHARS = 8192  # invitation links are at most 2,048; this only stops abuse of the socket
MAX_MESSAGE_BYTES = 256 * 1024
CONNECT_RETRY_S = 5.0  # a primary that has just taken the lock needs a moment to listen
REPLY_TIMEOUT_MS = 3000


class Role(enum.Enum):
    PRIMARY = "primary"  # this process owns the window; keep running
    FORWARDED = "forwarded"  # the running Videotime got our links; exit 0
    UNREACHABLE = "unreachable"  # another Videotime holds the lock but does not answer


def server_name(paths: AppPaths) -> str:
    """Short per-user, per-profile name for the local socket / named pipe."""
    try:
        user = getpass.getuser()
    except Exception:  # no user name in some sandboxes; the uid still separates users
        user = str(getattr(os, "getuid", lambda: 0)())
    session = os.environ.get("SESSIONNAME", "")  # Windows: RDP sessions share pipe names
    digest = hashlib.sha256(f"{user}\0{session}\0{paths.data}".encode()).hexdigest()[:16]
    return f"videotime-{digest}"


def links_in(argv: Sequence[str]) -> list[str]:
    """The arguments that may be links (not options), limited in size and count."""
    links = []
    for arg in argv[:MAX_ARGS]:
        if not isinstance(arg, str) or not arg.strip() or arg.startswith("-"):
            continue
        if len(arg) > MAX_ARG_CHARS:
            log.warning("ignored an over-long argument (%d characters)", len(arg))
            continue
        links.append(arg.strip())
    return links


def describe_link(link: str) -> str:
    """Loggable shape of a link: scheme, host, path and parameter *names* (never values)."""
    try:
        parts = urlsplit(link)
    except ValueError:
        return f"<unparseable, {len(link)} characters>"
    if not parts.scheme:
        return f"<room number or text, {len(link)} characters>"
    keys = sorted({key for key, _ in parse_qsl(parts.query + "&" + parts.fragment.split("?")[-1])})
    suffix = f" params={','.join(keys)}" if keys else ""
    return f"{parts.scheme}://{parts.hostname or ''}{parts.path}{suffix}"


class SingleInstance(QObject):
    """Decides primary/secondary and, in the primary, receives later launches' links.

    Signals (documented contract for the UI):

    * ``link_received(str)``: a link from a later launch or an OS open-URL event, as untrusted
      text; parse it with ``videotime_client.invitation``.
    * ``activation_requested()``: a later launch or event asked for the window (emitted once
      per message, after its links); bring the main window to the front.
    """

    link_received = Signal(str)
    activation_requested = Signal()

    def __init__(self, paths: AppPaths, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._paths = paths
        self._name = server_name(paths)
        self._lock: QLockFile | None = None
        self._server: QLocalServer | None = None
        self._initial: list[str] = []
        self._buffers: dict[QLocalSocket, bytearray] = {}

    @property
    def name(self) -> str:
        return self._name

    def initial_links(self) -> list[str]:
        """The links this (primary) process was started with."""
        return list(self._initial)

    def claim(self, argv: Sequence[str]) -> Role:
        """Become the primary, or forward ``argv`` to the one that is (waiting up to 5 s)."""
        self._paths.data.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock = QLockFile(str(self._paths.data / "videotime.instance.lock"))
        lock.setStaleLockTime(0)  # stale only when the owning process is gone
        deadline = time.monotonic() + CONNECT_RETRY_S
        while True:
            if lock.tryLock(0):
                self._lock = lock
                self._initial = links_in(argv)
                self._listen()
                _hold_running_mutex()
                return Role.PRIMARY
            reply = self._forward(argv)
            if reply is not None:
                log.info("forwarded %d link(s) to the running Videotime", reply.get("links", 0))
                _allow_foreground(reply.get("pid"))
                return Role.FORWARDED
            if time.monotonic() >= deadline:
                log.warning("another Videotime holds the lock but does not answer")
                return Role.UNREACHABLE
            time.sleep(0.1)

    def close(self) -> None:
        """Stop serving and release the lock (also done when the process exits)."""
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None

    # ------------------------------------------------------------------ primary side

    def _listen(self) -> None:
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        # Safe only because we hold the lock: clears a crashed primary's socket file.
        QLocalServer.removeServer(self._name)
        if not server.listen(self._name):
            log.warning("cannot listen for later launches: %s", server.errorString())
            return
        server.newConnection.connect(self._on_new_connection)
        self._server = server
        log.info("single instance: serving later launches (pid %d)", os.getpid())

    def _on_new_connection(self) -> None:
        assert self._server is not None
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._buffers[socket] = bytearray()
            socket.readyRead.connect(lambda s=socket: self._on_ready_read(s))
            socket.disconnected.connect(lambda s=socket: self._drop(s))

    def _drop(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def _on_ready_read(self, socket: QLocalSocket) -> None:
        buffer = self._buffers.get(socket)
        if buffer is None:
            return
        buffer.extend(bytes(socket.readAll().data()))
        if len(buffer) > MAX_MESSAGE_BYTES:
            log.warning("dropped an over-long message from a later launch")
            socket.abort()
            return
        if b"\n" not in buffer:
            return
        line = bytes(buffer).split(b"\n", 1)[0]
        buffer.clear()
        links = self._handle(line)
        reply = {"v": PROTOCOL_VERSION, "pid": os.getpid(), "links": len(links)}
        socket.write(QByteArray(json.dumps(reply).encode() + b"\n"))
        socket.flush()
        socket.disconnectFromServer()
        for link in links:
            log.info("link received from a later launch: %s", describe_link(link))
            self.link_received.emit(link)
        self.activation_requested.emit()

    def _handle(self, line: bytes) -> list[str]:
        try:
            message = json.loads(line)
        except ValueError:
            log.warning("ignored a malformed message from a later launch")
            return []
        if not isinstance(message, dict) or not isinstance(message.get("argv"), list):
            log.warning("ignored a message without argv from a later launch")
            return []
        # Newer launchers may add keys (version > 1); argv is all we need from any version.
        return links_in([a for a in message["argv"] if isinstance(a, str)])

    # ------------------------------------------------------------------ secondary side

    def _forward(self, argv: Sequence[str]) -> dict[str, int] | None:
        socket = QLocalSocket()
        socket.connectToServer(self._name)
        if not socket.waitForConnected(500):
            return None
        message = {"v": PROTOCOL_VERSION, "argv": links_in(argv)}
        socket.write(QByteArray(json.dumps(message).encode() + b"\n"))
        socket.flush()
        data = b""
        deadline = time.monotonic() + REPLY_TIMEOUT_MS / 1000
        while b"\n" not in data and time.monotonic() < deadline:
            if socket.bytesAvailable() == 0 and not socket.waitForReadyRead(100):
                if socket.state() == QLocalSocket.LocalSocketState.UnconnectedState:
                    break
                continue
            data += bytes(socket.readAll().data())
        socket.abort()
        try:
            reply = json.loads(data.split(b"\n", 1)[0])
        except ValueError:
            return None
        if not isinstance(reply, dict):
            return None
        return {k: int(v) for k, v in reply.items() if isinstance(v, int)}


# Windows: the installer's AppMutex (packaging/windows/videotime.iss) looks for this name to
# ask the patient to close Videotime before an upgrade or uninstall. Held until the process ends.
RUNNING_MUTEX = "VideotimeRunning"
_mutex_handle: int | None = None


def _hold_running_mutex() -> None:
    global _mutex_handle
    if sys.platform != "win32" or _mutex_handle is not None:
        return
    import ctypes

    _mutex_handle = ctypes.windll.kernel32.CreateMutexW(None, False, RUNNING_MUTEX)


def _allow_foreground(pid: int | None) -> None:
    """Windows: let the primary raise its window (the foreground lock is ours to give)."""
    if sys.platform != "win32" or not pid:
        return
    import ctypes

    try:
        ctypes.windll.user32.AllowSetForegroundWindow(int(pid))
    except OSError:
        log.info("AllowSetForegroundWindow failed; the window may only flash in the taskbar")
