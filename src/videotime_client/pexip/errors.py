"""Typed errors for everything a Pexip node can say no to (or fail to say at all).

Each error carries a stable machine ``code`` (``pexip.*``), the Pexip on-screen code ``pex_code``
(``#pexNNN``, what a hospital's support desk asks for), the node's ``reason`` string when there
was one and a patient-readable ``message``.  ``str()`` (what logs see) shows the reason only when
it is one of Pexip's documented strings (:data:`PEX_CODES`), which contain no personal data.

Hierarchy::

    PexipError
     ├── PinRequired            the room needs a guest PIN: ask the patient (not a failure)
     ├── InvalidPin             #pex101
     ├── PinRetriesExceeded     #pex192
     ├── ConferenceNotFound     #pex154 / #pex157 (wrong room number)
     ├── Maintenance            #pex110 (503 at the node)
     ├── NodeUnavailable        network errors, 502/503/504/520/529, proxies (#pex111/112/119)
     ├── UntrustedCertificate   the node's HTTPS certificate did not verify (never bypassed)
     ├── TokenExpired           #pex113: the session's token is gone; join again
     │    └── InvalidToken      the node rejected the token (403 "Invalid token")
     ├── CapacityError          #pex194/195/114/191/109
     ├── NotAllowed             403 with a reason we do not expect as a guest (role, SSO, ...)
     ├── CallRejected           the node could not take our media call (400/500/504 on calls)
     ├── ProtocolError          an answer that is not what the API documents
     └── Removed(reason)        SSE ``disconnect``: we are out of the meeting (token dead)
          ├── LobbyTimeout      #pex126: nobody let us in
          └── MeetingEnded      #pex140/141/142: the hosts left
"""

from __future__ import annotations

from typing import ClassVar

from videotime_client.errors import VideotimeError
from videotime_client.texts import Text

# Every reason string @pexip/infinity-api 20.0.0 maps in dist/utils.js getErrorCode (50 strings).
# Anything else maps to #pex117 ("unknown"), exactly as the SDK does.
PEX_CODES: dict[str, str] = {
    "Invalid role": "#pex100",
    "Invalid PIN": "#pex101",
    "Out of proxying resource": "#pex109",
    "System in maintenance mode": "#pex110",
    "502 Bad Gateway": "#pex111",
    "503 Service Unavailable": "#pex112",
    "Invalid token": "#pex113",
    "Timer expired awaiting token refresh": "#pex113",
    "Out of resource": "#pex114",
    "Out of transcoding resource": "#pex114",
    "transfer failed": "#pex115",
    "Unexpected Response: 503": "#pex116",
    "Failed to forward request": "#pex119",
    "Conference host ended the conference with a DTMF command": "#pex120",
    "API initiated conference termination": "#pex121",
    "API initiated participant disconnect": "#pex122",
    "Conference terminated by an administrator": "#pex122",
    "Disconnected by an administrator": "#pex123",
    "Disconnected by another participant": "#pex124",
    "Conference terminated by another participant": "#pex125",
    "Timeout waiting for conference host to join or permit access to locked conference": "#pex126",
    "Disabled": "#pex127",
    "Signaling node disconnected": "#pex129",
    "Media process disconnected": "#pex130",
    "Media node disconnected": "#pex131",
    "Proxied participant disconnected": "#pex132",
    "No participants can keep conference alive": "#pex140",
    "All conference hosts departed hosted conference": "#pex141",
    "Last remaining participant removed from conference after timeout": "#pex142",
    "Test call finished": "#pex143",
    "Call rejected": "#pex150",
    "Call disconnected": "#pex151",
    "Gateway dial out failed": "#pex152",
    "invalid gateway routing rule transform": "#pex153",
    "Neither conference nor gateway found": "#pex154",
    "No direct route between Edge and Transcoding": "#pex156",
    "404 Not Found": "#pex157",
    "Resource unavailable": "#pex191",
    "Participant exceeded PIN entry retries": "#pex192",
    "Invalid license": "#pex193",
    "Participant limit reached": "#pex194",
    "Insufficient licenses": "#pex195",
    "Ice failure": "#pex196",
    "Telehealth Call failure": "#pex197",
    "SSO Authentication Failed": "#pex200",
    "SSO enabled but no Identity Providers configured": "#pex201",
    "SSO Authentication Failed. The system is in Maintenance mode": "#pex203",
    "SSO Authentication Failed. SSO is not available from this domain": "#pex204",
    "Failed to transfer into a multi-party conference": "#pex210",
    "Failed to transfer into a one-to-one conference": "#pex211",
}
UNKNOWN_PEX_CODE = "#pex117"


def pex_code(reason: str | None) -> str:
    """Pexip's on-screen code for a reason string (``#pex117`` when unknown)."""
    return PEX_CODES.get((reason or "").strip(), UNKNOWN_PEX_CODE)


