"""Property-based tests: over 10,000 generated links per run.

For every generated link the parser either returns an :class:`Invitation` or raises one of its
own documented errors -- never anything else -- and every accepted link round-trips through
:meth:`Invitation.to_link`.  Accepted links always point at a trusted node (or, in dev mode, a
loopback one).  ``test_zz_enough_links_were_generated`` checks the total.
"""

from __future__ import annotations

import ipaddress
import string
from datetime import timedelta, timezone
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from videotime_client.invitation import (
    ERROR_CLASSES,
    Invitation,
    InvitationError,
    parse_invitation,
)

TRUSTED = ("join.nhn.no", "video.example-hf.no")
PER_TEST = 2600  # x 4 property tests = 10,400 generated links per run
RUNS: dict[str, int] = {}

SETTINGS = settings(
    max_examples=PER_TEST,
    deadline=None,  # shared 2-core CI machines: timing is not what we test here
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

_SAFE_TEXT = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")
    ),
    max_size=30,
)


@st.composite
def encoded(draw: st.DrawFn, value: str) -> str:
    how = draw(st.sampled_from(["quote", "quote_plus"]))
    return quote(value, safe="") if how == "quote" else quote_plus(value, safe="")


@st.composite
def valid_links(draw: st.DrawFn) -> tuple[str, dict[str, object]]:
    """A well-formed link in one of the accepted shapes, and what it should mean."""
    host = draw(st.sampled_from(TRUSTED))
    shown_host = draw(st.sampled_from([host, host.upper(), host + "."]))
    if host == "join.nhn.no":
        alias = draw(st.from_regex(r"[0-9]{6}", fullmatch=True))
    else:
        alias = draw(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._\-]{0,20}", fullmatch=True))
    params: list[tuple[str, str]] = []
    expect: dict[str, object] = {"node": host, "alias": alias}
    if draw(st.booleans()):
        name = draw(_SAFE_TEXT)
        params.append(("name", draw(encoded(name))))
        expect["display_name"] = name.strip() or None
    if draw(st.booleans()):
        pin = draw(st.from_regex(r"[0-9]{4,12}", fullmatch=True))
        params.append(("pin", pin))
        expect["pin"] = pin
    if draw(st.booleans()):
        role = draw(st.sampled_from(["guest", "host", "GUEST", "Host"]))
        params.append(("role", role))
        expect["role"] = role.lower()
    for key, attr in (("join", "join"), ("muteMicrophone", "mute_microphone"),
                      ("muteCamera", "mute_camera")):  # fmt: skip
        if draw(st.booleans()):
            value = draw(st.sampled_from(["1", "0", "true", "false", "yes", "no", ""]))
            params.append((key, value))
            expect[attr] = value in ("1", "true", "yes")
    if draw(st.booleans()):
        start = draw(
            st.datetimes(timezones=st.builds(timezone, st.integers(-14 * 60, 14 * 60).map(
                lambda m: timedelta(minutes=m))))
        )  # fmt: skip
        params.append(("start", quote(start.isoformat(), safe="")))
        expect["start"] = start
    if draw(st.booleans()):
        dept = draw(_SAFE_TEXT)
        params.append(("dept", draw(encoded(dept))))
        expect["department"] = dept.strip() or None
    if draw(st.booleans()):
        phone = draw(st.from_regex(r"\+47 [0-9]{2} [0-9]{2} [0-9]{2} [0-9]{2}", fullmatch=True))
        params.append(("phone", quote_plus(phone)))
        expect["phone"] = phone
    if draw(st.booleans()):
        params.append(("callTag", draw(encoded(draw(_SAFE_TEXT.filter(str.strip))))))
    if draw(st.booleans()):
        params.append(("extension", draw(st.from_regex(r"[0-9]{1,8}", fullmatch=True))))
    if draw(st.booleans()):
        params.append(("callType", draw(st.sampled_from(["video", "audio", "none"]))))
    if draw(st.booleans()):  # parameters the web app uses and we ignore
        params.append((draw(st.sampled_from(["media", "bw", "ssoToken", "audioonly"])), "1"))
    params = draw(st.permutations(params))
    query = "&".join(f"{k}={v}" for k, v in params)
    shape = draw(st.integers(0, 6))
    tail = f"?{query}" if query else ""
    if shape == 0:
        link = f"https://{shown_host}/webapp/conference/{alias}{tail}"
    elif shape == 1:
        flow = draw(st.sampled_from(["", "/", "/express", "/step-by-step"]))
        link = f"https://{shown_host}/webapp/m/{alias}{flow}{tail}"
    elif shape == 2:
        link = f"https://{shown_host}/webapp/?conference={alias}&{query}"
    elif shape == 3:
        link = f"https://{shown_host}/webapp/#/?conference={alias}&{query}"
    elif shape == 4:
        at = f"@{shown_host}" if host != TRUSTED[0] or draw(st.booleans()) else ""
        link = f"pexip://{alias}{at}{tail}"
    elif shape == 5:
        link = f"videotime://{shown_host}/webapp/conference/{alias}{tail}"
    else:
        link = f"videotime://{shown_host}/webapp/m/{alias}/express{tail}"
    return link, expect


