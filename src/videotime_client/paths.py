"""Where Videotime keeps its files.

One place resolves the data, config, cache and log directories (platformdirs), and one switch
overrides them all: ``--data-dir DIR`` (or ``VIDEOTIME_DATA_DIR``), used by tests, smoke tests and
support staff reproducing a patient's problem without touching the patient's real profile.
Nothing here creates media files: Videotime never writes sound or picture to disk.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "Videotime"
APP_AUTHOR = "Videotime"
ENV_DATA_DIR = "VIDEOTIME_DATA_DIR"


@dataclass(frozen=True, slots=True)
class AppPaths:
    """Resolved directories. Call :meth:`ensure` before writing."""

    data: Path
    config: Path
    cache: Path
    log: Path

    @classmethod
    def resolve(cls, override: str | os.PathLike[str] | None = None) -> AppPaths:
        """Directories under ``override`` if given (or ``$VIDEOTIME_DATA_DIR``), else the OS's."""
        base = override if override is not None else os.environ.get(ENV_DATA_DIR) or None
        if base is not None:
            root = Path(base).expanduser().resolve()
            return cls(
                data=root / "data", config=root / "config", cache=root / "cache", log=root / "log"
            )
        dirs = platformdirs.PlatformDirs(APP_NAME, APP_AUTHOR)
        return cls(
            data=Path(dirs.user_data_dir),
            config=Path(dirs.user_config_dir),
            cache=Path(dirs.user_cache_dir),
            log=Path(dirs.user_log_dir),
        )

    def ensure(self) -> AppPaths:
        """Create the directories (private to the user: appointments are health data)."""
        for path in (self.data, self.config, self.cache, self.log):
            path.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self
