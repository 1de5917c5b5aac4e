"""Fail any test that logs WARNING or above without asserting on it (after qutebrowser)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

# Loggers whose warnings are known noise, each with the reason.
IGNORED_LOGGERS: dict[str, str] = {
    # aioice logs a warning when a consent check to a closed peer fails during teardown.
    "aioice.ice": "teardown noise of closed peer connections",
}


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.split(".")[0] in {n.split(".")[0] for n in IGNORED_LOGGERS}:
            return
        self.records.append(record)


@pytest.fixture(autouse=True)
def _fail_on_unexpected_warning_logs(request: pytest.FixtureRequest) -> Iterator[None]:
    collector = _Collector()
    root = logging.getLogger()
    root.addHandler(collector)
    try:
        yield
    finally:
        root.removeHandler(collector)
    if request.node.get_closest_marker("allow_warning_logs") or "caplog" in request.fixturenames:
        return
    if collector.records:
        lines = "\n".join(f"{r.name}: {r.levelname}: {r.getMessage()}" for r in collector.records)
        pytest.fail(f"unexpected WARNING+ log records (assert on them with caplog):\n{lines}")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "allow_warning_logs: the test provokes warnings on purpose")
