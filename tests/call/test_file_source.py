"""``--camera FILE``: images and videos as a looping, paced camera; bad files fail clearly."""

from __future__ import annotations

import asyncio
import itertools
import time
from pathlib import Path

import av
import numpy as np
import pytest

from videotime_client.media.file_source import FileSourceError, FileVideoTrack


def _write_video(path: Path, frames: int = 10, size: tuple[int, int] = (320, 240)) -> None:
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("mpeg4", rate=25)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        for i in range(frames):
            img = np.full((size[1], size[0], 3), (i * 20) % 255, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def _write_png(path: Path, size: tuple[int, int] = (1280, 720)) -> None:
    with av.open(str(path), mode="w", format="image2") as container:
        stream = container.add_stream("png")
        stream.width, stream.height = size
        stream.pix_fmt = "rgb24"
        img = np.zeros((size[1], size[0], 3), dtype=np.uint8)
        img[:, : size[0] // 2] = 200
        for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
            container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def _take(track: FileVideoTrack, n: int) -> list[av.VideoFrame]:
    async def go() -> list[av.VideoFrame]:
        return [await track.recv() for _ in range(n)]

    try:
        return asyncio.run(go())
    finally:
        track.stop()


def test_video_file_loops_at_its_own_pace(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    _write_video(path, frames=10)
    track = FileVideoTrack(path)
    started = time.monotonic()
    frames = _take(track, 25)  # 2.5 loops of a 10-frame clip
    elapsed = time.monotonic() - started
    assert track.fps == 25
    # Paced, not as fast as the decoder can go: 24 intervals at 25 fps take at least ~0.96 s.
    # (No upper bound: a loaded machine may be slower, which is not this test's business.)
    assert elapsed >= 0.9
    assert all((f.width, f.height) == (320, 240) for f in frames)
    steps = [b.pts - a.pts for a, b in itertools.pairwise(frames)]
    assert min(steps) >= 90_000 // 25 - 1  # 40 ms apart on the 90 kHz clock (never closer)
    levels = [int(f.to_ndarray()[0, 0]) for f in frames]
    assert levels[0] == pytest.approx(levels[10], abs=3)  # it started over


def test_image_is_scaled_down_and_repeated(tmp_path: Path) -> None:
    path = tmp_path / "still.png"
    _write_png(path)
    track = FileVideoTrack(path)
    frames = _take(track, 3)
    assert track.is_image
    assert (frames[0].width, frames[0].height) == (640, 360)
    assert np.array_equal(frames[0].to_ndarray(), frames[2].to_ndarray())


@pytest.mark.parametrize("content", [None, b"this is not a video"])
def test_unusable_file_fails_before_the_call(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "bad.mp4"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(FileSourceError) as info:
        FileVideoTrack(path)
    assert "kamera" in info.value.for_patient("nb")
