"""A tiny timer service, injectable so tests can run minutes of simulated time in milliseconds.

:class:`ThreadScheduler` runs callbacks on one (non-daemon) worker thread in due order and stops
cleanly on :meth:`close`. Tests use ``tests.helpers.pexip_fake.ManualScheduler``, which has the
same interface and runs due callbacks when the test advances its clock.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger(__name__)


class TimerHandle(Protocol):
    def cancel(self) -> None: ...


class Scheduler(Protocol):
    def now(self) -> float:
        """Monotonic seconds."""
        ...

    def call_later(self, delay: float, callback: Callable[[], None]) -> TimerHandle: ...

    def close(self) -> None: ...


class _Handle:
    __slots__ = ("callback", "cancelled", "due")

    def __init__(self, due: float, callback: Callable[[], None]) -> None:
        self.due = due
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class ThreadScheduler:
    """Real time, one worker thread, callbacks run one at a time."""

    def __init__(self, name: str = "pexip-timer") -> None:
        self._name = name
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, _Handle]] = []
        self._seq = itertools.count()
        self._closed = False
        self._thread: threading.Thread | None = None

    def now(self) -> float:
        return time.monotonic()

    def call_later(self, delay: float, callback: Callable[[], None]) -> TimerHandle:
        handle = _Handle(self.now() + max(0.0, delay), callback)
        with self._cond:
            if self._closed:
                handle.cancelled = True
                return handle
            heapq.heappush(self._heap, (handle.due, next(self._seq), handle))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=False)
                self._thread.start()
            self._cond.notify()
        return handle

    def close(self, timeout: float = 10.0) -> None:
        with self._cond:
            self._closed = True
            self._heap.clear()
            self._cond.notify()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._closed:
                    if self._heap and self._heap[0][0] <= self.now():
                        break
                    wait = self._heap[0][0] - self.now() if self._heap else None
                    self._cond.wait(wait)
                if self._closed:
                    return
                _, _, handle = heapq.heappop(self._heap)
            if handle.cancelled:
                continue
            try:
                handle.callback()
            except Exception:  # a timer bug must not stop the other timers
                log.exception("pexip timer callback failed")
