"""Suite-wide rules: offscreen Qt, private data dirs, no stray warnings, no leaked processes.

* ``QT_QPA_PLATFORM=offscreen`` unless a test starts its own Xvfb.
* Every test gets its own ``VIDEOTIME_DATA_DIR`` so nothing touches a real profile.
* A WARNING (or worse) log record that a test did not expect fails the test
  (``tests/helpers/logfail.py``); assert on it with ``caplog`` to make it expected.
* Child processes a test leaves behind fail the test (``tests/helpers/processes.py``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Keyring must never reach a real user keyring from tests; tests that need one install a
# file-backed backend of their own (see tests/core/test_appointments.py).
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

pytest_plugins = [
    "tests.helpers.logfail",
    "tests.helpers.processes",
    "tests.helpers.node",
    # One PulseAudio daemon per session: Qt Multimedia binds to the first daemon it meets,
    # so per-directory daemons would leave later in-process Qt audio tests on a dead one.
    "tests.helpers.pulse",
]


@pytest.fixture(autouse=True)
def _private_data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    data = tmp_path_factory.mktemp("videotime-data")
    monkeypatch.setenv("VIDEOTIME_DATA_DIR", str(data))
    return data


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "qtbot" in getattr(item, "fixturenames", ()) or "qapp" in getattr(
            item, "fixturenames", ()
        ):
            item.add_marker(pytest.mark.gui)
