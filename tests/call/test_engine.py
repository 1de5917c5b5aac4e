"""The media engine thread: work in, bounded shutdown, and no hang at exit."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from typing import Any

import pytest

from videotime_client.call.engine import EngineClosed, MediaEngine


def test_submit_runs_on_one_dedicated_thread() -> None:
    engine = MediaEngine()
    try:

        async def where() -> str:
            return threading.current_thread().name

        assert engine.run(where(), timeout=5) == "videotime-media"
        assert engine.run(where(), timeout=5) == "videotime-media"
    finally:
        engine.close()


def test_close_is_idempotent_and_refuses_new_work() -> None:
    engine = MediaEngine()
    engine.close()
    engine.close()

    async def nothing() -> None:
        return None

    with pytest.raises(EngineClosed):
        engine.submit(nothing())


def test_close_closes_registered_peer_connections_and_stops_the_thread() -> None:
    from aiortc import RTCConfiguration, RTCPeerConnection

    engine = MediaEngine(name="videotime-media-close-test")

    async def open_pc() -> RTCPeerConnection:
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        engine.track_peer_connection(pc)
        pc.addTransceiver("audio")
        await pc.setLocalDescription(await pc.createOffer())  # gathers: a live ICE transport
        return pc

    from videotime_client.call.ice import host_addresses

    async def open_on_loopback() -> RTCPeerConnection:
        with host_addresses(["127.0.0.1"]):
            return await open_pc()

    pc = engine.run(open_on_loopback(), timeout=30)
    engine.close()
    assert pc.connectionState == "closed"
    assert engine.loop.is_closed()
    assert not any(
        t.name == "videotime-media-close-test" and t.is_alive() for t in threading.enumerate()
    )


_HANG_SCRIPT = textwrap.dedent(
    """
    import asyncio, aioice.ice
    from aiortc import RTCPeerConnection, RTCConfiguration
    from videotime_client.call.engine import MediaEngine
    from videotime_client.call.ice import host_addresses
    from videotime_client.media.synthetic import SyntheticVideoTrack, ToneAudioTrack

    engine = MediaEngine()

    async def call():
        a = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        b = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        engine.track_peer_connection(a)
        engine.track_peer_connection(b)
        a.addTrack(SyntheticVideoTrack()); a.addTrack(ToneAudioTrack())
        got = asyncio.Event()
        @b.on("track")
        def on_track(track):
            async def drain():
                while True:
                    await track.recv(); got.set()
            asyncio.ensure_future(drain())
        with host_addresses(["127.0.0.1"]):
            await a.setLocalDescription(await a.createOffer())
            await b.setRemoteDescription(a.localDescription)
            await b.setLocalDescription(await b.createAnswer())
        await a.setRemoteDescription(b.localDescription)
        await asyncio.wait_for(got.wait(), 10)
        return "media"

    print(engine.run(call(), timeout=20), flush=True)
    # No close(): the atexit hook must close the peer connections, or the
    # non-daemon video-decoder thread keeps the interpreter alive forever.
    """
)


@pytest.mark.slow
def test_process_with_live_peer_connections_exits_without_hanging() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _HANG_SCRIPT], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "media"


@pytest.mark.slow
def test_closing_the_engine_mid_call_ends_the_call_cleanly(node: Any) -> None:
    """The app quits during a consultation: the running call tears itself down and reaches a
    final state, so nobody waiting for it hangs (before, its task was simply abandoned)."""
    import time

    from tests.call.conftest import JoinThread, invitation_for

    from videotime_client.cli.join import headless_join
    from videotime_client.media.synthetic import SyntheticVideoTrack, ToneAudioTrack

    engine = MediaEngine(name="videotime-media-mid-call")
    holder: dict[str, Any] = {}
    joiner = JoinThread(
        lambda: headless_join(
            invitation_for(node, "999999"),
            video_source=SyntheticVideoTrack(),
            audio_source=ToneAudioTrack(),
            duration_s=120,  # far longer than the test: only close() ends it
            max_wait_s=60,
            engine=engine,
            on_call=lambda c: holder.setdefault("call", c),
        )
    ).start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        call = holder.get("call")
        if call is not None and str(call.state) == "in_consultation":
            break
        time.sleep(0.1)
    assert str(holder["call"].state) == "in_consultation"
    engine.close()
    report = joiner.join(60)
    call = holder["call"]
    assert call.wait(5) is True
    assert str(call.state) == "ended"
    assert report.ended_reason == "left"
    assert engine.loop.is_closed()
