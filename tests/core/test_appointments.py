"""The appointment store: JSON under the data dir, PINs in the keyring, nothing ever lost."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.core.filekeyring import FileKeyring
from videotime_client.appointments import (
    FILE_NAME,
    SCHEMA_VERSION,
    Appointment,
    AppointmentStore,
    StoreError,
    appointment_id,
)
from videotime_client.invitation import parse_invitation
from videotime_client.paths import AppPaths
from videotime_client.secrets import PinVault

LINK = (
    "videotime://join.nhn.no/webapp/conference/998112?name=Kari+Nordmann&pin=918273&role=guest"
    "&start=2026-12-01T10:30%2B01:00&dept=Hjertepoliklinikken&phone=%2B4722117700"
)


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    return AppPaths.resolve(tmp_path / "vt")


@pytest.fixture
def store(paths: AppPaths, tmp_path: Path) -> AppointmentStore:
    return AppointmentStore(paths, PinVault(FileKeyring(tmp_path / "keyring.json")))


def test_opening_a_link_saves_the_appointment_and_the_pin_goes_to_the_keyring(
    store: AppointmentStore, paths: AppPaths, tmp_path: Path
) -> None:
    appointment = store.save_from_invitation(parse_invitation(LINK))
    assert appointment.node == "join.nhn.no"
    assert appointment.alias == "998112"
    assert appointment.role == "guest"
    assert appointment.department == "Hjertepoliklinikken"
    assert appointment.phone == "+4722117700"
    assert appointment.display_name == "Kari Nordmann"
    assert appointment.start == datetime(2026, 12, 1, 9, 30, tzinfo=UTC)

    content = (paths.data / FILE_NAME).read_text()
    assert "918273" not in content
    data = json.loads(content)
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["appointments"][0]["alias"] == "998112"
    assert (paths.data / FILE_NAME).stat().st_mode & 0o777 == 0o600

    # A new process (new store, same keyring) finds both.
    again = AppointmentStore(paths, PinVault(FileKeyring(tmp_path / "keyring.json")))
    assert again.list() == [appointment]
    assert again.get(appointment.id) == appointment
    assert again.pin_for(appointment.id) == "918273"
    assert again.get("nope") is None


def test_same_room_is_updated_not_duplicated(store: AppointmentStore) -> None:
    first = store.save_from_invitation(parse_invitation(LINK))
    second = store.save_from_invitation(
        parse_invitation("https://join.nhn.no/webapp/m/998112/express?role=host")
    )
    assert first.id == second.id == appointment_id("join.nhn.no", "998112")
    assert second.role == "host"
    assert second.department == "Hjertepoliklinikken"  # kept from the first link
    assert len(store.list()) == 1


def test_list_is_ordered_by_time_and_remove_forgets_the_pin(store: AppointmentStore) -> None:
    late = store.save_from_invitation(
        parse_invitation("https://join.nhn.no/webapp/conference/222222?start=2026-12-02T08:00Z")
    )
    undated = store.save_from_invitation(parse_invitation("333333"))
    early = store.save_from_invitation(parse_invitation(LINK))
    assert [a.id for a in store.list()] == [early.id, late.id, undated.id]
    assert store.remove(early.id) is True
    assert store.pin_for(early.id) is None
    assert store.remove(early.id) is False
    assert [a.id for a in store.list()] == [late.id, undated.id]


def test_without_keyring_the_appointment_is_saved_but_not_the_pin(paths: AppPaths) -> None:
    store = AppointmentStore(paths, PinVault())  # conftest: fail backend
    appointment = store.save_from_invitation(parse_invitation(LINK))
    assert store.pin_for(appointment.id) == "918273"  # this session only
    assert store.secrets.take_notice() is not None
    assert store.secrets.take_notice() is None
    assert "918273" not in (paths.data / FILE_NAME).read_text()
    later = AppointmentStore(paths, PinVault())
    assert later.get(appointment.id) == appointment
    assert later.pin_for(appointment.id) is None


def _backups(paths: AppPaths) -> list[Path]:
    return sorted(p for p in paths.data.iterdir() if p.name.startswith(FILE_NAME + "."))


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{not json", "corrupt"),
        (b"\xff\xfe garbage", "corrupt"),
        (b"[1, 2, 3]", "corrupt"),
        (b'{"app": "videotime"}', "corrupt"),
        (b'{"app": "someone-else", "appointments": []}', "foreign"),
        (b'{"app": "videotime", "schema_version": 99, "appointments": []}', "foreign"),
    ],
)
def test_corrupt_or_foreign_file_is_set_aside_not_lost(
    store: AppointmentStore,
    paths: AppPaths,
    content: bytes,
    reason: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    paths.ensure()
    (paths.data / FILE_NAME).write_bytes(content)
    assert store.list() == []
    backups = _backups(paths)
    assert len(backups) == 1
    assert backups[0].name.startswith(f"{FILE_NAME}.{reason}-")
    assert backups[0].read_bytes() == content
    assert any("set aside" in r.getMessage() for r in caplog.records)
    # The store works again afterwards.
    saved = store.save_from_invitation(parse_invitation(LINK))
    assert store.list() == [saved]


def test_unreadable_entries_are_backed_up_and_the_good_ones_kept(
    store: AppointmentStore, paths: AppPaths, caplog: pytest.LogCaptureFixture
) -> None:
    good = store.save_from_invitation(parse_invitation(LINK))
    data = json.loads((paths.data / FILE_NAME).read_text())
    data["appointments"].append({"id": "x", "node": 5})
    data["appointments"].append("junk")
    original = json.dumps(data)
    (paths.data / FILE_NAME).write_text(original)

    assert store.list() == [good]
    backups = _backups(paths)
    assert len(backups) == 1
    assert backups[0].read_text() == original
    assert "unreadable" in caplog.text
    other = store.save_from_invitation(parse_invitation("444444"))
    assert {a.id for a in store.list()} == {good.id, other.id}


def test_writes_are_atomic_and_leave_no_temporary_files(
    store: AppointmentStore, paths: AppPaths
) -> None:
    for room in ("111111", "222222", "333333"):
        store.save_from_invitation(parse_invitation(room))
    assert sorted(p.name for p in paths.data.iterdir()) == [FILE_NAME]


def test_an_appointment_saved_elsewhere_is_not_lost(paths: AppPaths, tmp_path: Path) -> None:
    kr = tmp_path / "keyring.json"
    window_a = AppointmentStore(paths, PinVault(FileKeyring(kr)))
    window_b = AppointmentStore(paths, PinVault(FileKeyring(kr)))
    a = window_a.save_from_invitation(parse_invitation("111111"))
    b = window_b.save_from_invitation(parse_invitation("222222"))
    assert {x.id for x in window_a.list()} == {a.id, b.id}


def test_data_dir_that_is_a_file_raises_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "blocked"
    blocker.write_text("not a directory")
    paths = AppPaths(data=blocker / "data", config=tmp_path, cache=tmp_path, log=tmp_path)
    store = AppointmentStore(paths, PinVault())
    with pytest.raises(StoreError) as caught:
        store.save_from_invitation(parse_invitation(LINK))
    assert caught.value.code == "store_unavailable"
    assert "918273" not in str(caught.value)


def test_appointment_json_round_trip_and_invitation() -> None:
    appointment = Appointment(
        id="abc", node="join.nhn.no", alias="998112", role="guest",
        start=datetime(2026, 12, 1, 9, 30, tzinfo=UTC), department="Hjerte", phone="+47 1",
        display_name="Kari",
    )  # fmt: skip
    assert Appointment.from_json(appointment.to_json()) == appointment
    inv = appointment.to_invitation(pin="1234")
    assert (inv.node, inv.alias, inv.pin, inv.role) == ("join.nhn.no", "998112", "1234", "guest")
    assert inv.api_base == "https://join.nhn.no/api/client/v2/conferences/998112"
