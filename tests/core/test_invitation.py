"""Every accepted link shape and every rejection class of the invitation parser."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from videotime_client import invitation as inv_mod
from videotime_client.errors import VideotimeError
from videotime_client.invitation import (
    DEFAULT_TRUSTED_NODES,
    ERROR_CLASSES,
    MAX_LINK_LENGTH,
    BadParameter,
    ControlCharacters,
    DevOnlyHost,
    Invitation,
    InvitationError,
    LinkTooLong,
    LookalikeHost,
    MalformedAlias,
    MalformedLink,
    PathTraversal,
    PortNotAllowed,
    UnknownPath,
    UnsupportedScheme,
    UntrustedHost,
    UserInfoNotAllowed,
    load_trusted_nodes,
    parse_invitation,
)

NODE = "join.nhn.no"
ROOM = "998112"
BASE = f"https://{NODE}/webapp/conference/{ROOM}"


def roundtrip(inv: Invitation, **kwargs: object) -> None:
    again = parse_invitation(inv.to_link(), **kwargs)  # type: ignore[arg-type]
    assert again == inv


# ------------------------------------------------------------------------ accepted shapes

SHAPES = [
    BASE,
    BASE + "/",
    f"https://{NODE}/webapp/m/{ROOM}",
    f"https://{NODE}/webapp/m/{ROOM}/express",
    f"https://{NODE}/webapp/m/{ROOM}/step-by-step?role=guest",
    f"https://{NODE}/webapp/?conference={ROOM}",
    f"https://{NODE}/webapp?conference={ROOM}",
    f"https://{NODE}/webapp/m/?conference={ROOM}&join=1",
    f"https://{NODE}/webapp/#/?conference={ROOM}",
    f"https://{NODE}/webapp/#?conference={ROOM}",
    f"pexip://{ROOM}",
    f"pexip://{ROOM}@{NODE}",
    f"pexip://{ROOM}@{NODE}?role=guest",
    f"videotime://{NODE}/webapp/conference/{ROOM}",
    f"videotime://{NODE}/webapp/m/{ROOM}/express",
    f"videotime://{NODE}/webapp/#/?conference={ROOM}",
    ROOM,
    f"  {ROOM}\n",
    f"HTTPS://JOIN.NHN.NO/webapp/conference/{ROOM}",
    f"https://join.nhn.no./webapp/conference/{ROOM}",
    f"https://join.nhn.no:443/webapp/conference/{ROOM}",
    f"\t{BASE}\r\n",
]


@pytest.mark.parametrize("link", SHAPES)
def test_every_shape_means_the_same_room(link: str) -> None:
    inv = parse_invitation(link)
    assert (inv.node, inv.alias, inv.scheme) == (NODE, ROOM, "https")
    assert inv.api_base == f"https://{NODE}/api/client/v2/conferences/{ROOM}"
    assert inv.node_base == f"https://{NODE}"
    roundtrip(inv)


def test_all_web_app_parameters_are_read() -> None:
    link = (
        BASE + "?name=Kari+Nordmann&pin=123456&role=GUEST&join=1&callType=video"
        "&muteMicrophone=true&muteCamera=yes&callTag=abc%201&extension=42&media=1&bw=512"
    )
    inv = parse_invitation(link)
    assert inv.display_name == "Kari Nordmann"
    assert inv.pin == "123456"
    assert inv.role == "guest"
    assert inv.join
    assert inv.mute_microphone
    assert inv.mute_camera
    assert inv.call_type == "video"
    assert inv.call_tag == "abc 1"
    assert inv.extension == "42"
    roundtrip(inv)


def test_parameters_in_the_hash_route() -> None:
    inv = parse_invitation(f"https://{NODE}/webapp/#/?conference={ROOM}&name=%C3%85se&role=host")
    assert (inv.alias, inv.display_name, inv.role) == (ROOM, "Åse", "host")


def test_pexip_scheme_takes_the_same_parameters() -> None:
    inv = parse_invitation(f"pexip://{ROOM}@{NODE}?name=Ola&pin=4321&muteCamera=1")
    assert (inv.display_name, inv.pin, inv.mute_camera) == ("Ola", "4321", True)


def test_videotime_scheme_adds_appointment_metadata() -> None:
    link = (
        f"videotime://{NODE}/webapp/conference/{ROOM}?role=guest"
        "&start=2026-12-01T10:30%2B01:00&dept=Hjertepoliklinikken&phone=%2B47+22+11+77+00"
    )
    inv = parse_invitation(link)
    assert inv.start == datetime(2026, 12, 1, 10, 30, tzinfo=timezone(timedelta(hours=1)))
    assert inv.department == "Hjertepoliklinikken"
    assert inv.phone == "+47 22 11 77 00"
    assert inv.role == "guest"
    roundtrip(inv)
    # videotime://X means exactly https://X: same invitation from the https link.
    assert parse_invitation("https" + link.removeprefix("videotime")) == inv


def test_start_accepts_z_and_keeps_the_instant() -> None:
    inv = parse_invitation(BASE + "?start=2026-12-01T09:30:00Z")
    assert inv.start == datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def test_empty_parameters_mean_absent() -> None:
    inv = parse_invitation(BASE + "?name=&pin=&role=&join=&muteCamera=0&start=&dept=+")
    assert inv == Invitation(node=NODE, alias=ROOM)


def test_pin_and_name_never_appear_in_repr_or_str() -> None:
    inv = parse_invitation(BASE + "?pin=918273&name=Kari+Hemmelig")
    assert inv.pin == "918273"
    assert inv.pin_provided
    for secret in ("918273", "Hemmelig"):
        assert secret not in repr(inv)
        assert secret not in str(inv)
    assert "918273" in inv.to_link()  # the canonical link carries it: a secret itself


def test_typed_room_uses_the_first_trusted_node() -> None:
    inv = parse_invitation(ROOM, trusted_nodes=["video.example-hf.no", NODE])
    assert inv.node == "video.example-hf.no"


def test_configured_node_uses_the_default_alias_pattern() -> None:
    nodes = [NODE, "Video.Example-HF.no."]
    inv = parse_invitation(
        "https://video.example-hf.no/webapp/conference/meet.kari-2", trusted_nodes=nodes
    )
    assert (inv.node, inv.alias) == ("video.example-hf.no", "meet.kari-2")
    roundtrip(inv, trusted_nodes=nodes)
    with pytest.raises(MalformedAlias):
        parse_invitation("https://video.example-hf.no/webapp/conference/-bad", trusted_nodes=nodes)
    with pytest.raises(MalformedAlias):  # join.nhn.no keeps its six-digit rule
        parse_invitation(f"https://{NODE}/webapp/conference/meet.kari", trusted_nodes=nodes)


@pytest.mark.parametrize(
    ("link", "node", "scheme"),
    [
        ("http://127.0.0.1:8080/webapp/conference/room1", "127.0.0.1:8080", "http"),
        ("http://127.5.6.7/webapp/conference/room1", "127.5.6.7", "http"),
        ("http://localhost:9000/webapp/m/room1/express", "localhost:9000", "http"),
        ("https://[::1]:8443/webapp/conference/room1", "[::1]:8443", "https"),
        ("videotime://localhost:8443/webapp/conference/room1", "localhost:8443", "https"),
        ("pexip://room1@127.0.0.1:8443", "127.0.0.1:8443", "https"),
        ("http://127.0.0.1:80/webapp/conference/room1", "127.0.0.1", "http"),
    ],
)
def test_dev_mode_allows_loopback_with_http_and_ports(link: str, node: str, scheme: str) -> None:
    inv = parse_invitation(link, dev=True)
    assert (inv.node, inv.alias, inv.scheme) == (node, "room1", scheme)
    assert inv.api_base == f"{scheme}://{node}/api/client/v2/conferences/room1"
    roundtrip(inv, dev=True)
    with pytest.raises((DevOnlyHost, UnsupportedScheme)):
        parse_invitation(link)


def test_dev_mode_does_not_relax_real_nodes() -> None:
    with pytest.raises(UnsupportedScheme):
        parse_invitation(f"http://{NODE}/webapp/conference/{ROOM}", dev=True)
    with pytest.raises(PortNotAllowed):
        parse_invitation(f"https://{NODE}:8443/webapp/conference/{ROOM}", dev=True)


# ------------------------------------------------------------------------ rejections

REJECTIONS: list[tuple[str, type[InvitationError]]] = [
    # links over 2,048 characters
    (BASE + "?name=" + "a" * MAX_LINK_LENGTH, LinkTooLong),
    # control / format characters, raw and encoded
    (BASE + "\x00", ControlCharacters),
    (BASE + "?name=Kari\x1b[31m", ControlCharacters),
    (BASE + "?name=%0A", ControlCharacters),
    (BASE + "?name=Kari%E2%80%AE", ControlCharacters),  # right-to-left override
    (f"https://join.nhn.no\u200b/webapp/conference/{ROOM}", ControlCharacters),
    ("https://join.nhn.no/webapp/conference/998112\u2028", ControlCharacters),
    # not a link at all
    ("", MalformedLink),
    ("   ", MalformedLink),
    ("join.nhn.no/webapp/conference/998112", MalformedLink),
    ("https:join.nhn.no/webapp/conference/998112", MalformedLink),
    ("https://join.nhn.no/webapp/conference/998112 extra", MalformedLink),
    ("https://join.nhn.no\\@evil.example/webapp/conference/998112", MalformedLink),
    (BASE + "?name=%zz", MalformedLink),
    (BASE + "?name=%C3%28", MalformedLink),  # not UTF-8
    ("https://[::1/webapp/conference/room1", MalformedLink),
    # non-https schemes
    (f"http://{NODE}/webapp/conference/{ROOM}", UnsupportedScheme),
    ("javascript:alert(document.cookie)", UnsupportedScheme),
    ("data:text/html,<script>alert(1)</script>", UnsupportedScheme),
    ("file:///etc/passwd", UnsupportedScheme),
    ("ftp://join.nhn.no/webapp/conference/998112", UnsupportedScheme),
    ("vbscript:msgbox", UnsupportedScheme),
    ("pexip-provision://join.nhn.no", UnsupportedScheme),
    # userinfo
    (f"https://user:pass@{NODE}/webapp/conference/{ROOM}", UserInfoNotAllowed),
    (f"https://{NODE}@evil.example/webapp/conference/{ROOM}", UserInfoNotAllowed),
    (f"videotime://x@{NODE}/webapp/conference/{ROOM}", UserInfoNotAllowed),
    (f"pexip://{ROOM}@user@{NODE}", UserInfoNotAllowed),
    (f"pexip://user:pw@{NODE}", UserInfoNotAllowed),
    # untrusted hosts, suffix/prefix tricks
    (f"https://evil.example/webapp/conference/{ROOM}", UntrustedHost),
    (f"https://join.nhn.no.evil.example/webapp/conference/{ROOM}", UntrustedHost),
    (f"https://evil-join.nhn.no/webapp/conference/{ROOM}", UntrustedHost),
    (f"https://xjoin.nhn.no/webapp/conference/{ROOM}", UntrustedHost),
    (f"https://nhn.no/webapp/conference/{ROOM}", UntrustedHost),
    (f"https://join.nhn.no../webapp/conference/{ROOM}", UntrustedHost),
    (f"https://10.0.0.1/webapp/conference/{ROOM}", UntrustedHost),
    (f"pexip://{ROOM}@evil.example", UntrustedHost),
    # IDN / punycode look-alikes
    (f"https://јoin.nhn.no/webapp/conference/{ROOM}", LookalikeHost),  # Cyrillic je
    (f"https://{'јoin.nhn.no'.encode('idna').decode()}/webapp/conference/{ROOM}", LookalikeHost),
    (f"https://ｊｏｉｎ.nhn.no/webapp/conference/{ROOM}", LookalikeHost),  # fullwidth
    (f"https://join。nhn。no/webapp/conference/{ROOM}", LookalikeHost),  # ideographic dots
    (f"https://jöin.nhn.no/webapp/conference/{ROOM}", LookalikeHost),
    (f"https://join.nhn.nо/webapp/conference/{ROOM}", LookalikeHost),  # Cyrillic o
    # loopback without --dev
    ("https://127.0.0.1/webapp/conference/998112", DevOnlyHost),
    ("https://localhost/webapp/conference/998112", DevOnlyHost),
    ("https://[::1]/webapp/conference/998112", DevOnlyHost),
    # ports
    (f"https://{NODE}:8443/webapp/conference/{ROOM}", PortNotAllowed),
    (f"https://{NODE}:80/webapp/conference/{ROOM}", PortNotAllowed),
    (f"https://{NODE}:/webapp/conference/{ROOM}", PortNotAllowed),
    (f"https://{NODE}:99999/webapp/conference/{ROOM}", PortNotAllowed),
    (f"https://{NODE}:0x1bb/webapp/conference/{ROOM}", PortNotAllowed),
    # path traversal
    (f"https://{NODE}/webapp/../admin/{ROOM}", PathTraversal),
    (f"https://{NODE}/webapp/conference/../../api/client/v2/status", PathTraversal),
    (f"https://{NODE}/webapp/conference/%2e%2e", PathTraversal),
    (f"https://{NODE}/webapp/conference/998%2F112", PathTraversal),
    (f"https://{NODE}/webapp/./conference/{ROOM}", PathTraversal),
    (f"https://{NODE}/webapp/conference/%5c..", PathTraversal),
    # unknown paths
    (f"https://{NODE}", UnknownPath),
    (f"https://{NODE}/", UnknownPath),
    (f"https://{NODE}/webapp/home", UnknownPath),
    (f"https://{NODE}/webapp/", UnknownPath),
    (f"https://{NODE}/admin/conference/{ROOM}", UnknownPath),
    (f"https://{NODE}/webapp/m/{ROOM}/unknown-flow", UnknownPath),
    (f"https://{NODE}/webapp//conference/{ROOM}", UnknownPath),
    (f"https://{NODE}/api/client/v2/conferences/{ROOM}/request_token", UnknownPath),
    (BASE + "#/settings", UnknownPath),
    (f"pexip://{ROOM}/extra", UnknownPath),
    # malformed aliases (join.nhn.no: exactly six digits)
    (f"https://{NODE}/webapp/conference/99811", MalformedAlias),
    (f"https://{NODE}/webapp/conference/9981123", MalformedAlias),
    (f"https://{NODE}/webapp/conference/abcdef", MalformedAlias),
    (f"https://{NODE}/webapp/conference/%EF%BC%99%EF%BC%99%EF%BC%98112", MalformedAlias),
    (f"https://{NODE}/webapp/?conference=", MalformedAlias),
    ("12345", MalformedAlias),
    ("1234567", MalformedAlias),
    (f"pexip://room@{NODE}", MalformedAlias),
    # bad parameters
    (BASE + "?role=admin", BadParameter),
    (BASE + "?pin=12ab", BadParameter),
    (BASE + "?pin=1&pin=2", BadParameter),
    (BASE + "?join=maybe", BadParameter),
    (BASE + "?start=2026-12-01T10:00", BadParameter),  # no offset
    (BASE + "?start=tomorrow", BadParameter),
    (BASE + "?phone=call-me", BadParameter),
    (BASE + "?name=" + "å" * 65, BadParameter),  # over 128 UTF-8 bytes
    (BASE + "?conference=123456", BadParameter),  # names another room
    (BASE + "?name=a#/?name=b", BadParameter),
]


@pytest.mark.parametrize(("link", "error"), REJECTIONS)
def test_rejections_are_specific(link: str, error: type[InvitationError]) -> None:
    with pytest.raises(InvitationError) as caught:
        parse_invitation(link)
    assert type(caught.value) is error, caught.value.detail
    assert caught.value.code == error.code


def test_every_rejection_class_is_covered() -> None:
    covered = {error for _, error in REJECTIONS}
    assert covered == set(ERROR_CLASSES)


@pytest.mark.parametrize("error", ERROR_CLASSES)
def test_each_error_has_a_code_and_one_plain_sentence_per_language(
    error: type[InvitationError],
) -> None:
    exc = error("detail for support")
    assert isinstance(exc, VideotimeError)
    assert exc.code != InvitationError.code
    assert exc.code.replace("_", "").isalpha()
    for lang in ("nb", "nn", "en"):
        sentence = exc.for_patient(lang)
        assert sentence.endswith("."), sentence
        assert sentence.count(". ") == 0, sentence
        assert len(sentence) < 120
    assert exc.message.nb != exc.message.en


def test_error_codes_are_unique() -> None:
    codes = [error.code for error in ERROR_CLASSES]
    assert len(codes) == len(set(codes))


def test_error_detail_never_contains_the_pin() -> None:
    with pytest.raises(BadParameter) as caught:
        parse_invitation(BASE + "?pin=918273&role=admin")
    assert "918273" not in str(caught.value) + caught.value.detail


def test_length_limit_is_exactly_2048() -> None:
    pad = MAX_LINK_LENGTH - len(BASE + "?x=")
    assert parse_invitation(BASE + "?x=" + "a" * pad).alias == ROOM
    with pytest.raises(LinkTooLong):
        parse_invitation(BASE + "?x=" + "a" * (pad + 1))


def test_trusted_nodes_must_be_plain_host_names() -> None:
    with pytest.raises(ValueError, match="host name"):
        parse_invitation(ROOM, trusted_nodes=["join.nhn.no/evil"])
    with pytest.raises(ValueError, match="empty"):
        parse_invitation(ROOM, trusted_nodes=[])


# ------------------------------------------------------------------------ configuration


def test_config_file_extends_the_trusted_nodes(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(
        json.dumps({"trusted_nodes": ["Video.Example-HF.no", "join.nhn.no"]})
    )
    nodes = load_trusted_nodes(tmp_path)
    assert nodes == ("join.nhn.no", "video.example-hf.no")
    inv = parse_invitation("https://video.example-hf.no/webapp/m/room-7", trusted_nodes=nodes)
    assert inv.node == "video.example-hf.no"


def test_missing_config_means_defaults(tmp_path: Path) -> None:
    assert load_trusted_nodes(tmp_path) == DEFAULT_TRUSTED_NODES


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        '["a"]',
        '{"trusted_nodes": "video.example.no"}',
        '{"trusted_nodes": [1, "a b"]}',
    ],
)
def test_broken_config_is_reported_and_ignored(
    tmp_path: Path, content: str, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "config.json").write_text(content)
    assert load_trusted_nodes(tmp_path) == DEFAULT_TRUSTED_NODES
    assert any(r.levelname == "WARNING" and r.name == inv_mod.__name__ for r in caplog.records)


def test_to_link_is_canonical() -> None:
    inv = parse_invitation(f"pexip://{ROOM}?name=Kari%20N&muteMicrophone=true")
    assert inv.to_link() == (
        f"videotime://{NODE}/webapp/conference/{ROOM}?name=Kari%20N&muteMicrophone=1"
    )
