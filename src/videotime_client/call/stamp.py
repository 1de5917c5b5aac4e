"""The time stamp drawn into synthetic pictures, for glass-to-glass latency.

64 bits as a grid of black/white squares in the top band of the picture: 2 rows of 32 squares,
each square ``width // 32`` pixels wide and tall.  The grid is proportional to the frame, so it
survives the downscaling a browser or our own adaptation applies.

============  ====================================================================
bits 0..31    wall-clock milliseconds (``time.time() * 1000``) modulo 2**32
bits 32..47   frame counter modulo 2**16
bits 48..63   ``zlib.crc32`` of the first 6 bytes (big-endian), low 16 bits
============  ====================================================================

Bits are numbered row by row, left to right, most significant first; a white square (luma 235)
is 1, a black one (luma 16) is 0.  :func:`decode_stamp` recovers the full wall-clock time as
long as sender and receiver clocks agree to within 24 days, which is always true on one machine.
Any drawing code (a browser canvas, for example) can produce the same stamp.

Qt-free and media-free so that the call engine (core) can read stamps of received frames.
"""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass

import av
import numpy as np

STAMP_COLUMNS = 32
STAMP_ROWS = 2
STAMP_BITS = STAMP_COLUMNS * STAMP_ROWS
_BLACK = 16
_WHITE = 235


@dataclass(frozen=True, slots=True)
class Stamp:
    """What :func:`decode_stamp` found in a picture."""

    wall_time: float  # seconds since the epoch, when the frame was produced
    counter: int  # frame counter modulo 65536


def _stamp_bits(wall_ms: int, counter: int) -> np.ndarray:
    payload = (wall_ms & 0xFFFFFFFF).to_bytes(4, "big") + (counter & 0xFFFF).to_bytes(2, "big")
    crc = zlib.crc32(payload) & 0xFFFF
    word = int.from_bytes(payload + crc.to_bytes(2, "big"), "big")
    return np.array([(word >> (63 - i)) & 1 for i in range(STAMP_BITS)], dtype=np.uint8)


def stamp_geometry(width: int) -> int:
    """Side in pixels of one stamp square for a picture ``width`` pixels wide."""
    return max(2, width // STAMP_COLUMNS)


def draw_stamp(luma: np.ndarray, wall_time: float, counter: int) -> None:
    """Write the stamp for ``wall_time``/``counter`` into a luma plane (H x W uint8) in place."""
    height, width = luma.shape
    side = stamp_geometry(width)
    if side * STAMP_ROWS > height:
        return
    bits = _stamp_bits(round(wall_time * 1000), counter)
    grid = np.where(bits.reshape(STAMP_ROWS, STAMP_COLUMNS) == 1, _WHITE, _BLACK).astype(np.uint8)
    band = np.repeat(np.repeat(grid, side, axis=0), side, axis=1)
    luma[: band.shape[0], : band.shape[1]] = band


def decode_stamp_luma(luma: np.ndarray, now: float | None = None) -> Stamp | None:
    """Read a stamp from a luma (or grey) plane; ``None`` when there is none or it is damaged."""
    if luma.ndim != 2:
        return None
    height, width = luma.shape
    side = width / STAMP_COLUMNS
    if side < 2 or side * STAMP_ROWS > height:
        return None
    word = 0
    inner = max(1, int(side / 4))
    for row in range(STAMP_ROWS):
        for col in range(STAMP_COLUMNS):
            cy = int((row + 0.5) * side)
            cx = int((col + 0.5) * side)
            cell = luma[cy - inner + 1 : cy + inner, cx - inner + 1 : cx + inner]
            value = float(cell.mean()) if cell.size else float(luma[cy, cx])
            word = (word << 1) | (1 if value >= 128 else 0)
    raw = word.to_bytes(8, "big")
    if zlib.crc32(raw[:6]) & 0xFFFF != int.from_bytes(raw[6:], "big"):
        return None
    stamp_ms = int.from_bytes(raw[:4], "big")
    counter = int.from_bytes(raw[4:6], "big")
    now_ms = round((time.time() if now is None else now) * 1000)
    diff = (now_ms - stamp_ms) & 0xFFFFFFFF
    if diff >= 0x80000000:  # stamped slightly "in the future" (clock granularity)
        diff -= 0x100000000
    return Stamp(wall_time=(now_ms - diff) / 1000.0, counter=counter)


def _luma_of(frame: av.VideoFrame) -> np.ndarray:
    if frame.format.name not in ("yuv420p", "yuvj420p", "nv12", "gray"):
        frame = frame.reformat(format="yuv420p")
    plane = frame.planes[0]
    rows = np.frombuffer(plane, dtype=np.uint8).reshape(frame.height, plane.line_size)
    return rows[:, : frame.width]


def decode_stamp(frame: av.VideoFrame, now: float | None = None) -> Stamp | None:
    """Read the stamp of a decoded video frame (any pixel format)."""
    return decode_stamp_luma(_luma_of(frame), now)


def read_stamp_wall_time(frame: av.VideoFrame) -> float | None:
    """Wall-clock time (seconds since the epoch) stamped into ``frame``, or ``None``."""
    stamp = decode_stamp(frame)
    return None if stamp is None else stamp.wall_time
