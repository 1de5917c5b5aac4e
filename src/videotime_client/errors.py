"""The root of every error the core raises on purpose.

Every error a patient may see derives from :class:`VideotimeError` and carries a stable
machine ``code`` (for support staff, logs and JSON output) and a plain-language ``message`` in
bokmål, nynorsk and English.  The UI and the CLI show ``message``; they never show a traceback.

Hierarchy (each package documents its own subtree)::

    VideotimeError
     ├── invitation.InvitationError      bad or untrusted join links
     ├── appointments.StoreError         the appointment store could not be read or written
     ├── pexip.errors.PexipError         the conferencing node said no, or could not be reached
     ├── call.errors.CallError           the media call failed
     └── preflight ...                   checks report verdicts, they do not raise

Messages must never contain a PIN, token, display name, SDP or ICE credential.
"""

from __future__ import annotations

from videotime_client.texts import Text


class VideotimeError(Exception):
    """An expected failure with a stable code and a patient-readable message."""

    code: str = "error"
    message: Text = Text(
        nb="Noe gikk galt.",
        nn="Noko gjekk gale.",
        en="Something went wrong.",
    )

    def __init__(self, message: Text | None = None, *, code: str | None = None) -> None:
        if message is not None:
            self.message = message
        if code is not None:
            self.code = code
        super().__init__(f"{self.code}: {self.message.en}")

    def for_patient(self, lang: str = "nb") -> str:
        """The message in the patient's language."""
        return self.message(lang)
