"""Colours, sizes and the style sheet: calm, large, WCAG 2.1 AA.

* Every text colour is used only on the backgrounds listed in :data:`TEXT_PAIRS`;
  ``tests/ui/test_theme.py`` computes each pair's contrast ratio (WCAG 1.4.3, ≥ 4.5:1) and the
  focus ring against its surroundings (WCAG 1.4.11, ≥ 3:1).
* Sizes are relative to the system font (WCAG 1.4.4): a patient who set large text in the OS
  gets larger text here too.  We start 25 % above the system size because many patients are
  elderly.
* High-contrast mode follows the OS (Qt's contrast preference where the platform reports it,
  or a dark colour scheme request) and can be forced with ``VIDEOTIME_HIGH_CONTRAST=1``.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication


@dataclass(frozen=True, slots=True)
class Palette:
    background: str
    surface: str
    text: str
    muted: str
    primary: str
    on_primary: str
    secondary_bg: str
    on_secondary: str
    danger: str
    on_danger: str
    good: str
    limited: str
    cannot: str
    banner_bg: str
    on_banner: str
    focus: str
    border: str


STANDARD = Palette(
    background="#F4F6F8",
    surface="#FFFFFF",
    text="#16202A",
    muted="#3E4C59",
    primary="#00528A",
    on_primary="#FFFFFF",
    secondary_bg="#E3EAF1",
    on_secondary="#10324F",
    danger="#A4161A",
    on_danger="#FFFFFF",
    good="#1B6032",
    limited="#7A4300",
    cannot="#A4161A",
    banner_bg="#FFF1C2",
    on_banner="#3D2B00",
    focus="#C2410C",
    border="#5B6B7A",
)

HIGH_CONTRAST = Palette(
    background="#000000",
    surface="#000000",
    text="#FFFFFF",
    muted="#FFFFFF",
    primary="#FFFF00",
    on_primary="#000000",
    secondary_bg="#000000",
    on_secondary="#FFFFFF",
    danger="#FFFFFF",
    on_danger="#000000",
    good="#7CFC00",
    limited="#FFD700",
    cannot="#FF8C8C",
    banner_bg="#FFFF00",
    on_banner="#000000",
    focus="#00FFFF",
    border="#FFFFFF",
)

# (text colour role, background role): every combination the style sheet and views use.
TEXT_PAIRS: tuple[tuple[str, str], ...] = (
    ("text", "background"),
    ("text", "surface"),
    ("muted", "background"),
    ("muted", "surface"),
    ("on_primary", "primary"),
    ("on_secondary", "secondary_bg"),
    ("on_danger", "danger"),
    ("good", "surface"),
    ("limited", "surface"),
    ("cannot", "surface"),
    ("good", "background"),
    ("limited", "background"),
    ("cannot", "background"),
    ("on_banner", "banner_bg"),
    ("text", "secondary_bg"),
)
# Non-text contrast (WCAG 1.4.11): the focus ring and control borders against what surrounds them.
UI_PAIRS: tuple[tuple[str, str], ...] = (
    ("focus", "background"),
    ("focus", "surface"),
    ("border", "surface"),
    ("border", "background"),
)

FONT_SCALE = 1.25


def _linear(channel: float) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    c = QColor(colour)
    return 0.2126 * _linear(c.red()) + 0.7152 * _linear(c.green()) + 0.0722 * _linear(c.blue())


def contrast_ratio(fg: str, bg: str) -> float:
    """WCAG 2.1 contrast ratio between two colours (1 … 21)."""
    a, b = relative_luminance(fg), relative_luminance(bg)
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


def wants_high_contrast() -> bool:
    """Whether the OS (or the environment) asks for high contrast."""
    if os.environ.get("VIDEOTIME_HIGH_CONTRAST", "") not in ("", "0"):
        return True
    app = QGuiApplication.instance()
    if app is None:
        return False
    hints = QGuiApplication.styleHints()
    try:
        from PySide6.QtCore import Qt

        acc = hints.accessibility()
        return bool(acc.contrastPreference() == Qt.ContrastPreference.HighContrast)
    except AttributeError:  # Qt < 6.10 has no contrast preference
        return False


def base_point_size() -> float:
    """The patient's system font size, scaled up for readability."""
    app = QGuiApplication.instance()
    size = QGuiApplication.font().pointSizeF() if app is not None else 10.0
    return max(size, 9.0) * FONT_SCALE


ICON_DIR = Path(__file__).with_name("icons")


def icon(name: str) -> str:
    """Absolute path of a bundled SVG icon, in the form style sheets accept."""
    return (ICON_DIR / f"{name}.svg").as_posix()


