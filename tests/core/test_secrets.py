"""PINs: OS keyring only; without a usable keyring the app works, keeps nothing, says so once."""

from __future__ import annotations

import logging
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

from tests.core.filekeyring import BrokenKeyring, DeadBusKeyring, FileKeyring
from videotime_client.secrets import NO_KEYRING_NOTICE, SERVICE, PinVault


def test_working_keyring_persists_across_instances(tmp_path: Path) -> None:
    backend_file = tmp_path / "keyring.json"
    vault = PinVault(FileKeyring(backend_file))
    assert vault.available
    assert vault.store("abc", "918273") is True
    assert vault.take_notice() is None

    fresh = PinVault(FileKeyring(backend_file))
    assert fresh.get("abc") == "918273"
    assert FileKeyring(backend_file).get_password(SERVICE, "pin:abc") == "918273"
    fresh.delete("abc")
    assert PinVault(FileKeyring(backend_file)).get("abc") is None
    fresh.delete("abc")  # deleting twice is fine


def test_default_backend_in_tests_is_the_fail_backend() -> None:
    # tests/conftest.py selects it; this is the keyring-less machine.
    assert isinstance(keyring.get_keyring(), keyring.backends.fail.Keyring)


def test_without_keyring_the_pin_is_kept_for_this_session_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="videotime_client.secrets")
    vault = PinVault()  # the fail backend from conftest
    assert vault.store("abc", "918273") is False
    assert vault.store("def", "111111") is False
    assert vault.get("abc") == "918273"  # usable for the call that is starting now
    assert not vault.available
    assert vault.take_notice() == NO_KEYRING_NOTICE
    assert vault.take_notice() is None  # once
    lines = [r for r in caplog.records if r.name == "videotime_client.secrets"]
    assert len(lines) == 1
    assert lines[0].levelno == logging.INFO
    assert "918273" not in caplog.text
    assert PinVault().get("abc") is None  # nothing persisted


def test_notice_is_in_three_languages() -> None:
    for lang in ("nb", "nn", "en"):
        assert NO_KEYRING_NOTICE(lang).endswith(".")


@pytest.mark.parametrize("backend", [BrokenKeyring, DeadBusKeyring])
def test_a_keyring_that_fails_at_use_degrades_once(
    caplog: pytest.LogCaptureFixture, backend: type[BrokenKeyring]
) -> None:
    caplog.set_level(logging.INFO, logger="videotime_client.secrets")
    vault = PinVault(backend())
    assert vault.available  # looks fine until used
    assert vault.store("abc", "918273") is False
    assert not vault.available
    assert vault.get("abc") == "918273"
    vault.delete("abc")
    assert vault.get("abc") is None
    assert vault.take_notice() == NO_KEYRING_NOTICE
    assert vault.take_notice() is None
    assert len([r for r in caplog.records if r.name == "videotime_client.secrets"]) == 1