def _check(link: str, *, dev: bool = False) -> Invitation | None:
    """The property: documented errors only; accepted links are safe and round-trip."""
    try:
        inv = parse_invitation(link, trusted_nodes=TRUSTED, dev=dev)
    except InvitationError as exc:
        error_type = type(exc)
        inv = None
    if inv is None:
        assert error_type in ERROR_CLASSES
        return None
    if inv.node.startswith("["):
        host = inv.node[: inv.node.index("]") + 1]
    else:
        host = inv.node.rsplit(":", 1)[0]
    if host in TRUSTED:
        assert inv.scheme == "https"
    else:
        assert dev, f"accepted an untrusted node without dev: {inv.node}"
        bare = host.strip("[]")
        assert bare == "localhost" or ipaddress.ip_address(bare).is_loopback
    assert inv.api_base.startswith(f"{inv.scheme}://{inv.node}/api/client/v2/conferences/")
    canonical = inv.to_link()
    assert len(canonical) <= 2048
    assert parse_invitation(canonical, trusted_nodes=TRUSTED, dev=dev) == inv
    return inv


def _count(name: str) -> None:
    RUNS[name] = RUNS.get(name, 0) + 1


@SETTINGS
@given(valid_links())
def test_generated_valid_links_are_accepted_and_round_trip(
    case: tuple[str, dict[str, object]],
) -> None:
    _count("valid")
    link, expect = case
    inv = _check(link)
    assert inv is not None, link
    for attr, value in expect.items():
        assert getattr(inv, attr) == value, (attr, link)


_NASTY = st.sampled_from(
    ["/", "..", "%2e", "%2F", "%00", "@", ":", "#", "?", "&", "=", "\\", " ", "\n", "\u202e",
     "\u200b", "xn--", "ј", "é", "%", "%C3", "+", ":443", ":8443", "evil.example", ".", "//",
     "pin=1", "role=host", "conference=123456", "http:", "javascript:", "[::1]", "127.0.0.1",
     "0", "9", "webapp/", "m/", "/express"]
)  # fmt: skip


@st.composite
def mutated_links(draw: st.DrawFn) -> str:
    link, _ = draw(valid_links())
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(link)))
        op = draw(st.integers(0, 3))
        if op == 0:
            link = link[:pos] + draw(_NASTY) + link[pos:]
        elif op == 1:
            link = link[:pos] + link[pos + draw(st.integers(1, 8)) :]
        elif op == 2:
            link = link[:pos] + draw(st.characters()) + link[pos:]
        else:
            link = link[:pos] + link[pos:] * draw(st.integers(1, 3))
    return link


@SETTINGS
@given(mutated_links())
def test_mutated_links_fail_only_with_documented_errors(link: str) -> None:
    _count("mutated")
    _check(link)


_URLISH = st.text(
    alphabet=st.sampled_from(
        [*string.ascii_letters, *string.digits, *":/?#@&=%.-_[]+~\\ ", "ј", "ｊ", "\u202e", "\x00"]
    ),
    max_size=80,
)  # fmt: skip


@SETTINGS
@given(
    st.one_of(
        st.text(max_size=120),
        st.builds(
            lambda a, b: a + b,
            st.sampled_from(
                [
                    "https://",
                    "http://",
                    "videotime://",
                    "pexip://",
                    "https://join.nhn.no",
                    "https://join.nhn.no/webapp/",
                    "pexip://123456@",
                    "HTTPS://JOIN.NHN.NO/webapp/m/",
                ]
            ),
            _URLISH,
        ),
    )
)
def test_arbitrary_text_fails_only_with_documented_errors(text: str) -> None:
    _count("arbitrary")
    _check(text)


@st.composite
def dev_links(draw: st.DrawFn) -> str:
    host = draw(st.sampled_from(["127.0.0.1", "127.9.8.7", "localhost", "[::1]", "LOCALHOST.",
                                 "[0:0:0:0:0:0:0:1]", "join.nhn.no", "10.1.2.3"]))  # fmt: skip
    port = draw(st.sampled_from(["", ":80", ":443", ":8080", ":65535", ":0", ":x"]))
    scheme = draw(st.sampled_from(["http", "https", "videotime"]))
    alias = draw(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._\-]{0,12}|[0-9]{6}", fullmatch=True))
    path = draw(st.sampled_from([f"/webapp/conference/{alias}", f"/webapp/m/{alias}/express",
                                 f"/webapp/?conference={alias}"]))  # fmt: skip
    link = f"{scheme}://{host}{port}{path}"
    if draw(st.booleans()):
        pos = draw(st.integers(0, len(link)))
        link = link[:pos] + draw(_NASTY) + link[pos:]
    return link


@SETTINGS
@given(dev_links())
def test_dev_mode_links_are_loopback_or_trusted_and_round_trip(link: str) -> None:
    _count("dev")
    _check(link, dev=True)


def test_zz_enough_links_were_generated() -> None:
    """Runs last in this module: the four properties together saw at least 10,000 links."""
    if set(RUNS) != {"valid", "mutated", "arbitrary", "dev"}:
        pytest.skip("only meaningful when the whole module runs")
    assert sum(RUNS.values()) >= 10_000, RUNS
