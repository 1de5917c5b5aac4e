"""Contrast (WCAG 1.4.3 / 1.4.11), relative font sizes and high-contrast mode."""

from __future__ import annotations

import re

import pytest

from videotime_client.ui import theme


@pytest.mark.parametrize("palette", [theme.STANDARD, theme.HIGH_CONTRAST], ids=["std", "hc"])
def test_text_contrast_is_at_least_4_5(palette: theme.Palette) -> None:
    low = [
        (fg, bg, round(theme.contrast_ratio(getattr(palette, fg), getattr(palette, bg)), 2))
        for fg, bg in theme.TEXT_PAIRS
        if theme.contrast_ratio(getattr(palette, fg), getattr(palette, bg)) < 4.5
    ]
    assert low == []


@pytest.mark.parametrize("palette", [theme.STANDARD, theme.HIGH_CONTRAST], ids=["std", "hc"])
def test_focus_ring_and_borders_are_visible(palette: theme.Palette) -> None:
    low = [
        (fg, bg)
        for fg, bg in theme.UI_PAIRS
        if theme.contrast_ratio(getattr(palette, fg), getattr(palette, bg)) < 3.0
    ]
    assert low == []


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert theme.contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert theme.contrast_ratio("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)
    # WebAIM's checker: #767676 on white is 4.54:1
    assert theme.contrast_ratio("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)


def test_every_colour_in_the_style_sheet_is_a_checked_palette_colour() -> None:
    """No stray colour sneaks into the style sheet without a contrast check."""
    for palette in (theme.STANDARD, theme.HIGH_CONTRAST):
        css = theme.stylesheet(palette, 12.0)
        used = {c.upper() for c in re.findall(r"#[0-9A-Fa-f]{6}", css)}
        checked = {
            getattr(palette, role).upper()
            for pair in theme.TEXT_PAIRS + theme.UI_PAIRS
            for role in pair
        }
        assert used <= checked, used - checked


def test_focus_is_styled_for_every_control_kind() -> None:
    css = theme.stylesheet(theme.STANDARD, 12.0)
    for kind in (
        "QPushButton:focus",
        "QLineEdit:focus",
        "QComboBox:focus",
        "QCheckBox:focus",
        "QRadioButton:focus",
        "QListWidget:focus",
    ):
        assert kind in css
    assert f"4px solid {theme.STANDARD.focus}" in css


def test_text_follows_the_system_font_size(qapp) -> None:
    from PySide6.QtGui import QFont, QGuiApplication

    original = QGuiApplication.font()
    try:
        small = QFont(original)
        small.setPointSizeF(10)
        QGuiApplication.setFont(small)
        at_10 = theme.base_point_size()
        big = QFont(original)
        big.setPointSizeF(20)
        QGuiApplication.setFont(big)
        assert theme.base_point_size() == pytest.approx(2 * at_10)
        assert f"font-size: {theme.base_point_size()}pt" in theme.stylesheet(
            theme.STANDARD, theme.base_point_size()
        )
    finally:
        QGuiApplication.setFont(original)


def test_high_contrast_is_followed(qapp, monkeypatch) -> None:
    monkeypatch.setenv("VIDEOTIME_HIGH_CONTRAST", "1")
    try:
        assert theme.apply(qapp) is theme.HIGH_CONTRAST
        assert theme.current(qapp) is theme.HIGH_CONTRAST
        assert qapp.palette().window().color().name().upper() == theme.HIGH_CONTRAST.background
    finally:
        monkeypatch.delenv("VIDEOTIME_HIGH_CONTRAST")
        assert theme.apply(qapp) is theme.STANDARD


def test_a_font_change_while_running_restyles_the_app(parts, qapp) -> None:
    from PySide6.QtGui import QFont, QGuiApplication

    original = QGuiApplication.font()
    try:
        big = QFont(original)
        big.setPointSizeF(original.pointSizeF() * 2)
        QGuiApplication.setFont(big)
        qapp.processEvents()
        assert f"font-size: {theme.base_point_size()}pt" in qapp.styleSheet()
    finally:
        QGuiApplication.setFont(original)
        qapp.processEvents()


def test_every_bundled_icon_renders(qapp) -> None:
    """The style sheet and buttons use SVG icons: the SVG image plugin must load them."""
    from PySide6.QtGui import QImage

    names = sorted(p.stem for p in theme.ICON_DIR.glob("*.svg"))
    assert {"check", "dot", "chevron", "lock", "lock-light", "videotime"} <= set(names)
    for name in names:
        image = QImage(theme.icon(name))
        assert not image.isNull(), name
    for palette in (theme.STANDARD, theme.HIGH_CONTRAST):
        for path in re.findall(r"url\(([^)]+)\)", theme.stylesheet(palette, 12)):
            assert not QImage(path).isNull(), path