class PexipError(VideotimeError):
    """The conferencing node said no, or could not be reached."""

    code = "pexip.error"
    default_pex_code: ClassVar[str] = UNKNOWN_PEX_CODE
    message = Text(
        nb="Videotimen svarte ikke som forventet. Prøv igjen om litt.",
        nn="Videotimen svarte ikkje som venta. Prøv igjen om litt.",
        en="The video appointment service did not answer as expected. Please try again shortly.",
    )

    def __init__(
        self,
        reason: str | None = None,
        *,
        http_status: int | None = None,
        message: Text | None = None,
    ) -> None:
        # ``reason`` is the node's own string (e.g. "Invalid PIN"); never pass anything personal.
        self.reason = reason
        self.http_status = http_status
        self.pex_code = pex_code(reason) if reason in PEX_CODES else self.default_pex_code
        super().__init__(message)

    def __str__(self) -> str:
        parts = [self.code, self.pex_code]
        if self.http_status is not None:
            parts.append(f"HTTP {self.http_status}")
        if self.reason in PEX_CODES:
            parts.append(repr(self.reason))
        elif self.reason:
            # A string we do not know came from the server (or whatever answered for it) and may
            # quote anything, our SDP included: logs get its length, never its text.
            parts.append(f"(unrecognised reason, {len(self.reason)} characters)")
        return " ".join(parts)


class PinRequired(PexipError):
    """The room needs a guest PIN. Not a failure: the UI asks the patient for it."""

    code = "pexip.pin_required"
    message = Text(
        nb="Dette rommet trenger en PIN-kode. Du finner den i innkallingen.",
        nn="Dette rommet treng ein PIN-kode. Du finn han i innkallinga.",
        en="This room needs a PIN code. You will find it in your invitation.",
    )


class InvalidPin(PexipError):
    code = "pexip.invalid_pin"
    default_pex_code = "#pex101"
    message = Text(
        nb="PIN-koden stemmer ikke. Sjekk innkallingen og prøv igjen.",
        nn="PIN-koden stemmer ikkje. Sjekk innkallinga og prøv igjen.",
        en="The PIN code is not right. Check your invitation and try again.",
    )


class PinRetriesExceeded(PexipError):
    code = "pexip.pin_retries_exceeded"
    default_pex_code = "#pex192"
    message = Text(
        nb="Feil PIN-kode for mange ganger. Ring sykehuset for å få hjelp.",
        nn="Feil PIN-kode for mange gonger. Ring sjukehuset for å få hjelp.",
        en="Wrong PIN code too many times. Please call the hospital for help.",
    )


class ConferenceNotFound(PexipError):
    code = "pexip.conference_not_found"
    default_pex_code = "#pex154"
    message = Text(
        nb="Vi fant ikke dette rommet. Sjekk romnummeret i innkallingen.",
        nn="Vi fann ikkje dette rommet. Sjekk romnummeret i innkallinga.",
        en="We could not find this room. Check the room number in your invitation.",
    )


class Maintenance(PexipError):
    code = "pexip.maintenance"
    default_pex_code = "#pex110"
    message = Text(
        nb="Videotjenesten har vedlikehold akkurat nå. Prøv igjen om noen minutter.",
        nn="Videotenesta har vedlikehald akkurat no. Prøv igjen om nokre minutt.",
        en="The video service is under maintenance right now. Try again in a few minutes.",
    )


class NodeUnavailable(PexipError):
    code = "pexip.node_unavailable"
    default_pex_code = "#pex112"
    message = Text(
        nb="Vi får ikke kontakt med videotjenesten. Sjekk internett og prøv igjen.",
        nn="Vi får ikkje kontakt med videotenesta. Sjekk internett og prøv igjen.",
        en="We cannot reach the video service. Check your internet and try again.",
    )


class UntrustedCertificate(PexipError):
    code = "pexip.untrusted_certificate"
    message = Text(
        nb="Vi kunne ikke bekrefte at forbindelsen til videotjenesten er sikker. Ring sykehuset.",
        nn="Vi kunne ikkje stadfeste at sambandet til videotenesta er sikkert. Ring sjukehuset.",
        en="We could not confirm that the connection to the video service is secure. "
        "Please call the hospital.",
    )


class TokenExpired(PexipError):
    code = "pexip.token_expired"
    default_pex_code = "#pex113"
    message = Text(
        nb="Forbindelsen til timen ble brutt. Trykk «Bli med» for å koble til igjen.",
        nn="Sambandet til timen vart broten. Trykk «Bli med» for å kople til igjen.",
        en="The connection to your appointment was lost. Press “Join” to connect again.",
    )


class InvalidToken(TokenExpired):
    code = "pexip.invalid_token"


