"""The Qt ⇄ media-thread bridge: coroutines in, queued signals and a latest-frame mailbox out."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QObject, Signal

from videotime_client.call.engine import MediaEngine
from videotime_client.call.session import CallState, StateChanged
from videotime_client.ui.bridge import CallBridge, FrameMailbox


@pytest.fixture
def engine() -> Iterator[MediaEngine]:
    e = MediaEngine()
    yield e
    e.close()


def test_submit_runs_on_media_thread_and_answers_on_gui_thread(qtbot, engine) -> None:
    bridge = CallBridge(engine)
    gui = threading.current_thread()
    seen: dict[str, object] = {}

    async def work() -> str:
        seen["ran_on"] = threading.current_thread()
        await asyncio.sleep(0.01)
        return "ok"

    def done(result: object, error: BaseException | None) -> None:
        seen["result"], seen["error"], seen["done_on"] = result, error, threading.current_thread()

    bridge.submit(work(), done)
    qtbot.waitUntil(lambda: "done_on" in seen, timeout=5000)
    assert seen["result"] == "ok"
    assert seen["error"] is None
    assert seen["ran_on"] is not gui
    assert seen["done_on"] is gui


def test_submit_reports_errors_instead_of_raising(qtbot, engine) -> None:
    bridge = CallBridge(engine)
    got: list[object] = []

    async def broken() -> None:
        raise ValueError("nope")

    bridge.submit(broken(), lambda r, e: got.append(e))
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    assert isinstance(got[0], ValueError)


def test_call_events_arrive_as_queued_signals_on_gui_thread(qtbot, engine) -> None:
    bridge = CallBridge(engine)
    received: list[tuple[object, threading.Thread]] = []
    bridge.stateChanged.connect(lambda ev: received.append((ev, threading.current_thread())))
    event = StateChanged(CallState.CONNECTING, CallState.IDLE)
    engine.call_soon(bridge.on_call_event, event)
    qtbot.waitUntil(lambda: bool(received), timeout=5000)
    assert received[0][0] == event
    assert received[0][1] is threading.current_thread()


def test_post_runs_callables_on_gui_thread_in_order_from_any_thread(qtbot, engine) -> None:
    bridge = CallBridge(engine)
    gui = threading.current_thread()
    ran: list[tuple[int, threading.Thread]] = []

    def from_worker() -> None:  # e.g. the conference's event-stream thread
        for i in range(100):
            bridge.post(lambda i=i: ran.append((i, threading.current_thread())))

    worker = threading.Thread(target=from_worker)
    worker.start()
    worker.join()
    engine.call_soon(bridge.post, lambda: ran.append((100, threading.current_thread())))
    qtbot.waitUntil(lambda: len(ran) == 101, timeout=5000)
    assert [i for i, _ in ran] == list(range(101))
    assert all(thread is gui for _, thread in ran)


def test_post_from_gui_thread_is_queued_not_inline(qtbot, engine) -> None:
    bridge = CallBridge(engine)
    ran: list[str] = []
    bridge.post(lambda: ran.append("posted"))
    ran.append("caller")  # the caller finishes first: post never re-enters it
    qtbot.waitUntil(lambda: len(ran) == 2, timeout=5000)
    assert ran == ["caller", "posted"]


def test_post_logs_a_failing_callable_and_keeps_going(qtbot, engine, caplog) -> None:
    bridge = CallBridge(engine)
    ran: list[int] = []

    def broken() -> None:
        raise ValueError("nope")

    bridge.post(broken)
    bridge.post(lambda: ran.append(1))
    qtbot.waitUntil(lambda: ran == [1], timeout=5000)
    failures = [r for r in caplog.records if r.name == "videotime_client.ui.bridge"]
    assert len(failures) == 1
    assert failures[0].exc_info is not None
    assert failures[0].exc_info[0] is ValueError


def test_mailbox_keeps_only_the_newest_frame_and_notifies_once(qtbot, engine) -> None:
    bridge = CallBridge(engine)
    notified: list[int] = []
    shown: list[object] = []
    bridge.remoteFrameReady.connect(lambda: notified.append(1))

    burst_done = threading.Event()

    def burst() -> None:  # 500 frames while the GUI is busy elsewhere
        for i in range(500):
            bridge.put_remote_frame(i)
        burst_done.set()

    engine.call_soon(burst)
    qtbot.waitUntil(lambda: burst_done.is_set() and bool(notified), timeout=10000)
    shown.append(bridge.remote_video.take())
    assert shown == [499]  # the GUI never sees a backlog
    assert len(notified) == 1  # one notification for one frame to show
    assert bridge.remote_video.take() is None
    assert bridge.remote_video.replaced == 499


def test_mailbox_is_safe_across_threads() -> None:
    box = FrameMailbox()
    stop = threading.Event()
    taken: list[int] = []

    def reader() -> None:
        while not stop.is_set():
            f = box.take()
            if f is not None:
                taken.append(f)

    t = threading.Thread(target=reader)
    t.start()
    for i in range(20000):
        box.put(i)
    stop.set()
    t.join()
    assert taken == sorted(taken)  # never an older frame after a newer one
    assert len(set(taken)) == len(taken)
    final = box.take()
    assert (final if final is not None else taken[-1]) == 19999  # the newest is never lost


class _Emitter(QObject):
    flag = Signal(bool)
    value = Signal(object)


def test_ten_thousand_emits_survive(qtbot, engine) -> None:
    """Regression for PySide6 6.12.0: every emit over-released ``True`` on Python <= 3.11 and
    the process aborted after ~600 emits.  10,000 emits, direct and queued across threads."""
    emitter = _Emitter()
    count = {"flag": 0, "value": 0}
    emitter.flag.connect(lambda b: count.__setitem__("flag", count["flag"] + int(b)))
    emitter.value.connect(lambda v: count.__setitem__("value", count["value"] + 1))
    for _ in range(10_000):
        emitter.flag.emit(True)
    assert count["flag"] == 10_000

    def from_media_thread() -> None:
        for i in range(10_000):
            emitter.value.emit(i)

    engine.call_soon(from_media_thread)
    qtbot.waitUntil(lambda: count["value"] == 10_000, timeout=30000)


# Qt Multimedia probes for PipeWire when it first loads (machine noise, see tests/ui/test_devices).
@pytest.mark.qt_log_ignore("pipewire")
def test_remote_picture_reaches_a_qvideosink_through_the_mailbox(qtbot, engine) -> None:
    """The GUI path: media thread → mailbox → (notified) GUI slot → QVideoSink."""
    from PySide6.QtMultimedia import QVideoSink

    from videotime_client.media.qt_devices import av_to_qvideoframe
    from videotime_client.media.synthetic import SyntheticVideoTrack

    bridge = CallBridge(engine)
    sink = QVideoSink()
    shown: list[tuple[int, int]] = []

    def show() -> None:
        frame = bridge.remote_video.take()
        if frame is not None:
            sink.setVideoFrame(av_to_qvideoframe(frame))
            shown.append((sink.videoFrame().width(), sink.videoFrame().height()))

    bridge.remoteFrameReady.connect(show)

    async def produce() -> None:
        track = SyntheticVideoTrack(320, 240)
        for _ in range(5):
            bridge.put_remote_frame(await track.recv())

    engine.run(produce(), timeout=10)
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert shown[-1] == (320, 240)
