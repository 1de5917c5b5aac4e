"""UI test fixtures: a journey around recording services, the main window, a fixed clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from videotime_client.errors import VideotimeError
from videotime_client.texts import Text

NOW = dt.datetime(2026, 11, 25, 13, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self, now: dt.datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


class RecordingServices:
    """The journey's seam to core and media, recording what the UI asked for.

    Only the controller and view tests use it; the tour (tests/ui/test_tour.py) runs the real
    services against the real embedded node.
    """

    def __init__(self) -> None:
        from videotime_client.ui.models import AppointmentView

        self.calls: list[tuple[str, Any]] = []
        self.chat: list[str] = []
        self.appointments = [
            AppointmentView(
                "a1",
                NOW + dt.timedelta(minutes=30),
                "Nevrologisk poliklinikk",
                "22 11 80 80",
                "Kari Nordmann",
            ),
        ]

    def list_appointments(self):
        return list(self.appointments)

    def open_link(self, text: str):
        from videotime_client.ui.models import AppointmentView

        self.calls.append(("open_link", text))
        if not text.isdigit():
            raise VideotimeError(
                Text(nb="Lenken er ugyldig.", nn="Lenkja er ugyldig.", en="The link is not valid."),
                code="malformed_link",
            )
        appt = AppointmentView(text, NOW + dt.timedelta(minutes=5), "Hudavdelingen", None)
        self.appointments.append(appt)
        return appt

    def take_notice(self):
        return None

    def __getattr__(self, name: str):
        def record(*args: Any, **kwargs: Any) -> None:
            self.calls.append((name, args))
            if name == "send_chat":
                self.chat.append(args[0])

        return record

    def names(self) -> list[str]:
        return [n for n, _ in self.calls]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def services() -> RecordingServices:
    return RecordingServices()


@pytest.fixture
def parts(qtbot, services, clock) -> Iterator[Any]:
    from videotime_client.ui import app as ui_app
    from videotime_client.ui import errors

    built = ui_app.build(services, lang="nb", clock=clock, error_dialogs=False)
    qtbot.addWidget(built.window)
    built.window.show()
    yield built
    errors.uninstall()
    built.journey.shutdown()
    built.window.deleteLater()


@pytest.fixture
def binder(qapp):
    from videotime_client.ui import theme
    from videotime_client.ui.i18n import Binder, LanguageModel

    theme.apply(qapp)
    return Binder(LanguageModel("nb"))
