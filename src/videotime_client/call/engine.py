"""The media engine: ONE dedicated asyncio thread that owns every RTCPeerConnection.

Why a thread of its own (aiortc-notes §3): QtAsyncio cannot do UDP, and qasync puts Qt's signal
machinery on aiortc's per-frame path.  A plain asyncio loop on its own thread is the best-tested
loop on every OS; GUI work cannot delay RTP, RTCP, consent checks or audio pacing, and media work
cannot starve the GUI.  The GUI (through ``ui.bridge``) and the CLI talk to the engine only by
submitting coroutines; nothing outside this thread touches a peer connection or a track.

Shutdown order (measured: a peer connection that is not closed leaves aiortc's non-daemon
``video-decoder`` thread blocked in ``queue.get()`` and the process hangs at exit):

1. cancel the submitted work that still runs (a call in progress runs its own teardown: it
   closes its peer connection, tells the node and reaches ``ended``, so nobody waiting for it
   hangs), bounded by a timeout;
2. close every peer connection still registered with
   :meth:`MediaEngine.track_peer_connection` (bounded by a timeout);
3. ``loop.shutdown_default_executor()`` (the encoder runs there);
4. stop the loop and join the thread (bounded).

:meth:`MediaEngine.close` does all of it and is idempotent; an ``atexit`` hook calls it too.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import logging
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

CLOSE_TIMEOUT_S = 5.0


class EngineClosed(RuntimeError):
    """Work was submitted to an engine that has been closed."""


class MediaEngine:
    """Owns the asyncio thread for media; see the module docstring."""

    def __init__(self, name: str = "videotime-media") -> None:
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._closed = False
        self._lock = threading.Lock()
        self._peer_connections: set[Any] = set()
        self._closers: list[Callable[[], Coroutine[Any, Any, None]]] = []
        self._submitted: set[asyncio.Task[Any]] = set()  # media-thread only
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()
        self._ready.wait()
        atexit.register(self.close)

    # ---------------------------------------------------------------- thread
    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.call_soon(self._ready.set)
        try:
            self._loop.run_forever()
        finally:
            self._loop.close()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    @property
    def closed(self) -> bool:
        return self._closed

    def in_engine_thread(self) -> bool:
        return threading.current_thread() is self._thread

    # ---------------------------------------------------------------- work in
    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Run ``coro`` on the media thread; returns a thread-safe future."""
        if self._closed:
            coro.close()
            raise EngineClosed("the media engine is closed")
        return asyncio.run_coroutine_threadsafe(self._tracked(coro), self._loop)

    async def _tracked(self, coro: Coroutine[Any, Any, T]) -> T:
        task = asyncio.current_task()
        if task is not None:
            self._submitted.add(task)
        try:
            return await coro
        finally:
            if task is not None:
                self._submitted.discard(task)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Submit ``coro`` and wait for its result (never call this from the media thread)."""
        if self.in_engine_thread():
            coro.close()
            raise RuntimeError("MediaEngine.run() called from the media thread would deadlock")
        return self.submit(coro).result(timeout)

    def call_soon(self, fn: Callable[..., object], *args: object) -> None:
        """Schedule a plain callable on the media thread (cheap; used for frame hand-off)."""
        if not self._closed:
            self._loop.call_soon_threadsafe(fn, *args)

    # ---------------------------------------------------------------- ownership
    def track_peer_connection(self, pc: Any) -> None:
        """Register a peer connection so shutdown closes it (call on the media thread)."""
        self._peer_connections.add(pc)

    def forget_peer_connection(self, pc: Any) -> None:
        self._peer_connections.discard(pc)

    def add_closer(self, closer: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """An extra coroutine to await at shutdown (before peer connections close)."""
        self._closers.append(closer)

    # ---------------------------------------------------------------- shutdown
    async def _close_all(self) -> None:
        # Only work submitted through submit()/run(): aiortc's own tasks end with their peer
        # connection's close() below (cancelling them under aiortc's feet breaks close()).
        running = [t for t in self._submitted if not t.done()]
        for task in running:
            task.cancel()
        if running:
            _, stuck = await asyncio.wait(running, timeout=CLOSE_TIMEOUT_S)
            if stuck:
                log.error(
                    "%d media task(s) did not stop within %.0f s", len(stuck), CLOSE_TIMEOUT_S
                )
        for closer in list(self._closers):
            try:
                await asyncio.wait_for(closer(), CLOSE_TIMEOUT_S)
            except Exception:
                log.exception("a media closer failed during shutdown")
        pcs = list(self._peer_connections)
        self._peer_connections.clear()
        if pcs:
            results = await asyncio.gather(
                *(asyncio.wait_for(pc.close(), CLOSE_TIMEOUT_S) for pc in pcs),
                return_exceptions=True,
            )
            for result in results:
                if isinstance(result, BaseException):
                    log.error("closing a peer connection failed: %s", type(result).__name__)

    def close(self, timeout: float = 3 * CLOSE_TIMEOUT_S) -> None:
        """Close peer connections, the executor and the loop; join the thread.  Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        atexit.unregister(self.close)
        if self.in_engine_thread():
            raise RuntimeError("MediaEngine.close() must not be called from the media thread")
        if self._loop.is_running():
            try:
                asyncio.run_coroutine_threadsafe(self._close_all(), self._loop).result(timeout)
            except Exception:
                log.exception("media shutdown did not finish cleanly")
            try:
                asyncio.run_coroutine_threadsafe(
                    self._loop.shutdown_default_executor(), self._loop
                ).result(timeout)
            except Exception:
                log.exception("the encoder executor did not stop in time")
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.error("the media thread did not stop within %.0f s", timeout)