def stylesheet(p: Palette, base_pt: float) -> str:
    hc = p is HIGH_CONTRAST
    h1 = round(base_pt * 1.6, 1)
    h2 = round(base_pt * 1.25, 1)
    big = round(base_pt * 1.15, 1)
    return f"""
QWidget {{ color: {p.text}; font-size: {base_pt}pt; }}
QMainWindow, QScrollArea#page, QWidget#pageBody, QStackedWidget {{ background: {p.background}; }}
QFrame#card {{ background: {p.surface}; border: 1px solid {p.border}; border-radius: 8px; }}
QLabel, QCheckBox, QRadioButton {{ background: transparent; }}
QLabel[role="h1"] {{ font-size: {h1}pt; font-weight: 600; }}
QLabel[role="h2"] {{ font-size: {h2}pt; font-weight: 600; }}
QLabel[role="muted"] {{ color: {p.muted}; }}
QLabel[verdict="good"] {{ color: {p.good}; font-weight: 600; }}
QLabel[verdict="limited"] {{ color: {p.limited}; font-weight: 600; }}
QLabel[verdict="cannot"] {{ color: {p.cannot}; font-weight: 600; }}
QLabel[verdict="not_run"], QLabel[verdict="pending"] {{ color: {p.muted}; }}
QLabel#banner {{ background: {p.banner_bg}; color: {p.on_banner}; padding: 10px;
  border-radius: 6px; font-weight: 600; }}
QLabel#details {{ background: {p.surface}; color: {p.text}; border: 1px solid {p.border};
  border-radius: 6px; padding: 10px; }}
QPushButton {{ background: {p.secondary_bg}; color: {p.on_secondary}; border: 2px solid {p.border};
  border-radius: 8px; padding: 10px 18px; min-height: 32px; font-size: {big}pt; }}
QPushButton[kind="primary"] {{ background: {p.primary}; color: {p.on_primary};
  border-color: {p.primary}; font-weight: 600; }}
QPushButton[kind="danger"] {{ background: {p.danger}; color: {p.on_danger};
  border-color: {p.danger}; font-weight: 600; }}
QPushButton:disabled {{ background: {p.background}; color: {p.muted}; border-style: dashed; }}
QPushButton:focus, QLineEdit:focus, QComboBox:focus, QCheckBox:focus, QRadioButton:focus,
QListWidget:focus, QToolButton:focus {{ border: 4px solid {p.focus}; }}
QCheckBox:focus, QRadioButton:focus {{ padding: 2px; }}
/* The focus ring is 2 px wider than the border: take it from the padding, so a focused control
   keeps its size and its text is not pushed against (or under) the ring. */
QPushButton:focus {{ padding: 8px 16px; }}
QLineEdit:focus, QComboBox:focus, QListWidget:focus {{ padding: 6px; }}
QLineEdit, QComboBox, QListWidget {{ background: {p.surface}; color: {p.text};
  border: 2px solid {p.border}; border-radius: 6px; padding: 8px; min-height: 28px; }}
QListWidget::item {{ padding: 10px; }}
QListWidget::item:selected {{ background: {p.primary}; color: {p.on_primary}; }}
QCheckBox, QRadioButton {{ spacing: 12px; padding: 4px; }}
QCheckBox::indicator, QRadioButton::indicator {{ width: 24px; height: 24px;
  border: 2px solid {p.border}; background: {p.surface}; }}
QCheckBox::indicator {{ border-radius: 4px; }}
QRadioButton::indicator {{ border-radius: 14px; }}
QCheckBox::indicator:checked, QRadioButton::indicator:checked {{ background: {p.primary};
  border-color: {p.primary}; }}
QCheckBox::indicator:checked {{ image: url({icon("check-dark" if hc else "check")}); }}
QRadioButton::indicator:checked {{ image: url({icon("dot-dark" if hc else "dot")}); }}
QCheckBox::indicator:disabled:!checked, QRadioButton::indicator:disabled:!checked {{
  border-style: dashed; }}
QComboBox::drop-down {{ border: none; width: 36px; }}
QComboBox::down-arrow {{ image: url({icon("chevron-light" if hc else "chevron")});
  width: 20px; height: 20px; }}
QComboBox QAbstractItemView {{ background: {p.surface}; color: {p.text};
  selection-background-color: {p.primary}; selection-color: {p.on_primary}; }}
QProgressBar {{ border: 2px solid {p.border}; border-radius: 6px; background: {p.surface};
  min-height: 22px; text-align: center; color: {p.text}; }}
QProgressBar::chunk {{ background: {p.good}; }}
"""


def apply(app: QApplication, *, high_contrast: bool | None = None) -> Palette:
    """Apply the palette and style sheet that fit the OS settings; returns the palette used."""
    hc = wants_high_contrast() if high_contrast is None else high_contrast
    p = HIGH_CONTRAST if hc else STANDARD
    qpal = app.palette()
    qpal.setColor(QPalette.ColorRole.Window, QColor(p.background))
    qpal.setColor(QPalette.ColorRole.WindowText, QColor(p.text))
    qpal.setColor(QPalette.ColorRole.Base, QColor(p.surface))
    qpal.setColor(QPalette.ColorRole.Text, QColor(p.text))
    qpal.setColor(QPalette.ColorRole.Button, QColor(p.secondary_bg))
    qpal.setColor(QPalette.ColorRole.ButtonText, QColor(p.on_secondary))
    qpal.setColor(QPalette.ColorRole.Highlight, QColor(p.primary))
    qpal.setColor(QPalette.ColorRole.HighlightedText, QColor(p.on_primary))
    app.setPalette(qpal)
    css = stylesheet(p, base_point_size())
    if app.styleSheet() != css:  # re-styling every widget is expensive; skip when unchanged
        app.setStyleSheet(css)
    app.setProperty("videotimeHighContrast", hc)
    return p


def follow_system(app: QApplication) -> None:
    """Re-apply the theme when the OS font size or contrast preference changes while we run."""

    def reapply(*_: object) -> None:
        apply(app)

    app.fontChanged.connect(reapply)
    with contextlib.suppress(AttributeError):  # Qt < 6.10 has no contrast preference
        QGuiApplication.styleHints().accessibility().contrastPreferenceChanged.connect(reapply)
    QGuiApplication.styleHints().colorSchemeChanged.connect(reapply)


def current(app: QApplication | None = None) -> Palette:
    inst = app or QApplication.instance()
    return (
        HIGH_CONTRAST if inst is not None and inst.property("videotimeHighContrast") else STANDARD
    )
