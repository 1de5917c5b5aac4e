"""The "waiting for your clinician" picture the node sends before anyone is there.

Drawn with a tiny built-in 5x7 bitmap font into an I420 frame, so the node needs no font files,
Pillow or Qt. Only the letters the slates use are defined; others render as blanks.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

_FONT: dict[str, tuple[str, ...]] = {
    "A": ("01110", "10001", "10001", "11111", "10001", "10001", "10001"),
    "B": ("11110", "10001", "10001", "11110", "10001", "10001", "11110"),
    "D": ("11110", "10001", "10001", "10001", "10001", "10001", "11110"),
    "E": ("11111", "10000", "10000", "11110", "10000", "10000", "11111"),
    "G": ("01110", "10001", "10000", "10111", "10001", "10001", "01111"),
    "H": ("10001", "10001", "10001", "11111", "10001", "10001", "10001"),
    "I": ("01110", "00100", "00100", "00100", "00100", "00100", "01110"),
    "K": ("10001", "10010", "10100", "11000", "10100", "10010", "10001"),
    "L": ("10000", "10000", "10000", "10000", "10000", "10000", "11111"),
    "M": ("10001", "11011", "10101", "10101", "10001", "10001", "10001"),
    "N": ("10001", "11001", "10101", "10011", "10001", "10001", "10001"),
    "O": ("01110", "10001", "10001", "10001", "10001", "10001", "01110"),
    "P": ("11110", "10001", "10001", "11110", "10000", "10000", "10000"),
    "R": ("11110", "10001", "10001", "11110", "10100", "10010", "10001"),
    "S": ("01111", "10000", "10000", "01110", "00001", "00001", "11110"),
    "T": ("11111", "00100", "00100", "00100", "00100", "00100", "00100"),
    "U": ("10001", "10001", "10001", "10001", "10001", "10001", "01110"),
    "V": ("10001", "10001", "10001", "10001", "10001", "01010", "00100"),
    "Y": ("10001", "10001", "01010", "00100", "00100", "00100", "00100"),
    "Å": ("00100", "01110", "10001", "11111", "10001", "10001", "10001"),
    "Ø": ("01111", "10011", "10101", "10101", "10101", "11001", "11110"),
    "Æ": ("01111", "10100", "10100", "11111", "10100", "10100", "10111"),
    ".": ("00000", "00000", "00000", "00000", "00000", "01100", "01100"),
    " ": ("00000",) * 7,
}

SLATES: dict[str, tuple[str, ...]] = {
    "waiting": ("VENTER PÅ", "BEHANDLEREN"),
    "waiting_room": ("DU ER I", "VENTEROMMET"),
    "patient": ("VENTER PÅ", "PASIENTEN"),
    "test_call": ("TESTSAMTALE",),
}


def _text_mask(line: str, scale: int) -> np.ndarray:
    glyphs = [
        np.array([[c == "1" for c in row] for row in _FONT.get(ch, _FONT[" "])], dtype=bool)
        for ch in line.upper()
    ]
    spaced = []
    for g in glyphs:
        spaced.append(g)
        spaced.append(np.zeros((7, 1), dtype=bool))
    mask = np.concatenate(spaced, axis=1) if spaced else np.zeros((7, 1), dtype=bool)
    return np.kron(mask, np.ones((scale, scale), dtype=bool))


@lru_cache(maxsize=8)
def slate_i420(key: str, width: int = 640, height: int = 480) -> np.ndarray:
    """A read-only I420 array (``height * 3 // 2`` rows) showing the slate ``key``."""
    lines = SLATES.get(key, SLATES["waiting"])
    y = np.full((height, width), 40, dtype=np.uint8)
    scale = max(2, width // 120)
    masks = [_text_mask(line, scale) for line in lines]
    total = sum(m.shape[0] for m in masks) + (len(masks) - 1) * scale * 4
    top = (height - total) // 2
    for mask in masks:
        h, w = mask.shape
        w = min(w, width)
        left = (width - w) // 2
        region = y[top : top + h, left : left + w]
        region[mask[:, :w]] = 230
        top += h + scale * 4
    u = np.full((height // 2, width // 2), 140, dtype=np.uint8)
    v = np.full((height // 2, width // 2), 110, dtype=np.uint8)
    frame = np.concatenate([y, u.reshape(-1, width), v.reshape(-1, width)])
    frame.setflags(write=False)
    return frame
