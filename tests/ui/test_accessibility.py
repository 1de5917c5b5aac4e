"""Every control on every screen has an accessible name and description, in every language;
the tab order reaches every control; state changes are announced."""

from __future__ import annotations

import itertools

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QLineEdit,
    QProgressBar,
    QWidget,
)

from videotime_client.texts import Text
from videotime_client.ui.journey import Step
from videotime_client.ui.models import Device, EncryptionInfo
from videotime_client.ui.widgets import VideoView

CONTROL_TYPES = (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView, QProgressBar, VideoView)

# The offscreen platform cannot pass size hints to a window manager; harmless.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


def fill_everything(parts) -> None:
    """Put each screen in its richest state so hidden-by-default controls exist and show."""
    j = parts.journey
    j.open_appointment("a1")
    eq = j.equipment
    for name in eq.CHECKS:
        eq.set_result(
            name,
            "limited",
            ("backlit",) if name == "lighting" else (),
            Text(nb="Råd.", nn="Råd.", en="Advice."),
        )
    eq.set_overall("limited")
    eq.ask(
        "speaker_heard",
        Text(nb="Hørte du tonen?", nn="Høyrde du tonen?", en="Did you hear the tone?"),
    )
    j.options.set_devices([Device("c", "Cam")], [Device("m", "Mic")], [Device("s", "Spk")])
    j.options.update(display_name="Kari", pin_needed=True)
    j.intro.set_alone(False)
    j.intro.update(summary_available=True)
    j.intro.add_companion()
    j.call.set_encryption(EncryptionInfo("connected", "AES", "SRTP", "sha-256 AA", True))
    j.call.add_chat("Hei")


def controls(screen: QWidget) -> list[QWidget]:
    found = [w for w in screen.findChildren(QWidget) if isinstance(w, CONTROL_TYPES)]
    return [
        w
        for w in found
        if w.isVisibleTo(screen)
        and type(w).__name__ not in ("QScrollBar",)
        and w.objectName() != "qt_scrollarea_viewport"
    ]


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_every_control_on_every_screen_is_named_and_described(parts, lang) -> None:
    parts.language.set_lang(lang)
    fill_everything(parts)
    unnamed: list[str] = []
    total = 0
    consultation = parts.window.consultation
    passes = [(step, None) for step in Step] + [
        (Step.CONSULTATION, consultation._ask_hang_up),  # the hang-up question's buttons
        (Step.CONSULTATION, consultation._toggle_help),
    ]
    for step, reveal in passes:
        parts.journey.go(step)
        if reveal is not None:
            reveal()
        screen = parts.window.screen_for(step)
        for widget in controls(screen):
            total += 1
            if not widget.accessibleName().strip() or not widget.accessibleDescription().strip():
                unnamed.append(
                    f"{step.slug}: {type(widget).__name__} {widget.objectName()!r} "
                    f"{getattr(widget, 'text', lambda: '')()!r}"
                )
    assert total > 40  # the walk really saw the screens
    assert unnamed == []


def test_an_unnamed_control_is_caught(parts) -> None:
    """The walk is not vacuous: a control without a name fails it."""
    from PySide6.QtWidgets import QPushButton

    home = parts.window.screen_for(Step.HOME)
    stray = QPushButton("x", home)
    stray.show()
    assert any(not w.accessibleName() for w in controls(home))
    stray.deleteLater()


def test_accessible_names_follow_the_language(parts) -> None:
    screen = parts.window.screen_for(Step.CONSULTATION)
    button = screen.hang_up_button
    assert button.accessibleName() == "Legg på"
    parts.language.set_lang("en")
    assert button.accessibleName() == "Hang up"
    assert button.accessibleDescription().startswith("Ends the video appointment")


def _tab_chain(window: QWidget, start: QWidget, limit: int = 200) -> list[QWidget]:
    chain: list[QWidget] = []
    current = start
    for _ in range(limit):
        chain.append(current)
        nxt = current.nextInFocusChain()
        while (
            not (
                nxt.isVisible() and nxt.isEnabled() and nxt.focusPolicy() & Qt.FocusPolicy.TabFocus
            )
            and nxt is not start
        ):
            nxt = nxt.nextInFocusChain()
        if nxt is start:
            break
        current = nxt
    return chain


@pytest.mark.parametrize("step", list(Step), ids=lambda s: s.slug)
def test_tab_order_reaches_every_control_top_to_bottom(parts, step) -> None:
    fill_everything(parts)
    parts.journey.go(step)
    screen = parts.window.screen_for(step)
    wanted = [
        w for w in controls(screen) if w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus
    ]
    assert wanted, step
    chain = _tab_chain(parts.window, wanted[0])
    missing = [w for w in wanted if w not in chain]
    assert missing == []
    # Logical order: within the screen, tabbing never jumps back up more than one row
    # (except from the floating self-view, which the patient can put anywhere).
    ys = [
        w.mapTo(screen, w.rect().topLeft()).y()
        for w in chain
        if w in wanted and not isinstance(w, VideoView)
    ]
    backwards = [(a, b) for a, b in itertools.pairwise(ys) if b < a - 80]
    assert len(backwards) <= 1, backwards


def test_state_changes_are_announced(parts) -> None:
    j = parts.journey
    j.go(Step.CONSULTATION)
    screen = parts.window.screen_for(Step.CONSULTATION)
    j.call.set_state("connecting")
    j.call.set_state("in_consultation")
    j.call.set_state("reconnecting")
    assert screen.banner.property("announcement") == "Forbindelsen ble brutt. Vi kobler til igjen …"
    j.set_muted(True)
    assert screen.mute_button.property("announcement") == "Mikrofonen er av."
    j.call.add_chat("Jeg ser deg godt.")
    assert screen.chat.property("announcement") == "Ny melding: Jeg ser deg godt."
    j.call.set_quality("poor")
    assert screen.quality.property("announcement").startswith("Svak forbindelse")


def test_screen_change_moves_focus_and_announces_the_title(parts, qtbot) -> None:
    parts.window.activateWindow()
    parts.journey.open_appointment("a1")
    screen = parts.window.screen_for(Step.APPOINTMENT)
    assert screen.property("announcement").startswith("Videotime ")
    assert screen.first_focus() is screen.test_button  # 30 min away: testing comes first
