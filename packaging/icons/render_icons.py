"""Render packaging/icons/videotime.svg to the PNG sizes and the Windows .ico we ship.

Run after changing the SVG: ``.venv/bin/python packaging/icons/render_icons.py``. The outputs are
committed so that building an installer needs nothing but the spec. The macOS .icns is made on
the macOS runner with ``iconutil`` from these PNGs (packaging/macos/make-icns.sh).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

HERE = Path(__file__).resolve().parent
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZE = 256  # Windows scales the one 256 px image down well enough for a patient app


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(HERE / "videotime.svg"))
    if not renderer.isValid():
        print("videotime.svg is not valid SVG", file=sys.stderr)
        return 1
    for size in SIZES:
        render(renderer, size).save(str(HERE / f"videotime-{size}.png"))
    if not render(renderer, ICO_SIZE).save(str(HERE / "videotime.ico"), "ICO"):
        print("cannot write .ico (Qt's ico image plugin missing)", file=sys.stderr)
        return 1
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
