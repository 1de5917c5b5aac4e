"""Reason strings → typed errors with #pex codes and patient text."""

from __future__ import annotations

import pytest

from videotime_client.errors import VideotimeError
from videotime_client.pexip import errors as E


def test_every_known_reason_has_a_code_and_unknown_is_pex117() -> None:
    assert len(E.PEX_CODES) == 50
    assert E.pex_code("Invalid PIN") == "#pex101"
    assert E.pex_code("  Invalid PIN ") == "#pex101"
    assert E.pex_code("Brand new reason") == "#pex117"
    assert E.pex_code(None) == "#pex117"


@pytest.mark.parametrize(
    ("reason", "cls", "pex"),
    [
        ("Invalid PIN", E.InvalidPin, "#pex101"),
        ("Neither conference nor gateway found", E.ConferenceNotFound, "#pex154"),
        ("404 Not Found", E.ConferenceNotFound, "#pex157"),
        ("System in maintenance mode", E.Maintenance, "#pex110"),
        ("Failed to forward request", E.NodeUnavailable, "#pex119"),
        ("Timer expired awaiting token refresh", E.TokenExpired, "#pex113"),
        ("Out of transcoding resource", E.CapacityError, "#pex114"),
        ("Resource unavailable", E.CapacityError, "#pex191"),
        ("Ice failure", E.CallRejected, "#pex196"),
        ("Whatever", E.PexipError, "#pex117"),
    ],
)
def test_error_for_reason(reason: str, cls: type[E.PexipError], pex: str) -> None:
    error = E.error_for_reason(reason, http_status=403)
    assert type(error) is cls
    assert error.pex_code == pex
    assert isinstance(error, VideotimeError)
    assert error.code.startswith("pexip.")
    assert pex in str(error)


@pytest.mark.parametrize(
    ("reason", "cls", "pex"),
    [
        (
            "Timeout waiting for conference host to join or permit access to locked conference",
            E.LobbyTimeout,
            "#pex126",
        ),
        ("All conference hosts departed hosted conference", E.MeetingEnded, "#pex141"),
        ("No participants can keep conference alive", E.MeetingEnded, "#pex140"),
        ("Disconnected by another participant", E.Removed, "#pex124"),
        ("API initiated participant disconnect", E.Removed, "#pex122"),
        ("Timer expired awaiting token refresh", E.Removed, "#pex113"),
        (None, E.Removed, "#pex117"),
    ],
)
def test_removal_for_reason(reason: str | None, cls: type[E.Removed], pex: str) -> None:
    removal = E.removal_for_reason(reason)
    assert type(removal) is cls
    assert removal.pex_code == pex
    assert removal.reason == reason


def test_every_error_speaks_three_languages_plainly() -> None:
    classes = [c for c in vars(E).values() if isinstance(c, type) and issubclass(c, E.PexipError)]
    assert len(classes) >= 15
    for cls in classes:
        error = cls()
        for lang in ("nb", "nn", "en"):
            text = error.for_patient(lang)
            assert text.strip()
            assert "#pex" not in text
            assert "Traceback" not in text
        assert error.message.nb != error.message.en


def test_str_shows_known_reasons_but_never_the_text_of_unknown_ones() -> None:
    # str() is what a log line gets; an unknown "reason" may be a proxy page or quote our SDP.
    known = E.error_for_reason("Invalid PIN", http_status=403)
    assert "'Invalid PIN'" in str(known)
    unknown = E.ProtocolError("Could not parse v=0 a=ice-pwd:hemmelig", http_status=500)
    assert "hemmelig" not in str(unknown)
    assert "HTTP 500" in str(unknown)
    assert "hemmelig" in (unknown.reason or "")  # still there for code that branches on it
