"""Node configuration: rooms, the simulated clinician, defaults and the scenario file format.

A scenario file is JSON (see docs/node.md). Rooms given there are merged over the default rooms by
alias (set ``"replace_default_rooms": true`` to start from none). Unknown keys are an error, so a
typo in a support engineer's scenario is caught instead of silently ignored.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from videotime_node.faults import FaultError, check_spec

MEDIA_MODES = ("transcoded", "direct")
SERVICE_TYPES = ("conference", "test_call")

DEFAULT_GREETING = (
    "Hei, jeg er lege Kari Lege. Jeg ser og hører deg. Si fra hvis du ikke hører meg."
)


class ScenarioError(ValueError):
    """The scenario file is not valid; the message says where."""


# What each annotation of the dataclasses below accepts from JSON.  A wrong type (a PIN given as
# a number, "soon" for a delay) is reported when the file is read, not as a crash mid-test.
_ACCEPTS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "str": ("text", lambda v: isinstance(v, str)),
    "bool": ("true or false", lambda v: isinstance(v, bool)),
    "int": ("a whole number", lambda v: isinstance(v, int) and not isinstance(v, bool)),
    "float": (
        "a number of 0 or more",
        lambda v: isinstance(v, int | float) and not isinstance(v, bool) and v >= 0,
    ),
    "None": ("null", lambda v: v is None),
    "list[str]": (
        "a list of text",
        lambda v: isinstance(v, list) and all(isinstance(i, str) for i in v),
    ),
    "list[dict[str, Any]]": (
        "a list of objects",
        lambda v: isinstance(v, list) and all(isinstance(i, dict) for i in v),
    ),
    "dict[str, str]": (
        "an object of texts",
        lambda v: isinstance(v, dict) and all(isinstance(i, str) for i in v.values()),
    ),
}


def _check_type(where: str, cls: type, key: str, value: Any) -> None:
    annotation = str(next(f.type for f in dataclasses.fields(cls) if f.name == key))
    options = [_ACCEPTS[a.strip()] for a in annotation.split("|")]
    if not any(accepts(value) for _, accepts in options):
        wanted = " or ".join(name for name, _ in options)
        raise ScenarioError(f"{where}{key} must be {wanted}, not {json.dumps(value)}")


@dataclass
class ClinicianConfig:
    """The simulated clinician of a room (a host the node plays itself)."""

    enabled: bool = True
    display_name: str = "Kari Lege"
    # Seconds after the first guest arrives (while no host is present) before the clinician joins.
    join_after_s: float = 3.0
    admit: bool = True
    admit_after_s: float = 0.5
    greeting: str | None = DEFAULT_GREETING
    # Leave this many seconds after joining (None: stay); come back after return_after_s.
    leave_after_s: float | None = None
    return_after_s: float | None = None


@dataclass
class RoomConfig:
    alias: str
    name: str = "Videokonsultasjon"
    service_type: str = "conference"  # or "test_call"
    media: str = "transcoded"  # or "direct" (peer-to-peer relay when the client asks for it)
    host_pin: str | None = "2468"
    guest_pin: str | None = None
    # Guests wait in the waiting room until a host admits them (NHN "Autolås").
    locked: bool = True
    pin_retries: int = 3
    guests_only_timeout_s: float = 60.0
    host_timeout_s: float = 900.0
    chat_enabled: bool = True
    call_type: str = "video"
    stun: list[dict[str, Any]] = field(default_factory=list)
    turn: list[dict[str, Any]] = field(default_factory=list)
    # Tell clients to use relayed (TURN) candidates only (request_token
    # use_relay_candidates_only); give the room "turn" servers too, or nothing can connect.
    relay_only: bool = False
    clinician: ClinicianConfig = field(default_factory=lambda: ClinicianConfig(enabled=False))


def default_rooms() -> dict[str, RoomConfig]:
    """The rooms tests, `make demo` and support rely on (docs/node.md lists them)."""
    return {
        "123456": RoomConfig(
            alias="123456", name="Videotime demo", clinician=ClinicianConfig(enabled=True)
        ),
        "234567": RoomConfig(alias="234567", name="Direkte media", media="direct"),
        "345678": RoomConfig(alias="345678", name="Rom med gjeste-PIN", guest_pin="1357"),
        "999999": RoomConfig(
            alias="999999",
            name="Testsamtale",
            service_type="test_call",
            host_pin=None,
            locked=False,
        ),
    }


@dataclass
class NodeConfig:
    host: str = "127.0.0.1"
    port: int = 0
    tls: bool = False
    token_expires_s: int = 120
    # Grace period during which a refreshed-away token is still accepted (in-flight requests).
    old_token_grace_s: float = 10.0
    version: dict[str, str] = field(
        default_factory=lambda: {"version_id": "36", "pseudo_version": "79019.0.0"}
    )
    maintenance: bool = False
    # Addresses the node's aiortc peer connections gather host candidates on. None means
    # "decide from host": a node bound to loopback uses ["127.0.0.1"] (aioice never gathers
    # loopback on its own), any other bind uses aioice's normal interface scan.
    ice_host_addresses: list[str] | None = None
    rooms: dict[str, RoomConfig] = field(default_factory=default_rooms)
    faults: list[dict[str, Any]] = field(default_factory=list)
    # Size of the web app's script bundle under /webapp/ (a real node serves its web app's
    # several-MB bundles there; the client's pre-flight check times a download of one to
    # measure the receive direction).  0 = serve no web app (404), like a node without one.
    webapp_bundle_bytes: int = 4_000_000
    # TCP congestion control for the web app's downloads: a stock Linux server's default, so
    # the node behaves like one whatever this host's default is (docs/node.md).  None = host's.
    webapp_tcp_congestion: str | None = "cubic"

    def effective_ice_host_addresses(self) -> list[str] | None:
        if self.ice_host_addresses is not None:
            return self.ice_host_addresses
        if self.host in ("127.0.0.1", "localhost", "::1"):
            return ["127.0.0.1"]
        return None

    @classmethod
    def from_scenario(cls, scenario: dict[str, Any], **overrides: Any) -> NodeConfig:
        if not isinstance(scenario, dict):
            raise ScenarioError("the scenario must be a JSON object")
        data = dict(scenario)
        config = cls(**overrides)
        rooms_data = data.pop("rooms", {})
        replace = bool(data.pop("replace_default_rooms", False))
        known = {f.name for f in dataclasses.fields(cls)} - {"rooms", "host", "port", "tls"}
        for key, value in data.items():
            if key not in known:
                raise ScenarioError(f"unknown scenario key {key!r}")
            _check_type("", cls, key, value)
            setattr(config, key, value)
        if replace:
            config.rooms = {}
        if isinstance(rooms_data, list):
            if not all(isinstance(r, dict) and "alias" in r for r in rooms_data):
                raise ScenarioError("each room in a 'rooms' list must be an object with an alias")
            rooms_data = {str(r["alias"]): r for r in rooms_data}
        if not isinstance(rooms_data, dict):
            raise ScenarioError("'rooms' must be an object keyed by alias or a list")
        for alias, room_data in rooms_data.items():
            config.rooms[str(alias)] = _room_from(
                str(alias), room_data, config.rooms.get(str(alias))
            )
        size = config.webapp_bundle_bytes
        if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= 64_000_000:
            raise ScenarioError("webapp_bundle_bytes must be a whole number from 0 to 64000000")
        for index, spec in enumerate(config.faults):
            try:
                check_spec(spec, config.rooms)
            except FaultError as exc:
                raise ScenarioError(f"faults[{index}]: {exc}") from None
        return config

    @classmethod
    def from_file(cls, path: Path, **overrides: Any) -> NodeConfig:
        try:
            scenario = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ScenarioError(f"cannot read scenario file {path}: {exc.strerror}") from exc
        except json.JSONDecodeError as exc:
            raise ScenarioError(f"scenario file {path} is not valid JSON: {exc}") from exc
        return cls.from_scenario(scenario, **overrides)


def _room_from(alias: str, data: Any, base: RoomConfig | None) -> RoomConfig:
    if not isinstance(data, dict):
        raise ScenarioError(f"room {alias}: must be an object")
    room = dataclasses.replace(base) if base else RoomConfig(alias=alias)
    room.clinician = dataclasses.replace(room.clinician)
    known = {f.name for f in dataclasses.fields(RoomConfig)}
    for key, value in data.items():
        if key not in known:
            raise ScenarioError(f"room {alias}: unknown key {key!r}")
        if key == "clinician":
            room.clinician = _clinician_from(alias, value, room.clinician)
        elif key != "alias":
            _check_type(f"room {alias}: ", RoomConfig, key, value)
            setattr(room, key, value)
    if room.media not in MEDIA_MODES:
        raise ScenarioError(f"room {alias}: media must be one of {MEDIA_MODES}")
    if room.service_type not in SERVICE_TYPES:
        raise ScenarioError(f"room {alias}: service_type must be one of {SERVICE_TYPES}")
    return room


def _clinician_from(alias: str, data: Any, base: ClinicianConfig) -> ClinicianConfig:
    if data is False or data is None:
        return dataclasses.replace(base, enabled=False)
    if data is True:
        return dataclasses.replace(base, enabled=True)
    if not isinstance(data, dict):
        raise ScenarioError(f"room {alias}: clinician must be an object or true/false")
    known = {f.name for f in dataclasses.fields(ClinicianConfig)}
    unknown = set(data) - known
    if unknown:
        raise ScenarioError(f"room {alias}: unknown clinician keys {sorted(unknown)}")
    for key, value in data.items():
        _check_type(f"room {alias}: clinician ", ClinicianConfig, key, value)
    merged = dataclasses.replace(base, **data)
    if "enabled" not in data:
        merged.enabled = True
    return merged
