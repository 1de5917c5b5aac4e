"""The media engine thread: work in, bounded shutdown, and no hang at exit."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

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
