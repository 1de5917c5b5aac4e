"""Invitation links: a pure, strict parser for the link in the patient's appointment letter.

A link is the first thing a patient gives us, and it may come from anywhere (an SMS, an e-mail,
a phishing message).  So the parser accepts a small set of known shapes that point to a trusted
Pexip node and rejects everything else with a specific error a patient can understand.  It does
no I/O (except :func:`load_trusted_nodes`, which reads the optional config file) and never
raises anything but :class:`InvitationError` subclasses for bad input.

Accepted shapes
---------------
* ``https://<node>/webapp/conference/<alias>``
* ``https://<node>/webapp/m/<alias>`` optionally followed by ``/express`` or ``/step-by-step``
* ``https://<node>/webapp/?conference=<alias>`` (also ``/webapp``, ``/webapp/m/``: the SSO return)
* ``https://<node>/webapp/#/?conference=<alias>`` (hash routing)
* ``pexip://<alias>`` (default node) and ``pexip://<alias>@<node>``
* ``videotime://<node>/<path>?<query>`` which means exactly ``https://<node>/<path>?<query>``
* a typed room number: digits only, on the default node (the first trusted node), which must
  match that node's alias pattern (join.nhn.no: exactly six digits).

Each may end with one trailing ``/``.  Parameters may sit in the query or in a ``#/?...`` or
``#?...`` fragment: ``name``, ``pin``, ``role`` (``guest``/``host``), ``join``, ``callType``,
``muteMicrophone``, ``muteCamera``, ``callTag``, ``extension`` (the Pexip web app's), plus our
appointment metadata that the web app ignores: ``start`` (ISO 8601 *with* offset), ``dept`` and
``phone``.  Other parameters (``media``, ``bw``, ``ssoToken`` ...) are ignored.  Booleans accept
``1/true/yes`` and ``0/false/no`` (or empty).  A known parameter given twice is rejected (which
one would be meant?).  Text values are limited to 128 UTF-8 bytes so that the canonical link
(:meth:`Invitation.to_link`) always stays under the length limit and parses back.

Rules (checked in this order)
-----------------------------
1. Surrounding whitespace is stripped; more than 2,048 characters is rejected.
2. Control, format (bidi overrides, zero-width), surrogate, private-use and unassigned
   characters are rejected, raw or percent-encoded; so is raw whitespace or ``\\`` inside.
3. Scheme: ``https``, ``videotime``, ``pexip``; ``http`` only in developer mode to a loopback
   node.  Everything else (``http``, ``javascript``, ``data``, ``file`` ...) is rejected.
4. No userinfo (``user:pass@``) in https/videotime links.
5. Host: exact, case-insensitive match against the trusted list after removing one trailing
   dot; no suffix tricks.  Non-ASCII or punycode (``xn--``) hosts are rejected, as look-alikes
   when their skeleton resembles a trusted node.  Loopback (``localhost``, 127.0.0.0/8, ``::1``)
   only with ``dev=True``; then plain http and any port are allowed.
6. Port: only the scheme's default (which is dropped), except for dev loopback nodes.
7. Path: ``.``/``..`` segments, raw or encoded, and encoded ``/`` or ``\\`` are traversal;
   anything but the shapes above is an unknown path.
8. Alias: must match the node's pattern (:data:`ALIAS_PATTERNS`, else
   :data:`DEFAULT_ALIAS_PATTERN`).

Trusted nodes are data: :data:`DEFAULT_TRUSTED_NODES`, extended by ``trusted_nodes`` in the JSON
config file ``<config dir>/config.json``, e.g. ``{"trusted_nodes": ["video.example-hf.no"]}``
(see :func:`load_trusted_nodes`).

Exceptions (each has a stable ``code`` and a one-sentence patient message in nb, nn, en)::

    VideotimeError
     └── InvitationError              invitation          (base; never raised itself)
          ├── LinkTooLong             link_too_long
          ├── ControlCharacters       control_characters
          ├── MalformedLink           malformed_link      (not a link or a room number)
          ├── UnsupportedScheme       unsupported_scheme
          ├── UserInfoNotAllowed      userinfo
          ├── UntrustedHost           untrusted_host
          │    ├── LookalikeHost      lookalike_host      (IDN/punycode look-alike)
          │    └── DevOnlyHost        dev_only_host       (loopback without --dev)
          ├── PortNotAllowed          port_not_allowed
          ├── PathTraversal           path_traversal
          ├── UnknownPath             unknown_path
          ├── MalformedAlias          malformed_alias
          └── BadParameter            bad_parameter
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import logging
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal
from urllib.parse import quote, unquote, unquote_plus

from videotime_client.errors import VideotimeError
from videotime_client.texts import Text

log = logging.getLogger(__name__)

MAX_LINK_LENGTH = 2048
MAX_TEXT_BYTES = 128
DEFAULT_TRUSTED_NODES: tuple[str, ...] = ("join.nhn.no",)
CONFIG_FILE_NAME = "config.json"

#: Per-node alias patterns (full match).  join.nhn.no rooms are the six-digit number patients
#: type in "Search to call" (pexip-client-api.md §9.2).
ALIAS_PATTERNS: Mapping[str, re.Pattern[str]] = {
    "join.nhn.no": re.compile(r"[0-9]{6}"),
}
#: Sane default for other configured nodes and for dev nodes: a conservative dial-string
#: subset (no ``@``, which ``pexip://alias@node`` uses as the separator, no spaces, no ``/``).
DEFAULT_ALIAS_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+\-]{0,99}")

Role = Literal["guest", "host"]
Scheme = Literal["https", "http"]


# --------------------------------------------------------------------------------- errors


class InvitationError(VideotimeError):
    """A link or room number we will not use.  ``detail`` is for support, never a secret."""

    code = "invitation"
    message = Text(
        nb="Denne lenken kan ikke brukes.",
        nn="Denne lenkja kan ikkje brukast.",
        en="This link cannot be used.",
    )

    def __init__(self, detail: str = "") -> None:
        self.detail = detail
        super().__init__()


class LinkTooLong(InvitationError):
    code = "link_too_long"
    message = Text(
        nb="Lenken er for lang til å være en timeinnkalling.",
        nn="Lenkja er for lang til å vere ei timeinnkalling.",
        en="The link is too long to be an appointment link.",
    )


class ControlCharacters(InvitationError):
    code = "control_characters"
    message = Text(
        nb="Lenken inneholder usynlige tegn, så vi bruker den ikke.",
        nn="Lenkja inneheld usynlege teikn, så vi brukar ho ikkje.",
        en="The link contains hidden characters, so we will not use it.",
    )


class MalformedLink(InvitationError):
    code = "malformed_link"
    message = Text(
        nb="Dette ser ikke ut som en lenke eller et romnummer.",
        nn="Dette ser ikkje ut som ei lenkje eller eit romnummer.",
        en="This does not look like a link or a room number.",
    )


class UnsupportedScheme(InvitationError):
    code = "unsupported_scheme"
    message = Text(
        nb="Lenken må begynne med https://, så vi bruker ikke denne.",
        nn="Lenkja må byrje med https://, så vi brukar ikkje denne.",
        en="The link must start with https://, so we will not use this one.",
    )


class UserInfoNotAllowed(InvitationError):
    code = "userinfo"
    message = Text(
        nb="Lenken inneholder brukernavn eller passord foran adressen, og det er et faresignal.",
        nn="Lenkja inneheld brukarnamn eller passord framfor adressa, og det er eit faresignal.",
        en="The link has a user name or password before the address, which is a warning sign.",
    )


class UntrustedHost(InvitationError):
    code = "untrusted_host"
    message = Text(
        nb="Lenken går ikke til sykehusets videotjeneste, så vi åpner den ikke.",
        nn="Lenkja går ikkje til sjukehuset si videoteneste, så vi opnar ho ikkje.",
        en="The link does not go to the hospital's video service, so we will not open it.",
    )


class LookalikeHost(UntrustedHost):
    code = "lookalike_host"
    message = Text(
        nb="Adressen i lenken ligner på sykehusets, men er en annen, så vi åpner den ikke.",
        nn="Adressa i lenkja liknar på sjukehuset si, men er ei anna, så vi opnar ho ikkje.",
        en="The address in the link looks like the hospital's but is not, so we will not open it.",
    )


class DevOnlyHost(UntrustedHost):
    code = "dev_only_host"
    message = Text(
        nb="Lenken går til denne datamaskinen, og det er bare tillatt i utviklermodus.",
        nn="Lenkja går til denne datamaskina, og det er berre lov i utviklarmodus.",
        en="The link points to this computer, which is only allowed in developer mode.",
    )


class PortNotAllowed(InvitationError):
    code = "port_not_allowed"
    message = Text(
        nb="Lenken bruker en uvanlig port, så vi åpner den ikke.",
        nn="Lenkja brukar ein uvanleg port, så vi opnar ho ikkje.",
        en="The link uses an unusual port, so we will not open it.",
    )


class PathTraversal(InvitationError):
    code = "path_traversal"
    message = Text(
        nb="Lenken prøver å gå utenom videorommet, så vi åpner den ikke.",
        nn="Lenkja prøver å gå utanom videorommet, så vi opnar ho ikkje.",
        en="The link tries to go outside the video room, so we will not open it.",
    )


class UnknownPath(InvitationError):
    code = "unknown_path"
    message = Text(
        nb="Lenken peker ikke til et videorom.",
        nn="Lenkja peikar ikkje til eit videorom.",
        en="The link does not point to a video room.",
    )


class MalformedAlias(InvitationError):
    code = "malformed_alias"
    message = Text(
        nb="Romnummeret i lenken er feil; for join.nhn.no er det seks sifre.",
        nn="Romnummeret i lenkja er feil; for join.nhn.no er det seks siffer.",
        en="The room number in the link is wrong; for join.nhn.no it has six digits.",
    )


class BadParameter(InvitationError):
    code = "bad_parameter"
    message = Text(
        nb="En del av lenken er ugyldig, så vi bruker den ikke.",
        nn="Ein del av lenkja er ugyldig, så vi brukar ho ikkje.",
        en="Part of the link is invalid, so we will not use it.",
    )


#: Every concrete rejection class, for tests and documentation.
ERROR_CLASSES: tuple[type[InvitationError], ...] = (
    LinkTooLong,
    ControlCharacters,
    MalformedLink,
    UnsupportedScheme,
    UserInfoNotAllowed,
    UntrustedHost,
    LookalikeHost,
    DevOnlyHost,
    PortNotAllowed,
    PathTraversal,
    UnknownPath,
    MalformedAlias,
    BadParameter,
)


# --------------------------------------------------------------------------------- result


@dataclass(frozen=True, slots=True)
class Invitation:
    """A parsed invitation.  ``pin`` and ``display_name`` never appear in ``repr``/``str`` (and
    so not in logs)."""

    node: str
    alias: str
    scheme: Scheme = "https"
    role: Role | None = None
    display_name: str | None = field(default=None, repr=False)
    pin: str | None = field(default=None, repr=False)
    start: datetime | None = None
    department: str | None = None
    phone: str | None = None
    mute_microphone: bool = False
    mute_camera: bool = False
    call_tag: str | None = None
    extension: str | None = None
    call_type: str | None = None
    join: bool = False

    @property
    def node_base(self) -> str:
        return f"{self.scheme}://{self.node}"

    @property
    def api_base(self) -> str:
        return f"{self.node_base}/api/client/v2/conferences/{quote(self.alias, safe='')}"

    @property
    def pin_provided(self) -> bool:
        return self.pin is not None

    def to_link(self) -> str:
        """The canonical link: ``videotime://`` for https nodes, ``http://`` for dev loopback.

        It parses back (with the same ``trusted_nodes``/``dev``) to an equal Invitation.
        It contains the PIN if there is one: treat it as a secret.
        """
        scheme = "videotime" if self.scheme == "https" else "http"
        params: list[tuple[str, str]] = []
        for key, value in (
            ("name", self.display_name),
            ("pin", self.pin),
            ("role", self.role),
            ("join", "1" if self.join else None),
            ("callType", self.call_type),
            ("muteMicrophone", "1" if self.mute_microphone else None),
            ("muteCamera", "1" if self.mute_camera else None),
            ("callTag", self.call_tag),
            ("extension", self.extension),
            ("start", self.start.isoformat() if self.start is not None else None),
            ("dept", self.department),
            ("phone", self.phone),
        ):
            if value is not None:
                params.append((key, quote(value, safe="")))
        query = "&".join(f"{k}={v}" for k, v in params)
        link = f"{scheme}://{self.node}/webapp/conference/{quote(self.alias, safe='')}"
        return f"{link}?{query}" if query else link


# --------------------------------------------------------------------------------- config


def normalise_host(host: str) -> str:
    """Lower-case and drop one trailing dot (``join.nhn.no.`` is ``join.nhn.no``)."""
    host = host.lower()
    return host[:-1] if host.endswith(".") else host


_HOSTNAME = re.compile(
    r"(?=.{1,253}\Z)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*"
)


def _check_trusted(nodes: Sequence[str]) -> tuple[str, ...]:
    out: list[str] = []
    for node in nodes:
        host = normalise_host(node)
        if not _HOSTNAME.fullmatch(host) or host.startswith("xn--") or ".xn--" in host:
            raise ValueError(f"not a plain DNS host name: {node!r}")
        if host not in out:
            out.append(host)
    if not out:
        raise ValueError("trusted_nodes must not be empty")
    return tuple(out)


def load_trusted_nodes(config_dir: Path) -> tuple[str, ...]:
    """Default trusted nodes plus ``trusted_nodes`` from ``<config_dir>/config.json``.

    A missing file is normal.  A broken file or a bad entry is logged (once per call) and
    ignored: the defaults still work, and we never trust something we could not read.
    """
    path = config_dir / CONFIG_FILE_NAME
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return DEFAULT_TRUSTED_NODES
    except OSError as exc:
        log.warning(
            "cannot read %s (%s); using the default trusted nodes", path, type(exc).__name__
        )
        return DEFAULT_TRUSTED_NODES
    try:
        data = json.loads(raw)
    except ValueError:
        log.warning("%s is not valid JSON; using the default trusted nodes", path)
        return DEFAULT_TRUSTED_NODES
    extra = data.get("trusted_nodes", []) if isinstance(data, dict) else None
    if not isinstance(extra, list):
        log.warning("%s: trusted_nodes must be a list of host names; ignored", path)
        return DEFAULT_TRUSTED_NODES
    nodes = list(DEFAULT_TRUSTED_NODES)
    for entry in extra:
        try:
            if not isinstance(entry, str):
                raise ValueError("not a string")
            nodes.extend(_check_trusted([entry]))
        except ValueError:
            log.warning("%s: ignoring a trusted_nodes entry that is not a DNS host name", path)
    return _check_trusted(nodes)


def alias_pattern_for(node_host: str) -> re.Pattern[str]:
    return ALIAS_PATTERNS.get(node_host, DEFAULT_ALIAS_PATTERN)


# --------------------------------------------------------------------------------- parsing

_BAD_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_FLOW_SEGMENTS = frozenset({"express", "step-by-step"})
_BOOL_TRUE = frozenset({"1", "true", "yes"})
_BOOL_FALSE = frozenset({"", "0", "false", "no"})
_PIN = re.compile(r"[0-9]{4,20}")
_CALL_TYPE = re.compile(r"[A-Za-z][A-Za-z0-9_\-]{0,31}")
_EXTENSION = re.compile(r"[A-Za-z0-9*#.\-]{1,64}")
_PHONE = re.compile(r"\+?[0-9][0-9 \-]{1,28}[0-9]")
# Lookalike skeleton: characters that render like ASCII letters in common fonts.
_CONFUSABLES = str.maketrans(
    {
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "і": "i",
        "ј": "j", "һ": "h", "ԁ": "d", "ո": "n", "ս": "u", "ν": "v", "ο": "o",
        "ι": "i", "κ": "k", "η": "n", "ı": "i", "ɡ": "g", "ʜ": "h", "ɴ": "n",
        "。": ".", "．": ".", "｡": ".",
    }
)  # fmt: skip
_PARAM_KEYS = frozenset(
    {
        "conference", "name", "pin", "role", "join", "callType", "muteMicrophone",
        "muteCamera", "callTag", "extension", "start", "dept", "phone",
    }
)  # fmt: skip


def _has_bad_char(text: str) -> bool:
    return any(unicodedata.category(ch) in _BAD_CATEGORIES for ch in text)


def _decode(raw: str, *, plus_is_space: bool) -> str:
    if _BAD_PERCENT.search(raw):
        raise MalformedLink("stray % that is not an escape")
    try:
        value = (unquote_plus if plus_is_space else unquote)(raw, errors="strict")
    except UnicodeDecodeError:
        raise MalformedLink("percent-escapes that are not UTF-8") from None
    if _has_bad_char(value):
        raise ControlCharacters("encoded control or format character")
    return value


def _skeleton(host: str) -> str:
    """Fold a host to what it looks like: NFKC, confusables to ASCII, accents dropped."""
    labels = []
    for label in host.split("."):
        if label.startswith("xn--"):
            with contextlib.suppress(UnicodeError):
                label = label.encode("ascii").decode("idna")
        labels.append(label)
    folded = unicodedata.normalize("NFKC", ".".join(labels)).casefold().translate(_CONFUSABLES)
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class _Node:
    node: str  # host, or host:port for dev loopback with a non-default port
    host: str
    loopback: bool


def _parse_authority(
    authority: str, scheme: str, trusted: tuple[str, ...], dev: bool, *, allow_userinfo: bool
) -> _Node:
    if "@" in authority and not allow_userinfo:
        raise UserInfoNotAllowed()
    if not authority:
        raise MalformedLink("no host")
    if "%" in authority:
        raise MalformedLink("percent-escapes in the host")
    port: str | None = None
    if authority.startswith("["):
        end = authority.find("]")
        if end < 0:
            raise MalformedLink("unclosed [ in host")
        host, rest = authority[1:end], authority[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                raise MalformedLink("junk after ]")
            port = rest[1:]
        try:
            host = str(ipaddress.IPv6Address(host))
        except ValueError:
            raise MalformedLink("bad IPv6 address") from None
        bracketed = True
    else:
        host, sep, port_text = authority.partition(":")
        if sep:
            port = port_text
        bracketed = False
    host = normalise_host(host)
    if not host:
        raise MalformedLink("empty host")
    if not host.isascii() or any(label.startswith("xn--") for label in host.split(".")):
        skeleton = _skeleton(host)
        if any(t in skeleton or _skeleton(t) in skeleton for t in trusted):
            raise LookalikeHost("internationalised host resembling a trusted node")
        raise UntrustedHost("internationalised host")
    default_port = 443 if scheme == "https" else 80
    port_number: int | None = None
    if port is not None:
        if not port.isdigit() or not port.isascii() or len(port) > 5 or not 0 < int(port) < 65536:
            raise PortNotAllowed("port is not a number between 1 and 65535")
        port_number = int(port)
    if host in trusted:
        if port_number is not None and port_number != default_port:
            raise PortNotAllowed("non-default port")
        return _Node(node=host, host=host, loopback=False)
    if _is_loopback(host):
        if not dev:
            raise DevOnlyHost("loopback host without developer mode")
        shown = f"[{host}]" if bracketed else host
        if port_number is not None and port_number != default_port:
            shown = f"{shown}:{port_number}"
        return _Node(node=shown, host=host, loopback=True)
    raise UntrustedHost("host not on the trusted list")


def _parse_params(*chunks: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for chunk in chunks:
        for piece in chunk.split("&"):
            if not piece:
                continue
            raw_key, _, raw_value = piece.partition("=")
            key = _decode(raw_key, plus_is_space=True)
            value = _decode(raw_value, plus_is_space=True)
            if key not in _PARAM_KEYS:
                continue  # web-app parameters we do not use (media, bw, ssoToken ...)
            if key in params:
                raise BadParameter(f"parameter {key} given twice")
            params[key] = value
    return params


def _text(params: Mapping[str, str], key: str) -> str | None:
    value = params.get(key, "").strip()
    if not value:
        return None
    if len(value.encode("utf-8")) > MAX_TEXT_BYTES:
        raise BadParameter(f"parameter {key} is too long")
    return value


def _pattern(params: Mapping[str, str], key: str, pattern: re.Pattern[str]) -> str | None:
    value = params.get(key, "")
    if not value:
        return None
    if not pattern.fullmatch(value):
        raise BadParameter(f"parameter {key} has an invalid value")
    return value


def _flag(params: Mapping[str, str], key: str) -> bool:
    value = params.get(key, "").lower()
    if value in _BOOL_TRUE:
        return True
    if value in _BOOL_FALSE:
        return False
    raise BadParameter(f"parameter {key} is not 1 or 0")


def _start(params: Mapping[str, str]) -> datetime | None:
    value = params.get("start", "")
    if not value:
        return None
    if len(value) > 64:
        raise BadParameter("parameter start is too long")
    try:
        start = datetime.fromisoformat(value)
    except ValueError:
        raise BadParameter("parameter start is not ISO 8601") from None
    if start.tzinfo is None or start.utcoffset() is None:
        raise BadParameter("parameter start has no UTC offset")
    return start


def _role(params: Mapping[str, str]) -> Role | None:
    value = params.get("role", "").lower()
    if value == "":
        return None
    if value == "guest":
        return "guest"
    if value == "host":
        return "host"
    raise BadParameter("parameter role is not guest or host")


def _check_alias(alias: str, host: str) -> str:
    if not alias:
        raise MalformedAlias("no room number")
    if _has_bad_char(alias):
        raise ControlCharacters("control or format character in the room number")
    if not alias_pattern_for(host).fullmatch(alias):
        raise MalformedAlias("room number does not match the node's pattern")
    return alias


def _build(node: _Node, alias: str, scheme: Scheme, params: Mapping[str, str]) -> Invitation:
    return Invitation(
        node=node.node,
        alias=_check_alias(alias, node.host),
        scheme=scheme,
        role=_role(params),
        display_name=_text(params, "name"),
        pin=_pattern(params, "pin", _PIN),
        start=_start(params),
        department=_text(params, "dept"),
        phone=_pattern(params, "phone", _PHONE),
        mute_microphone=_flag(params, "muteMicrophone"),
        mute_camera=_flag(params, "muteCamera"),
        call_tag=_text(params, "callTag"),
        extension=_pattern(params, "extension", _EXTENSION),
        call_type=_pattern(params, "callType", _CALL_TYPE),
        join=_flag(params, "join"),
    )


def _split_rest(rest: str) -> tuple[str, str, str]:
    """``path?query#fragment`` -> (path, query, fragment)."""
    before_fragment, _, fragment = rest.partition("#")
    path, _, query = before_fragment.partition("?")
    return path, query, fragment


