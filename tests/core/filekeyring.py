"""A real, file-backed keyring backend for tests (owner: core).

It implements the ``keyring.backend.KeyringBackend`` interface, so ``PinVault`` talks to it
exactly as it talks to the Secret Service or Windows Credential Locker.  Subprocess tests select
it with ``PYTHON_KEYRING_BACKEND=tests.core.filekeyring.FileKeyring`` and point it at a file with
``VIDEOTIME_TEST_KEYRING_FILE``.  ``BrokenKeyring`` fails every call like a locked keyring;
``DeadBusKeyring`` fails with a non-keyring exception, as the Secret Service backend does when
D-Bus goes away mid-session.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import keyring.backend
import keyring.errors

ENV_FILE = "VIDEOTIME_TEST_KEYRING_FILE"


class FileKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self, path: Path | None = None) -> None:
        super().__init__()
        self.path = Path(path if path is not None else os.environ[ENV_FILE])

    def _read(self) -> dict[str, str]:
        try:
            return dict(json.loads(self.path.read_text()))
        except FileNotFoundError:
            return {}

    def _write(self, data: dict[str, str]) -> None:
        self.path.write_text(json.dumps(data))

    def get_password(self, service: str, username: str) -> str | None:
        return self._read().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._read()
        data[f"{service}/{username}"] = password
        self._write(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._read()
        if data.pop(f"{service}/{username}", None) is None:
            raise keyring.errors.PasswordDeleteError("not found")
        self._write(data)


class BrokenKeyring(keyring.backend.KeyringBackend):
    """Looks viable but every operation fails (a locked or crashed Secret Service)."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringError("locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("locked")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringError("locked")


class DeadBusKeyring(BrokenKeyring):
    """Fails like keyring's Secret Service backend when the bus dies: not a KeyringError."""

    def get_password(self, service: str, username: str) -> str | None:
        raise ConnectionResetError("D-Bus connection closed")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown")

    def delete_password(self, service: str, username: str) -> None:
        raise RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown")