class CapacityError(PexipError):
    code = "pexip.capacity"
    default_pex_code = "#pex194"
    message = Text(
        nb="Videotjenesten er full akkurat nå. Prøv igjen om litt.",
        nn="Videotenesta er full akkurat no. Prøv igjen om litt.",
        en="The video service is full right now. Please try again shortly.",
    )


class NotAllowed(PexipError):
    code = "pexip.not_allowed"
    message = Text(
        nb="Du har ikke tilgang til dette rommet med denne lenken. Ring sykehuset.",
        nn="Du har ikkje tilgang til dette rommet med denne lenkja. Ring sjukehuset.",
        en="This link does not give you access to this room. Please call the hospital.",
    )


class CallRejected(PexipError):
    code = "pexip.call_rejected"
    default_pex_code = "#pex150"
    message = Text(
        nb="Videosamtalen kunne ikke startes. Prøv igjen.",
        nn="Videosamtalen kunne ikkje startast. Prøv igjen.",
        en="The video call could not be started. Please try again.",
    )


class ProtocolError(PexipError):
    code = "pexip.protocol"


class Removed(PexipError):
    """The node ended our participation (SSE ``disconnect``); the token is dead."""

    code = "pexip.removed"
    message = Text(
        nb="Du ble koblet fra timen.",
        nn="Du vart kopla frå timen.",
        en="You were disconnected from the appointment.",
    )


class LobbyTimeout(Removed):
    code = "pexip.lobby_timeout"
    default_pex_code = "#pex126"
    message = Text(
        nb="Ingen slapp deg inn i timen. Ring sykehuset hvis du fortsatt venter.",
        nn="Ingen slepte deg inn i timen. Ring sjukehuset om du framleis ventar.",
        en="Nobody let you into the appointment. Call the hospital if you are still waiting.",
    )


class MeetingEnded(Removed):
    code = "pexip.meeting_ended"
    default_pex_code = "#pex141"
    message = Text(
        nb="Timen er avsluttet.",
        nn="Timen er avslutta.",
        en="The appointment has ended.",
    )


_BY_REASON: dict[str, type[PexipError]] = {
    "Invalid PIN": InvalidPin,
    "Participant exceeded PIN entry retries": PinRetriesExceeded,
    "Neither conference nor gateway found": ConferenceNotFound,
    "404 Not Found": ConferenceNotFound,
    "System in maintenance mode": Maintenance,
    "SSO Authentication Failed. The system is in Maintenance mode": Maintenance,
    "502 Bad Gateway": NodeUnavailable,
    "503 Service Unavailable": NodeUnavailable,
    "Unexpected Response: 503": NodeUnavailable,
    "Failed to forward request": NodeUnavailable,
    "Signaling node disconnected": NodeUnavailable,
    "Invalid token": InvalidToken,
    "Timer expired awaiting token refresh": TokenExpired,
    "Participant limit reached": CapacityError,
    "Insufficient licenses": CapacityError,
    "Invalid license": CapacityError,
    "Out of resource": CapacityError,
    "Out of transcoding resource": CapacityError,
    "Out of proxying resource": CapacityError,
    "Resource unavailable": CapacityError,
    "Invalid role": NotAllowed,
    "Disabled": NotAllowed,
    "SSO Authentication Failed": NotAllowed,
    "SSO enabled but no Identity Providers configured": NotAllowed,
    "SSO Authentication Failed. SSO is not available from this domain": NotAllowed,
    "Call rejected": CallRejected,
    "Ice failure": CallRejected,
}

_REMOVAL_BY_REASON: dict[str, type[Removed]] = {
    "Timeout waiting for conference host to join or permit access to locked conference": (
        LobbyTimeout
    ),
    "No participants can keep conference alive": MeetingEnded,
    "All conference hosts departed hosted conference": MeetingEnded,
    "Last remaining participant removed from conference after timeout": MeetingEnded,
    "Conference host ended the conference with a DTMF command": MeetingEnded,
    "API initiated conference termination": MeetingEnded,
    "Conference terminated by an administrator": MeetingEnded,
    "Conference terminated by another participant": MeetingEnded,
    "Test call finished": MeetingEnded,
}


def error_for_reason(
    reason: str | None, *, http_status: int | None = None, default: type[PexipError] = PexipError
) -> PexipError:
    """The typed error for a node's reason string (``default`` when the string is unknown)."""
    text = (reason or "").strip()
    cls = _BY_REASON.get(text, default)
    return cls(text or None, http_status=http_status)


def removal_for_reason(reason: str | None) -> Removed:
    """The typed error for an SSE ``disconnect`` reason: we are out of the meeting."""
    text = (reason or "").strip()
    if text in ("Invalid token", "Timer expired awaiting token refresh"):
        # Still a removal (the stream will not come back), reported with the token code.
        return Removed(text, message=TokenExpired.message)
    return _REMOVAL_BY_REASON.get(text, Removed)(text or None)