def _fragment_query(fragment: str) -> str:
    if fragment in ("", "/"):
        return ""
    for prefix in ("/?", "?"):
        if fragment.startswith(prefix):
            return fragment[len(prefix) :]
    raise UnknownPath("fragment is not a #/?... parameter list")


def _alias_from_path(path: str, params: Mapping[str, str]) -> str:
    if not path.startswith("/"):
        raise UnknownPath("no path")
    segments = path[1:].split("/")
    if segments and segments[-1] == "" and len(segments) > 1:
        segments.pop()  # one trailing slash is fine
    for segment in segments:
        if segment in (".", ".."):
            raise PathTraversal("dot segment")
        decoded = _decode(segment, plus_is_space=False)
        if decoded in (".", "..") or "/" in decoded or "\\" in decoded:
            raise PathTraversal("encoded dot segment or slash")
    if "" in segments:
        raise UnknownPath("empty path segment")
    conference = params.get("conference", "")
    match segments:
        case ["webapp", "conference", alias] | ["webapp", "m", alias]:
            pass
        case ["webapp", "m", alias, flow] if flow in _FLOW_SEGMENTS:
            pass
        case ["webapp"] | ["webapp", "m"]:
            if "conference" not in params:
                raise UnknownPath("web-app start page without a conference")
            return conference
        case _:
            raise UnknownPath("not a Pexip web-app room path")
    alias = _decode(alias, plus_is_space=False)
    if conference and conference != alias:
        raise BadParameter("conference parameter names another room")
    return alias


