"""Logging: a rotating file in the log directory, with every record redacted before it is written.

Privacy rule: the log never contains PINs, tokens (Pexip ``token`` headers, query parameters and
JSON fields, one-time/SSO/refresh tokens), display names (``display_name``, ``name=``,
``overlay_text``, chat ``origin``), SDP bodies, or ICE/TURN credentials (``username``,
``credential``, ``password``, ``ufrag``/``pwd``).  :class:`RedactingFilter` is attached to the
*handlers* we install, not to loggers, so it sees every record that reaches them -- ours and
third-party ones (aiortc, aioice, urllib3, requests, aiohttp, Qt via ``ui/qtlog.py``).  It
redacts the formatted message (so ``record.args`` are covered), the exception text and the stack.

:func:`configure` is idempotent: calling it again replaces our handler instead of stacking one.
Third-party loggers are held at WARNING unless ``debug``.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from collections.abc import Callable

from videotime_client.paths import AppPaths

LOG_FILE_NAME = "videotime.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 3
MASK = "***"
THIRD_PARTY_LOGGERS = ("aiortc", "aioice", "urllib3", "requests", "aiohttp", "asyncio", "av")
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"

# ------------------------------------------------------------------------------ patterns

# Keys whose values are secret.  Name-like keys get a value pattern that allows spaces.
_HIDDEN_KEYS = (
    r"[A-Za-z_]*token[A-Za-z_]*|[A-Za-z_]*Token|(?:[A-Za-z]+_)?pin|pwd|ice[_-]?pwd|"
    r"[A-Za-z_]*password|passwd|credential|secret|username|usernameFragment|"
    r"ice[_-]?ufrag|ufrag|sdp|authorization|cookie|set-cookie|ssoToken"
)
_NAME_KEYS = r"display_?name|displayName|name|overlay_text|origin|remote_display_name"
_KEYS = rf"(?:{_HIDDEN_KEYS}|{_NAME_KEYS})"

_DQ = r'"(?:[^"\\]|\\.)*"'
_SQ = r"'(?:[^'\\]|\\.)*'"

_SUBSTITUTIONS: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    # SDP bodies, raw or JSON-escaped: "v=0" followed by more "x=..." lines.
    (
        re.compile(r"v=0(?:(?:\r\n|\n|\\r\\n|\\n)[a-z]=[^\r\n\\\"']*)+"),
        "<sdp redacted>",
    ),
    # Single SDP attributes that may be logged on their own.
    (
        re.compile(r"a=(fingerprint|ice-ufrag|ice-pwd|crypto):[^\r\n\\\"',]*", re.IGNORECASE),
        rf"a=\1:{MASK}",
    ),
    # ICE candidate attributes carrying the ufrag.
    (re.compile(r"\bufrag\s+\S+"), f"ufrag {MASK}"),
    # Credentials inside URLs: scheme://user:pass@host, turn:user:pass@host.
    (
        re.compile(r"(\b[a-z][a-z0-9+.-]*:(?://)?)[^\s/@'\"]+@(?=[^\s])", re.IGNORECASE),
        rf"\1{MASK}@",
    ),
    # Authorization headers: keep the scheme word, drop the credential.
    (
        re.compile(r"(authorization['\"]?\s*[:=]\s*['\"]?)(\w+\s+)?[^\s'\",}]+", re.IGNORECASE),
        rf"\1\2{MASK}",
    ),
    # "key": "value" / 'key': 'value' / "key": 1234 (JSON, Python reprs of dicts, headers).
    (
        re.compile(
            rf"(?P<q>[\"'])(?P<k>{_KEYS})(?P=q)(?P<sep>\s*:\s*)"
            rf"(?:b?{_DQ}|b?{_SQ}|[^,}}\]\s]+)",
            re.IGNORECASE,
        ),
        rf"\g<q>\g<k>\g<q>\g<sep>'{MASK}'",
    ),
    # key='value' / key="value" (dataclass and keyword reprs).
    (
        re.compile(rf"(?<![\w-])(?P<k>{_KEYS})=(?:{_DQ}|{_SQ})", re.IGNORECASE),
        rf"\g<k>='{MASK}'",
    ),
    # name=Kari Nordmann (until a delimiter; names contain spaces).
    (
        re.compile(rf"(?<![\w-])(?P<k>{_NAME_KEYS})(?P<sep>\s*[=:]\s*)[^&\"',;)}}\]#\r\n]+"),
        rf"\g<k>\g<sep>{MASK}",
    ),
    # token=abc&..., pin: 1234 (query strings, header lines, plain text).
    (
        re.compile(rf"(?<![\w-])(?P<k>{_HIDDEN_KEYS})(?P<sep>\s*[=:]\s*)[^&\s\"',;)}}\]#]+",
                   re.IGNORECASE),
        rf"\g<k>\g<sep>{MASK}",
    ),
)  # fmt: skip


def redact(text: str) -> str:
    """``text`` with every secret we know how to recognise replaced by ``***``."""
    for pattern, replacement in _SUBSTITUTIONS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Redacts a record in place (message with its args, exception text, stack); never drops."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_videotime_redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # bad %-args: keep the template, never the raw args
            message = f"{record.msg!s} (unformattable arguments dropped)"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        record._videotime_redacted = True
        return True


_HANDLER_MARK = "_videotime_handler"


def _remove_our_handlers(root: logging.Logger) -> None:
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_MARK, False):
            root.removeHandler(handler)
            handler.close()


def configure(paths: AppPaths, *, debug: bool = False) -> logging.Handler:
    """Log to ``<log dir>/videotime.log`` (rotating), redacted.  Safe to call repeatedly.

    When the directories cannot be created or the file cannot be opened (a read-only or bogus
    ``--data-dir``), Videotime runs without a log file rather than not at all: the handler is then
    a :class:`logging.NullHandler`.  Either way the root logger has a handler, so Python's
    last-resort handler never prints a record -- or its traceback -- on the patient's terminal.
    """
    root = logging.getLogger()
    _remove_our_handlers(root)
    handler: logging.Handler
    try:
        paths.ensure()
        handler = logging.handlers.RotatingFileHandler(
            paths.log / LOG_FILE_NAME,
            maxBytes=MAX_BYTES,
            backupCount=BACKUP_COUNT,
            encoding="utf-8",
        )
    except OSError:
        handler = logging.NullHandler()
    setattr(handler, _HANDLER_MARK, True)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactingFilter())
    handler.setLevel(logging.DEBUG if debug else logging.INFO)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    for name in THIRD_PARTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET if debug else logging.WARNING)
    return handler


def shutdown() -> None:
    """Remove and close our handler (tests, and before the data directory goes away)."""
    _remove_our_handlers(logging.getLogger())
