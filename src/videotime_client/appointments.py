"""The appointment store: opening an invitation link saves the appointment for next time.

One JSON file, ``<data dir>/appointments.json``::

    {"app": "videotime", "schema_version": 1, "appointments": [{"id": ..., "node": ...}, ...]}

Rules:

* PINs never go in the file; they go to the OS keyring (:mod:`videotime_client.secrets`).
* One appointment per node + alias: opening the same room again updates it (same id).
* Writes are atomic (temporary file in the same directory, fsync, ``os.replace``) and re-read
  the file first, so an appointment saved by another window is not lost.
* A corrupt file (not JSON, wrong shape) or a foreign one (another app, a newer schema) is
  never overwritten in place: it is renamed to ``appointments.json.<reason>-<UTC time>`` and a
  WARNING is logged (without its content).  Entries that cannot be read in an otherwise good
  file are dropped only after the whole file has been backed up the same way.

Errors: :class:`StoreError` (``store_unavailable``) when the data directory cannot be written.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from videotime_client.errors import VideotimeError
from videotime_client.invitation import Invitation, Role, Scheme
from videotime_client.paths import AppPaths
from videotime_client.secrets import PinVault
from videotime_client.texts import Text

log = logging.getLogger(__name__)

APP_TAG = "videotime"
SCHEMA_VERSION = 1
FILE_NAME = "appointments.json"


class StoreError(VideotimeError):
    code = "store_unavailable"
    message = Text(
        nb="Vi klarte ikke å lagre timen på denne maskinen, men du kan fortsatt bruke lenken.",
        nn="Vi klarte ikkje å lagre timen på denne maskina, men du kan framleis bruke lenkja.",
        en="We could not save the appointment on this computer, but you can still use the link.",
    )


#: The message when the store cannot even be read (listing must not talk about saving).
READ_FAILED = Text(
    nb="Vi klarte ikke å lese de lagrede timene på denne maskinen, "
    "men du kan fortsatt bruke lenken.",
    nn="Vi klarte ikkje å lese dei lagra timane på denne maskina, "
    "men du kan framleis bruke lenkja.",
    en="We could not read the saved appointments on this computer, but you can still use the link.",
)


def appointment_id(node: str, alias: str) -> str:
    """Stable id for node + alias (no secret in it; the same room always gets the same id)."""
    return hashlib.sha256(f"{node}/{alias}".encode()).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class Appointment:
    id: str
    node: str
    alias: str
    scheme: Scheme = "https"
    role: Role | None = None
    start: datetime | None = None
    department: str | None = None
    phone: str | None = None
    display_name: str | None = field(default=None, repr=False)  # a name: never in logs

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["start"] = self.start.isoformat() if self.start is not None else None
        return data

    @classmethod
    def from_json(cls, data: object) -> Appointment:
        """Raise ValueError/TypeError/KeyError on anything that is not a valid entry."""
        if not isinstance(data, dict):
            raise TypeError("entry is not an object")

        def text(key: str, *, required: bool = False) -> str | None:
            value = data.get(key)
            if value is None and not required:
                return None
            if not isinstance(value, str) or not value:
                raise ValueError(f"{key} is not text")
            return value

        scheme = data.get("scheme", "https")
        role = data.get("role")
        if scheme not in ("https", "http") or role not in ("guest", "host", None):
            raise ValueError("bad scheme or role")
        start_text = text("start")
        start = datetime.fromisoformat(start_text) if start_text is not None else None
        if start is not None and start.tzinfo is None:
            raise ValueError("start without offset")
        node = str(text("node", required=True))
        alias = str(text("alias", required=True))
        return cls(
            id=str(text("id", required=True)),
            node=node,
            alias=alias,
            scheme=scheme,
            role=role,
            start=start,
            department=text("department"),
            phone=text("phone"),
            display_name=text("display_name"),
        )

    def to_invitation(self, pin: str | None = None) -> Invitation:
        return Invitation(
            node=self.node,
            alias=self.alias,
            scheme=self.scheme,
            role=self.role,
            display_name=self.display_name,
            pin=pin,
            start=self.start,
            department=self.department,
            phone=self.phone,
        )


def _sort_key(appointment: Appointment) -> tuple[int, str, str]:
    # Upcoming-first order needs a total order: appointments without a time go last.
    if appointment.start is None:
        return (1, "", appointment.id)
    return (0, appointment.start.astimezone(UTC).isoformat(), appointment.id)


class AppointmentStore:
    """Appointments under ``paths.data``; PINs through ``secrets``."""

    def __init__(self, paths: AppPaths, secrets: PinVault) -> None:
        self.paths = paths
        self.secrets = secrets
        self.file = paths.data / FILE_NAME

    # ------------------------------------------------------------------ reading

    def _set_aside(self, reason: str) -> Path | None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        backup = self.file.with_name(f"{FILE_NAME}.{reason}-{stamp}")
        try:
            os.replace(self.file, backup)
        except OSError as exc:
            raise StoreError(code="store_unavailable") from exc
        log.warning("appointment store was %s; set aside as %s", reason, backup.name)
        return backup

    def _load(self) -> list[Appointment]:
        try:
            raw = self.file.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise StoreError(READ_FAILED) from exc
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            self._set_aside("corrupt")
            return []
        if not isinstance(data, dict) or not isinstance(data.get("appointments"), list):
            foreign = isinstance(data, dict) and data.get("app") not in (None, APP_TAG)
            self._set_aside("foreign" if foreign else "corrupt")
            return []
        if data.get("app") != APP_TAG or data.get("schema_version") != SCHEMA_VERSION:
            self._set_aside("foreign")
            return []
        good: list[Appointment] = []
        bad = 0
        for entry in data["appointments"]:
            try:
                good.append(Appointment.from_json(entry))
            except (ValueError, TypeError, KeyError):
                bad += 1
        if bad:
            # Keep the unreadable entries recoverable before the next write drops them.
            backup = self.file.with_name(
                f"{FILE_NAME}.partly-corrupt-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%fZ')}"
            )
            try:
                backup.write_bytes(raw)
                os.chmod(backup, 0o600)
            except OSError as exc:
                raise StoreError() from exc
            log.warning("%d unreadable appointment(s) skipped; file copied to %s", bad, backup.name)
            self._write(good)
        return good

    # ------------------------------------------------------------------ writing

    def _write(self, appointments: list[Appointment]) -> None:
        payload = {
            "app": APP_TAG,
            "schema_version": SCHEMA_VERSION,
            "appointments": [a.to_json() for a in appointments],
        }
        try:
            self.paths.data.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(prefix=".appointments-", suffix=".tmp", dir=self.paths.data)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(payload, handle, ensure_ascii=False, indent=2)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, self.file)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise StoreError() from exc

    # ------------------------------------------------------------------ API

    def list(self) -> list[Appointment]:
        """All appointments, earliest first; those without a time last."""
        return sorted(self._load(), key=_sort_key)

    def get(self, appointment_id: str) -> Appointment | None:
        return next((a for a in self._load() if a.id == appointment_id), None)

    def save_from_invitation(self, invitation: Invitation) -> Appointment:
        """Save (or update) the appointment for this room; its PIN goes to the keyring only.

        Metadata the new link does not carry (a department, a time) is kept from before.
        """
        current = self._load()
        ident = appointment_id(invitation.node, invitation.alias)
        old = next((a for a in current if a.id == ident), None)
        appointment = Appointment(
            id=ident,
            node=invitation.node,
            alias=invitation.alias,
            scheme=invitation.scheme,
            role=invitation.role or (old.role if old else None),
            start=invitation.start or (old.start if old else None),
            department=invitation.department or (old.department if old else None),
            phone=invitation.phone or (old.phone if old else None),
            display_name=invitation.display_name or (old.display_name if old else None),
        )
        others = [a for a in current if a.id != ident]
        self._write([*others, appointment])
        if invitation.pin is not None:
            self.secrets.store(ident, invitation.pin)
        return appointment

    def remove(self, appointment_id: str) -> bool:
        current = self._load()
        kept = [a for a in current if a.id != appointment_id]
        self.secrets.delete(appointment_id)
        if len(kept) == len(current):
            return False
        self._write(kept)
        return True

    def pin_for(self, appointment_id: str) -> str | None:
        return self.secrets.get(appointment_id)