def parse_invitation(
    text: str, *, trusted_nodes: Sequence[str] | None = None, dev: bool = False
) -> Invitation:
    """Parse a join link or a typed room number; raise an :class:`InvitationError` if unusable.

    ``trusted_nodes`` is the complete list (default :data:`DEFAULT_TRUSTED_NODES`; use
    :func:`load_trusted_nodes` to add configured ones); its first entry is the default node
    for typed room numbers and ``pexip://<alias>``.  ``dev`` allows loopback nodes.
    """
    trusted = DEFAULT_TRUSTED_NODES if trusted_nodes is None else _check_trusted(trusted_nodes)
    if not isinstance(text, str):
        raise MalformedLink("not text")
    if len(text) > 4 * MAX_LINK_LENGTH:
        raise LinkTooLong("over the limit before trimming")
    text = text.strip(" \t\r\n")
    if len(text) > MAX_LINK_LENGTH:
        raise LinkTooLong(f"over {MAX_LINK_LENGTH} characters")
    if _has_bad_char(text):
        raise ControlCharacters("control or format character")
    if not text:
        raise MalformedLink("empty")
    if any(ch.isspace() for ch in text) or "\\" in text:
        raise MalformedLink("whitespace or backslash inside the link")

    if text.isdigit() and text.isascii():
        default = _Node(node=trusted[0], host=trusted[0], loopback=False)
        return _build(default, text, "https", {})

    match = _SCHEME.match(text)
    if match is None:
        raise MalformedLink("no scheme")
    scheme = match.group(1).lower()
    rest = text[match.end() :]
    if scheme not in ("https", "http", "videotime", "pexip") or (scheme == "http" and not dev):
        raise UnsupportedScheme(f"scheme {scheme}")
    if not rest.startswith("//"):
        raise MalformedLink("scheme without //")
    rest = rest[2:]

    if scheme == "pexip":
        end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
        dial, tail = rest[:end], rest[end:]
        path, query, fragment = _split_rest(tail)
        if path not in ("", "/"):
            raise UnknownPath("pexip:// links have no path")
        params = _parse_params(query, _fragment_query(fragment))
        alias_raw, at, host_raw = dial.partition("@")
        if "@" in host_raw or ":" in alias_raw:
            raise UserInfoNotAllowed("more than one @ or a password in a pexip:// link")
        if at:
            node = _parse_authority(host_raw, "https", trusted, dev, allow_userinfo=False)
        else:
            node = _Node(node=trusted[0], host=trusted[0], loopback=False)
        alias = _decode(alias_raw, plus_is_space=False)
        return _build(node, alias, "https", params)

    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority, tail = rest[:end], rest[end:]
    web_scheme: Scheme = "http" if scheme == "http" else "https"
    node = _parse_authority(authority, web_scheme, trusted, dev, allow_userinfo=False)
    if scheme == "http" and not node.loopback:
        raise UnsupportedScheme("http to a node that is not a developer loopback node")
    path, query, fragment = _split_rest(tail)
    params = _parse_params(query, _fragment_query(fragment))
    alias = _alias_from_path(path, params)
    return _build(node, alias, web_scheme, params)
