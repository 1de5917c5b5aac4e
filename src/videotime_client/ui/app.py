"""Application start-up: QApplication, translators, the asyncio bridge, the main window.

Placeholder window until the patient-journey issue lands.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QLabel


def run(argv: list[str]) -> int:
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    label = QLabel("Videotime")
    label.setAccessibleName("Videotime")
    label.resize(480, 320)
    label.show()
    return int(app.exec())
