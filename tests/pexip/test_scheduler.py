"""The real timer thread: order, cancellation, clean stop, and a failing callback is contained."""

from __future__ import annotations

import threading

import pytest

from videotime_client.pexip.scheduler import ThreadScheduler


def test_callbacks_run_in_due_order_and_cancelled_ones_do_not() -> None:
    scheduler = ThreadScheduler()
    ran: list[str] = []
    done = threading.Event()
    scheduler.call_later(0.06, lambda: ran.append("late"))
    cancelled = scheduler.call_later(0.03, lambda: ran.append("cancelled"))
    scheduler.call_later(0.0, lambda: ran.append("now"))
    scheduler.call_later(0.09, done.set)
    cancelled.cancel()
    assert done.wait(5)
    scheduler.close()
    assert ran == ["now", "late"]
    assert not [t for t in threading.enumerate() if t.name == "pexip-timer"]


def test_close_drops_pending_timers_and_refuses_new_ones() -> None:
    scheduler = ThreadScheduler()
    ran: list[int] = []
    scheduler.call_later(30, lambda: ran.append(1))
    scheduler.close()
    scheduler.call_later(0, lambda: ran.append(2))
    assert ran == []
    assert not [t for t in threading.enumerate() if t.name == "pexip-timer"]


def test_a_failing_callback_does_not_stop_the_others(caplog: pytest.LogCaptureFixture) -> None:
    scheduler = ThreadScheduler()
    done = threading.Event()

    def boom() -> None:
        raise RuntimeError("timer bug")

    scheduler.call_later(0, boom)
    scheduler.call_later(0.01, done.set)
    assert done.wait(5)
    scheduler.close()
    assert "timer bug" in caplog.text


def test_close_from_inside_a_callback() -> None:
    scheduler = ThreadScheduler()
    done = threading.Event()

    def close_me() -> None:
        scheduler.close()  # must not join itself
        done.set()

    scheduler.call_later(0, close_me)
    assert done.wait(5)
    scheduler.close()
