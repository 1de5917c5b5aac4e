"""The exact CLI contract of ``videotime link`` and ``videotime appointments`` (real script)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VIDEOTIME = Path(sys.executable).with_name("videotime")
INSPECT_KEYS = {
    "node", "alias", "role", "display_name", "pin_provided", "start", "department", "phone",
    "api_base",
}  # fmt: skip
LINK = (
    "videotime://join.nhn.no/webapp/conference/998112?name=Kari+Nordmann&pin=918273&role=guest"
    "&start=2026-12-01T10:30%2B01:00&dept=Hjertepoliklinikken&phone=%2B4722117700"
)


def videotime(
    data_dir: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "LANG": "C.UTF-8", **(env or {})}
    full_env.pop("VIDEOTIME_DATA_DIR", None)  # --data-dir must be enough on its own
    return subprocess.run(
        [str(VIDEOTIME), *args, "--data-dir", str(data_dir)],
        capture_output=True, text=True, timeout=60, env=full_env, check=False,
    )  # fmt: skip


def test_inspect_json_has_exactly_the_contract_keys(tmp_path: Path) -> None:
    result = videotime(tmp_path, "link", "inspect", LINK, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == INSPECT_KEYS
    assert data == {
        "node": "join.nhn.no",
        "alias": "998112",
        "role": "guest",
        "display_name": "Kari Nordmann",
        "pin_provided": True,
        "start": "2026-12-01T10:30:00+01:00",
        "department": "Hjertepoliklinikken",
        "phone": "+4722117700",
        "api_base": "https://join.nhn.no/api/client/v2/conferences/998112",
    }
    assert "918273" not in result.stdout + result.stderr


def test_inspect_minimal_link_gives_nulls(tmp_path: Path) -> None:
    result = videotime(tmp_path, "link", "inspect", "998112", "--json")
    data = json.loads(result.stdout)
    assert data["pin_provided"] is False
    assert data["role"] is data["display_name"] is data["start"] is data["department"] is None


def test_inspect_text_output_and_no_saving(tmp_path: Path) -> None:
    result = videotime(tmp_path, "link", "inspect", LINK)
    assert result.returncode == 0
    assert "api_base" in result.stdout
    assert "918273" not in result.stdout
    assert not (tmp_path / "data" / "appointments.json").exists()  # inspect saves nothing


@pytest.mark.parametrize(
    ("link", "code"),
    [
        ("http://join.nhn.no/webapp/conference/998112", "unsupported_scheme"),
        ("https://join.nhn.no.evil.example/webapp/conference/998112", "untrusted_host"),
        ("https://join.nhn.no/webapp/conference/12345", "malformed_alias"),
        ("javascript:alert(1)", "unsupported_scheme"),
    ],
)
def test_invalid_link_without_json(tmp_path: Path, link: str, code: str) -> None:
    result = videotime(tmp_path, "link", "inspect", link, "--lang", "nb")
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert code in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("link", "code"),
    [
        ("https://join.nhn.no/webapp/conference/998112?x=" + "a" * 5000, "link_too_long"),
        ("https://join.nhn.no/webapp/conference/998112\x1b[2J", "control_characters"),
        ("https://join.nhn.no/webapp/conference/998112?name=Kari\u202eevil", "control_characters"),
        ("https://\u0458oin.nhn.no/webapp/conference/998112", "lookalike_host"),  # Cyrillic je
        ("https://join.nhn.no/webapp/conference/998112?pin=1234&pin=5678", "bad_parameter"),
    ],
)
def test_hostile_links_are_one_json_error_and_one_stderr_line(
    tmp_path: Path, link: str, code: str
) -> None:
    result = videotime(tmp_path, "link", "inspect", link, "--json", "--lang", "en")
    assert result.returncode == 2
    error = json.loads(result.stdout)["error"]
    assert (set(error), error["code"]) == ({"code", "message"}, code)
    assert len(result.stderr.strip().splitlines()) == 1
    assert "1234" not in result.stdout + result.stderr


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_usage_errors_are_one_line_too(tmp_path: Path, json_flag: list[str]) -> None:
    # A "link" that starts with "-" is an unknown option to argparse: still exit 2, one line.
    result = videotime(tmp_path, "link", "inspect", "-evil", *json_flag)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "usage:" not in result.stderr
    if json_flag:
        assert json.loads(result.stdout)["error"]["code"] == "usage"
    else:
        assert result.stdout == ""


def test_output_survives_a_console_that_cannot_show_the_name(tmp_path: Path) -> None:
    # A Windows pipe is cp1252 and a Polish name has "Ł": never an encoding crash (exit 70).
    link = "https://join.nhn.no/webapp/conference/998112?name=%C3%85se+%C5%81"
    ascii_only = {"PYTHONIOENCODING": "ascii"}
    as_json = videotime(tmp_path, "link", "inspect", link, "--json", env=ascii_only)
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout)["display_name"] == "Åse Ł"
    as_text = videotime(tmp_path, "link", "inspect", link, env=ascii_only)
    assert as_text.returncode == 0, as_text.stderr
    rejected = videotime(tmp_path, "link", "inspect", "http://x", "--json", env=ascii_only)
    assert rejected.returncode == 2
    assert json.loads(rejected.stdout)["error"]["message"].startswith("Lenken må")


def test_unusable_data_dir_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("")
    inspected = videotime(not_a_dir, "link", "inspect", "998112", "--json")
    assert inspected.returncode == 0, inspected.stderr  # inspect needs no writable directory
    assert json.loads(inspected.stdout)["alias"] == "998112"
    listed = videotime(not_a_dir, "appointments", "list", "--lang", "en")
    assert listed.returncode == 1
    assert listed.stderr.strip().splitlines() == [
        "We could not read the saved appointments on this computer, but you can still use the link."
    ]


def test_invalid_link_with_json(tmp_path: Path) -> None:
    result = videotime(tmp_path, "link", "inspect", "https://u:p@join.nhn.no/webapp/conference/998112",
                       "--json", "--lang", "en")  # fmt: skip
    assert result.returncode == 2
    assert json.loads(result.stdout) == {
        "error": {
            "code": "userinfo",
            "message": "The link has a user name or password before the address, "
            "which is a warning sign.",
        }
    }
    assert "Traceback" not in result.stderr


def test_dev_flag_allows_loopback(tmp_path: Path) -> None:
    link = "http://127.0.0.1:8080/webapp/conference/room1"
    rejected = videotime(tmp_path, "link", "inspect", link, "--json")
    assert rejected.returncode == 2
    accepted = videotime(tmp_path, "link", "inspect", link, "--json", "--dev")
    assert accepted.returncode == 0
    assert json.loads(accepted.stdout)["api_base"] == (
        "http://127.0.0.1:8080/api/client/v2/conferences/room1"
    )


def test_config_file_adds_a_trusted_node(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir(parents=True)
    (tmp_path / "config" / "config.json").write_text('{"trusted_nodes": ["video.example-hf.no"]}')
    result = videotime(
        tmp_path, "link", "inspect", "https://video.example-hf.no/webapp/m/kari", "--json"
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["node"] == "video.example-hf.no"


def test_open_saves_and_list_shows_without_pin_keyringless(tmp_path: Path) -> None:
    # Explicitly keyring-less, whatever the developer's environment selects: this test must
    # never put a PIN into a real keyring.
    no_keyring = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    opened = videotime(tmp_path, "link", "open", LINK, "--lang", "en", env=no_keyring)
    assert opened.returncode == 0, opened.stderr
    ident = opened.stdout.strip()
    assert len(ident) == 12
    assert opened.stderr.strip() == (
        "The PIN is not saved on this computer, so you will need to type it again next time."
    )
    listed = videotime(tmp_path, "appointments", "list", "--json")
    assert listed.returncode == 0
    rows = json.loads(listed.stdout)
    assert [r["id"] for r in rows] == [ident]
    assert rows[0]["department"] == "Hjertepoliklinikken"
    assert rows[0]["display_name"] == "Kari Nordmann"
    assert "pin" not in rows[0]
    assert "918273" not in listed.stdout
    text = videotime(tmp_path, "appointments", "list")
    assert ident in text.stdout
    assert "918273" not in text.stdout
    # Opening the same room again does not duplicate it.
    videotime(tmp_path, "link", "open", "998112")
    assert len(json.loads(videotime(tmp_path, "appointments", "list", "--json").stdout)) == 1
    # Nothing secret in any file we wrote.
    for path in tmp_path.rglob("*"):
        if path.is_file():
            content = path.read_text(errors="replace")
            assert "918273" not in content, path


def test_open_with_a_working_keyring(tmp_path: Path) -> None:
    keyring_file = tmp_path / "keyring.json"
    env = {
        "PYTHON_KEYRING_BACKEND": "tests.core.filekeyring.FileKeyring",
        "VIDEOTIME_TEST_KEYRING_FILE": str(keyring_file),
        "PYTHONPATH": str(ROOT),
    }
    opened = videotime(tmp_path / "vt", "link", "open", LINK, "--json", env=env)
    assert opened.returncode == 0, opened.stderr
    data = json.loads(opened.stdout)
    assert data["pin_saved"] is True
    assert "918273" not in opened.stdout
    assert opened.stderr == ""
    assert "918273" in keyring_file.read_text()
    removed = videotime(tmp_path / "vt", "appointments", "remove", data["id"], env=env)
    assert removed.returncode == 0
    assert "918273" not in keyring_file.read_text()


def test_empty_list(tmp_path: Path) -> None:
    result = videotime(tmp_path, "appointments", "list", "--json")
    assert (result.returncode, json.loads(result.stdout)) == (0, [])


def test_corrupt_store_is_reported_and_set_aside(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir(parents=True)
    (tmp_path / "data" / "appointments.json").write_text("{broken")
    result = videotime(tmp_path, "appointments", "list", "--json")
    assert (result.returncode, json.loads(result.stdout)) == (0, [])
    assert [p.name.split("-")[0] for p in (tmp_path / "data").iterdir()] == [
        "appointments.json.corrupt"
    ]
    assert "set aside" in (tmp_path / "log" / "videotime.log").read_text()
