"""Sound level arithmetic (pure numpy): dBFS, loudest window, clipping runs."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FULL_SCALE = 32767.0
FLOOR_DBFS = -120.0


def dbfs(samples: npt.NDArray[np.int16]) -> float:
    """RMS level in dBFS (a full-scale sine is -3 dBFS; digital silence is -120)."""
    if samples.size == 0:
        return FLOOR_DBFS
    rms = float(np.sqrt(np.mean(np.square(samples.astype(np.float64)))))
    if rms <= 0.0:
        return FLOOR_DBFS
    return max(FLOOR_DBFS, 20.0 * float(np.log10(rms / FULL_SCALE)))


def window_levels(samples: npt.NDArray[np.int16], rate: int, window_s: float = 0.1) -> list[float]:
    """dBFS of consecutive windows (100 ms by default), the unit of the live meter."""
    n = max(1, int(rate * window_s))
    return [dbfs(samples[i : i + n]) for i in range(0, len(samples) - n + 1, n)]


def longest_clip_run(samples: npt.NDArray[np.int16]) -> int:
    """Longest run of consecutive full-scale samples (either sign)."""
    clipped = np.abs(samples.astype(np.int32)) >= 32767
    if not clipped.any():
        return 0
    # run lengths of True values
    padded = np.concatenate(([0], clipped.astype(np.int8), [0]))
    edges = np.flatnonzero(np.diff(padded))
    return int((edges[1::2] - edges[::2]).max())
