"""Logging set-up (placeholder: the foundation issue adds redaction)."""

from __future__ import annotations

import logging
import logging.handlers

from videotime_client.paths import AppPaths


def configure(paths: AppPaths, *, debug: bool = False) -> None:
    paths.ensure()
    handler = logging.handlers.RotatingFileHandler(
        paths.log / "videotime.log", maxBytes=1_000_000, backupCount=3, encoding="utf-8"
    )
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.INFO)
