"""The log file never contains a secret, whoever logged it and however it was passed."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from videotime_client import logs
from videotime_client.paths import AppPaths

SECRETS = {
    "token": "TOKEN-9f8e7d6c5b4a",
    "one_time_token": "OTT-0a1b2c3d",
    "pin": "918273",
    "name": "Kari Nordmann",
    "ufrag": "UFRAGq1w2",
    "pwd": "PWDe3r4t5y6u7i8o9",
    "fingerprint": "AB:CD:EF:01:23:45:67:89",
    "turn_user": "1732550000:turnuser",
    "turn_pass": "TURNPASSzxcv",
}
S = SECRETS

SDP = (
    "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
    f"a=ice-ufrag:{S['ufrag']}\r\na=ice-pwd:{S['pwd']}\r\n"
    f"a=fingerprint:sha-256 {S['fingerprint']}\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n"
)

# (logger name, message template, args) -- each would leak at least one secret unredacted.
LEAKS: list[tuple[str, str, tuple[object, ...]]] = [
    ("urllib3.connectionpool", '%s://%s:%s "%s %s HTTP/1.1" 200 None',
     ("https", "join.nhn.no", 443, "GET",
      f"/api/client/v2/conferences/998112/events?token={S['token']}")),
    ("requests", "headers: %r", ({"token": S["token"], "pin": S["pin"]},)),
    ("videotime_client.pexip", "request_token body %s", ({"display_name": S["name"]},)),
    ("videotime_client.pexip", "response %s",
     ('{"status": "success", "result": {"token": "' + S["token"] + '", "display_name": "'
      + S["name"] + '"}}',)),
    ("aiohttp.access", "GET /events?token=%s&one_time_token=%s", (S["token"], S["one_time_token"])),
    ("videotime_client.pexip", "pin header pin: %s", (S["pin"],)),
    ("aiortc.rtcpeerconnection", "local description %s", (SDP,)),
    ("videotime_client.call", "calls body %s", ({"call_type": "WEBRTC", "sdp": SDP},)),
    ("videotime_client.call", "json %s", ('{"sdp": "' + SDP.replace("\r\n", "\\r\\n") + '"}',)),
    ("aioice.ice", "remote ufrag %s", (f"a=ice-ufrag:{S['ufrag']}",)),
    ("aioice.ice", "candidate:1 1 udp 2130706431 10.0.0.1 5000 typ host ufrag %s", (S["ufrag"],)),
    ("aiortc.rtcicetransport", "ice servers %r",
     ([{"urls": "turn:127.0.0.1", "username": S["turn_user"], "credential": S["turn_pass"]}],)),
    ("aiortc", "RTCIceServer(urls='turn:127.0.0.1', username='%s', credential='%s')",
     (S["turn_user"], S["turn_pass"])),
    ("videotime_client.call", "turn turn:%s:%s@127.0.0.1", (S["turn_user"], S["turn_pass"])),
    ("videotime_client.ui", "chat from origin=%s: hello", (S["name"],)),
    ("videotime_client.ui", "event %s", ({"origin": S["name"], "payload": "hei"},)),
    ("videotime_client.ui", "participant overlay_text='%s'", (S["name"],)),
    ("qt", "link https://join.nhn.no/webapp/conference/998112?name=%s&pin=%s",
     ("Kari%20Nordmann", S["pin"])),
    ("videotime_client.ui", "participant name=%s role=guest", (S["name"],)),
]  # fmt: skip


@pytest.fixture(autouse=True)
def _restore_logger_levels() -> Iterator[None]:
    """configure() sets the root and third-party levels (DEBUG with debug=True): put them back,
    or every later test in the session runs with aiortc and friends logging at DEBUG."""
    names = ["", *logs.THIRD_PARTY_LOGGERS]
    levels = {name: logging.getLogger(name).level for name in names}
    yield
    logs.shutdown()
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    paths = AppPaths.resolve(tmp_path / "vt")
    logs.configure(paths, debug=True)
    yield paths.log / logs.LOG_FILE_NAME
    logs.shutdown()


def _content(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize(("logger", "template", "args"), LEAKS)
def test_no_secret_reaches_the_log_file(
    log_file: Path, logger: str, template: str, args: tuple[object, ...]
) -> None:
    unredacted = template % args
    leaked = [v for v in SECRETS.values() if v in unredacted]
    assert leaked, "the case must contain a secret to be meaningful"
    logging.getLogger(logger).info(template, *args)
    content = _content(log_file)
    assert logger in content  # the record was written...
    for secret in leaked:
        assert secret not in content  # ...without the secret
    assert "Nordmann" not in content


def test_exception_text_and_stack_are_redacted(
    log_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    try:
        raise RuntimeError(f"request failed for token={S['token']} pin={S['pin']}")
    except RuntimeError:
        logging.getLogger("requests").exception("boom with display_name=%r", S["name"])
    logging.getLogger("videotime_client").info("where %s", "here", stack_info=True)
    content = _content(log_file)
    assert "RuntimeError" in content
    assert "Traceback" in content
    for secret in (S["token"], S["pin"], S["name"]):
        assert secret not in content


def test_unformattable_arguments_are_dropped(log_file: Path) -> None:
    logging.getLogger("aiortc").info("two %s %s", f"token={S['token']}")
    content = _content(log_file)
    assert S["token"] not in content
    assert "unformattable" in content


def test_configure_is_idempotent_and_follows_the_paths(tmp_path: Path) -> None:
    root = logging.getLogger()
    try:
        for i in range(4):
            logs.configure(AppPaths.resolve(tmp_path / f"vt{i}"))
        ours = [h for h in root.handlers if getattr(h, "_videotime_handler", False)]
        assert len(ours) == 1
        logging.getLogger("videotime_client").info("only in the last one")
        ours[0].flush()
        assert "only in the last one" in (tmp_path / "vt3/log/videotime.log").read_text()
        assert "only in the last one" not in (tmp_path / "vt0/log/videotime.log").read_text()
    finally:
        logs.shutdown()
    assert not [h for h in root.handlers if getattr(h, "_videotime_handler", False)]


def test_third_party_loggers_are_quiet_unless_debug(tmp_path: Path) -> None:
    paths = AppPaths.resolve(tmp_path / "vt")
    try:
        logs.configure(paths)
        for name in ("aiortc", "aioice", "urllib3", "requests", "aiohttp"):
            assert logging.getLogger(name).getEffectiveLevel() == logging.WARNING
        logging.getLogger("aiortc.rtcdtlstransport").info("chatty detail")
        logging.getLogger("videotime_client.call").info("our own info")
        content = _content(paths.log / logs.LOG_FILE_NAME)
        assert "chatty detail" not in content
        assert "our own info" in content
        logs.configure(paths, debug=True)
        assert logging.getLogger("aiortc").getEffectiveLevel() == logging.DEBUG
    finally:
        logs.shutdown()


def test_log_rotates(tmp_path: Path) -> None:
    paths = AppPaths.resolve(tmp_path / "vt")
    try:
        handler = logs.configure(paths)
        assert isinstance(handler, logging.handlers.RotatingFileHandler)
        line = "x" * 1000
        for _ in range(logs.MAX_BYTES // 1000 + 50):
            logging.getLogger("videotime_client").info(line)
        assert (paths.log / (logs.LOG_FILE_NAME + ".1")).exists()
        assert (paths.log / logs.LOG_FILE_NAME).stat().st_size < logs.MAX_BYTES
    finally:
        logs.shutdown()


@pytest.mark.parametrize(
    "harmless",
    [
        "POST /api/client/v2/conferences/998112/refresh_token 200",
        "hostname=join.nhn.no port=443",
        "role=guest call_type=WEBRTC",
        "ICE connection state is completed",
    ],
)
def test_harmless_text_is_left_alone(harmless: str) -> None:
    assert logs.redact(harmless) == harmless


def test_qt_messages_go_to_logging(qapp: object, caplog: pytest.LogCaptureFixture) -> None:
    from PySide6.QtCore import qCritical, qWarning

    from videotime_client.ui import qtlog

    previous = qtlog.install()
    try:
        qWarning(f"qt says token={S['token']}")
        qCritical("qt critical")
    finally:
        qtlog.uninstall(previous)
    records = [r for r in caplog.records if r.name.startswith("qt")]
    assert [r.levelno for r in records] == [logging.WARNING, logging.ERROR]
    assert "qt says" in records[0].getMessage()


def test_qt_messages_reach_the_redacted_file(
    qapp: object, log_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from PySide6.QtCore import qWarning

    from videotime_client.ui import qtlog

    previous = qtlog.install()
    try:
        qWarning(f"qml: opening link with pin={S['pin']}")
    finally:
        qtlog.uninstall(previous)
    content = _content(log_file)
    assert "qml: opening link" in content
    assert S["pin"] not in content


def test_an_unusable_log_directory_means_no_log_file_not_a_crash(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("")
    handler = logs.configure(AppPaths.resolve(not_a_dir))
    assert isinstance(handler, logging.NullHandler)
    # Our (null) handler is in place, so logging's last resort never prints to the terminal.
    assert handler in logging.getLogger().handlers
    logging.getLogger("videotime_client").info("goes nowhere, and quietly")
