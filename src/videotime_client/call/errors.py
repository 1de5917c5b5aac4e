"""Why a media call ended or failed, in plain words (bokmål, nynorsk, English)."""

from __future__ import annotations

from enum import StrEnum

from videotime_client.errors import VideotimeError
from videotime_client.texts import Text


class EndReason(StrEnum):
    """Stable machine codes for the end of a call (JSON report ``ended_reason``)."""

    LEFT = "left"  # the patient (or the CLI's --duration) ended it
    REMOTE_ENDED = "remote_ended"  # the node removed us (SSE disconnect): meeting over
    LOBBY_TIMEOUT = "lobby_timeout"  # nobody let us in
    NETWORK = "network"  # no media path could be (re)established in time
    SIGNALLING = "signalling"  # the node refused or could not take the call
    NO_MEDIA = "no_media"  # connected, but no picture or sound arrived
    INTERNAL = "internal"  # a bug; logged


REASON_TEXT: dict[EndReason, Text] = {
    EndReason.LEFT: Text(
        nb="Du har forlatt samtalen.",
        nn="Du har forlate samtalen.",
        en="You have left the call.",
    ),
    EndReason.REMOTE_ENDED: Text(
        nb="Samtalen er avsluttet.",
        nn="Samtalen er avslutta.",
        en="The call has ended.",
    ),
    EndReason.LOBBY_TIMEOUT: Text(
        nb="Ingen slapp deg inn i samtalen. Ring avdelingen{phone}.",
        nn="Ingen slepte deg inn i samtalen. Ring avdelinga{phone}.",
        en="Nobody let you into the call. Please phone the department{phone}.",
    ),
    EndReason.NETWORK: Text(
        nb="Vi fikk ikke kontakt over nettet. Sjekk internett, eller ring avdelingen{phone}.",
        nn="Vi fekk ikkje kontakt over nettet. Sjekk internett, eller ring avdelinga{phone}.",
        en="We could not connect over the network. Check the internet, or phone the "
        "department{phone}.",
    ),
    EndReason.SIGNALLING: Text(
        nb="Sykehuset kunne ikke ta imot samtalen nå. Prøv igjen, eller ring avdelingen{phone}.",
        nn="Sjukehuset kunne ikkje ta imot samtalen no. Prøv igjen, eller ring avdelinga{phone}.",
        en="The hospital could not take the call now. Try again, or phone the department{phone}.",
    ),
    EndReason.NO_MEDIA: Text(
        nb="Vi fikk ikke lyd eller bilde fram. Ring avdelingen{phone}.",
        nn="Vi fekk ikkje lyd eller bilete fram. Ring avdelinga{phone}.",
        en="Sound and picture did not get through. Please phone the department{phone}.",
    ),
    EndReason.INTERNAL: Text(
        nb="Det oppstod en uventet feil. Prøv igjen, eller ring avdelingen{phone}.",
        nn="Det oppstod ein uventa feil. Prøv igjen, eller ring avdelinga{phone}.",
        en="An unexpected error happened. Try again, or phone the department{phone}.",
    ),
}


def reason_text(reason: EndReason, department_phone: str | None = None) -> Text:
    """The patient sentence for ``reason``, with the department's phone number when known."""
    phone = f" på {department_phone}" if department_phone else ""
    text = REASON_TEXT[reason]
    return Text(
        nb=text.nb.format(phone=phone),
        nn=text.nn.format(phone=phone),
        en=text.en.format(phone=f" on {department_phone}" if department_phone else ""),
    )


class CallError(VideotimeError):
    """The media call failed; ``reason`` says why."""

    code = "call.failed"

    def __init__(self, reason: EndReason, department_phone: str | None = None) -> None:
        self.reason = reason
        super().__init__(reason_text(reason, department_phone), code=f"call.{reason.value}")
