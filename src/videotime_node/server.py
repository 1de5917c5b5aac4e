"""Running the node: in an event loop (:class:`NodeServer`) or on a thread (:class:`NodeThread`).

async with NodeServer(NodeConfig()) as node:
    print(node.base_url)

runner = NodeThread(NodeConfig()); runner.start(); ...; runner.stop()   # sync tests
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import socket
import ssl
import threading
from types import TracebackType

from aiohttp import web

from videotime_node.api import build_app
from videotime_node.conference import Node
from videotime_node.config import NodeConfig
from videotime_node.tlscert import SelfSignedCertificate

log = logging.getLogger(__name__)


class NodeServer:
    def __init__(self, config: NodeConfig) -> None:
        self.config = config
        self.node = Node(config)
        self._runner: web.AppRunner | None = None
        self.certificate: SelfSignedCertificate | None = None
        self.base_url = ""
        self.port = 0

    @property
    def fingerprint(self) -> str | None:
        return self.certificate.fingerprint if self.certificate else None

    async def start(self) -> str:
        await self.node.start()
        app = build_app(self.node)
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=1.0
        )
        await self._runner.setup()
        ssl_context: ssl.SSLContext | None = None
        scheme = "http"
        if self.config.tls:
            self.certificate = SelfSignedCertificate.generate(self.config.host)
            ssl_context = self.certificate.server_context()
            scheme = "https"
        # Bind the socket ourselves so that port 0 resolves to a real port we can print.
        family = socket.AF_INET6 if ":" in self.config.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.config.host, self.config.port))
        except OSError:
            sock.close()
            await self.stop()
            if self.certificate is not None:
                self.certificate.cleanup()  # the private key must not outlive a failed start
            raise
        self.port = sock.getsockname()[1]
        site = web.SockSite(self._runner, sock, ssl_context=ssl_context)
        await site.start()
        host = f"[{self.config.host}]" if ":" in self.config.host else self.config.host
        self.base_url = f"{scheme}://{host}:{self.port}"
        log.info("node listening on %s", self.base_url)
        return self.base_url

    async def stop(self) -> None:
        await self.node.close()
        runner, self._runner = self._runner, None
        if runner is None:
            return
        # Stop accepting first, so the snapshot below holds every connection there will be.
        for site in list(runner.sites):
            await site.stop()
        server = runner.server
        transports = [h.transport for h in server.connections] if server is not None else []
        await runner.cleanup()
        # A TLS connection's close() sends close_notify and then waits (up to asyncio's 30 s
        # ssl_shutdown_timeout) for the peer's; an idle keep-alive client never answers, so the
        # socket would outlive the loop ("unclosed transport" at garbage collection). After
        # cleanup nothing is left to say on any connection: abort whatever is still open.
        for transport in transports:
            if transport is not None:
                transport.abort()
        await asyncio.sleep(0)  # let the aborted transports run connection_lost

    async def __aenter__(self) -> NodeServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()


async def settle_tasks(timeout: float = 3.0) -> None:
    """Let aiortc's own clean-up tasks (it closes a connection by itself when DTLS ends) finish,
    then cancel what is left and collect every outcome, so nothing is reported as "never
    retrieved" after the loop is gone."""
    current = asyncio.current_task()
    others = [t for t in asyncio.all_tasks() if t is not current]
    if not others:
        return
    _done, pending = await asyncio.wait(others, timeout=timeout)
    for task in pending:
        task.cancel()
    await asyncio.gather(*others, return_exceptions=True)


class NodeThread:
    """A node on its own asyncio loop in a daemon thread, for synchronous tests and tools."""

    def __init__(self, config: NodeConfig) -> None:
        self.config = config
        self.server: NodeServer | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopped: asyncio.Event | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return self.server.base_url

    @property
    def fingerprint(self) -> str | None:
        return self.server.fingerprint if self.server else None

    @property
    def ca_file(self) -> str | None:
        cert = self.server.certificate if self.server else None
        return str(cert.pem_path) if cert else None

    def start(self, timeout: float = 20) -> str:
        ready: concurrent.futures.Future[str] = concurrent.futures.Future()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self.loop = loop
            try:
                loop.run_until_complete(self._main(ready))
            finally:
                with contextlib.suppress(Exception):
                    loop.run_until_complete(settle_tasks())
                    loop.run_until_complete(loop.shutdown_asyncgens())
                    loop.run_until_complete(loop.shutdown_default_executor())
                loop.close()

        self._thread = threading.Thread(target=run, name="videotime-node", daemon=True)
        self._thread.start()
        return ready.result(timeout)

    async def _main(self, ready: concurrent.futures.Future[str]) -> None:
        self._stopped = asyncio.Event()
        self.server = NodeServer(self.config)
        try:
            url = await self.server.start()
        except BaseException as exc:
            ready.set_exception(exc)
            return
        ready.set_result(url)
        try:
            await self._stopped.wait()
        finally:
            await self.server.stop()

    def call(self, fn, *args):
        """Run ``fn(*args)`` on the node's loop and return its result (state inspection)."""
        assert self.loop is not None

        async def go():
            return fn(*args)

        return asyncio.run_coroutine_threadsafe(go(), self.loop).result(10)

    def stop(self, timeout: float = 15) -> None:
        if self.loop is not None and self._stopped is not None and self._thread is not None:
            with contextlib.suppress(RuntimeError):
                self.loop.call_soon_threadsafe(self._stopped.set)
            self._thread.join(timeout)
        if self.server and self.server.certificate:
            self.server.certificate.cleanup()
