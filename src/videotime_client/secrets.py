"""PINs live in the OS keyring only (the ``keyring`` library); never in files or logs.

Patients' machines do not always have a usable keyring (a bare Linux session, a broken
Secret Service).  Then Videotime keeps working: the PIN is held in memory for this run only and
not saved, and we say so **once** -- :meth:`PinVault.take_notice` hands the UI/CLI a patient
sentence the first time, and a single INFO log line records it for support.

Keyring entries: service ``videotime``, user name ``pin:<appointment id>``.
"""

from __future__ import annotations

import logging

import keyring
import keyring.backend
import keyring.errors

from videotime_client.texts import Text

log = logging.getLogger(__name__)

SERVICE = "videotime"

NO_KEYRING_NOTICE = Text(
    nb="PIN-koden blir ikke lagret på denne maskinen, så du må skrive den inn igjen neste gang.",
    nn="PIN-koden blir ikkje lagra på denne maskina, så du må skrive han inn att neste gong.",
    en="The PIN is not saved on this computer, so you will need to type it again next time.",
)


def _usable(backend: keyring.backend.KeyringBackend) -> bool:
    """The fail/null backends (priority <= 0) store nothing; anything else is worth a try."""
    try:
        return float(backend.priority) > 0
    except Exception:  # a backend whose viability check itself fails is not usable
        return False


# Why every keyring call below catches Exception: backends do not keep to KeyringError.  The Secret
# Service backend lets D-Bus errors (jeepney, secretstorage) through when the service dies
# mid-session, KWallet raises dbus errors, and third-party backends raise what they like.  None
# of that may stop a patient from joining: we degrade to "PIN for this session only" instead.


class PinVault:
    """Store, read and delete PINs.  Never raises for keyring trouble; degrades instead."""

    def __init__(self, backend: keyring.backend.KeyringBackend | None = None) -> None:
        self._given = backend
        self._backend: keyring.backend.KeyringBackend | None = None
        self._available = False
        self._memory: dict[str, str] = {}
        self._notice_due = False
        self._logged = False

    def _ready(self) -> bool:
        """Resolve the backend on first use (listing appointments needs no keyring at all)."""
        if self._backend is None:
            self._backend = self._given if self._given is not None else keyring.get_keyring()
            self._available = _usable(self._backend)
            if not self._available:
                self._degrade("no usable keyring backend")
        return self._available

    @property
    def available(self) -> bool:
        """True while PINs are persisted in the OS keyring."""
        return self._ready()

    def take_notice(self) -> Text | None:
        """The 'PIN not saved' sentence, the first time it applies; afterwards ``None``."""
        self._ready()
        if self._notice_due:
            self._notice_due = False
            return NO_KEYRING_NOTICE
        return None

    def _degrade(self, why: str) -> None:
        self._available = False
        if not self._logged:
            self._logged = True
            self._notice_due = True
            backend = type(self._backend)
            log.info(
                "keyring unavailable (%s, backend %s.%s): PINs are kept for this session only",
                why,
                backend.__module__,
                backend.__qualname__,
            )

    @staticmethod
    def _user(key: str) -> str:
        return f"pin:{key}"

    def store(self, key: str, pin: str) -> bool:
        """Remember ``pin``; True if it was persisted in the keyring."""
        self._memory[key] = pin
        if not self._ready() or self._backend is None:
            return False
        try:
            self._backend.set_password(SERVICE, self._user(key), pin)
        except Exception as exc:  # any backend failure (see above PinVault)
            self._degrade(type(exc).__name__)
            return False
        return True

    def get(self, key: str) -> str | None:
        if key in self._memory:
            return self._memory[key]
        if not self._ready() or self._backend is None:
            return None
        try:
            return self._backend.get_password(SERVICE, self._user(key))
        except Exception as exc:  # any backend failure (see above PinVault)
            self._degrade(type(exc).__name__)
            return None

    def delete(self, key: str) -> None:
        self._memory.pop(key, None)
        if not self._ready() or self._backend is None:
            return
        try:
            self._backend.delete_password(SERVICE, self._user(key))
        except keyring.errors.PasswordDeleteError:
            pass  # nothing stored: fine
        except Exception as exc:  # any backend failure (see above PinVault)
            self._degrade(type(exc).__name__)
