"""The catalogue is complete and used; Qt's own texts are translated."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from videotime_client.texts import Text
from videotime_client.ui.strings import SAME_IN_ALL_LANGUAGES, S

SRC = Path(__file__).resolve().parents[2] / "src" / "videotime_client"
USERS = [*sorted((SRC / "ui").rglob("*.py")), SRC / "cli" / "demo.py"]


def entries() -> dict[str, Text | tuple[Text, ...]]:
    return {k: v for k, v in vars(S).items() if not k.startswith("_")}


def all_texts() -> list[tuple[str, Text]]:
    out: list[tuple[str, Text]] = []
    for key, value in entries().items():
        if isinstance(value, tuple):
            out += [(f"{key}[{i}]", t) for i, t in enumerate(value)]
        else:
            out.append((key, value))
    return out


def test_every_entry_is_text_in_three_languages() -> None:
    for key, text in all_texts():
        assert isinstance(text, Text), key
        for lang in ("nb", "nn", "en"):
            assert getattr(text, lang).strip(), f"{key} has no {lang}"


def _words(s: str) -> str:
    return re.sub(r"\{[a-z_]+\}|[^A-Za-zÆØÅæøå]", "", s)


def test_nothing_is_left_untranslated() -> None:
    """English identical to bokmål means someone forgot to translate (unless listed)."""
    untranslated = [
        key
        for key, text in all_texts()
        if text.en == text.nb and _words(text.en) and key.split("[")[0] not in SAME_IN_ALL_LANGUAGES
    ]
    assert untranslated == []


def test_placeholders_match_across_languages() -> None:
    for key, text in all_texts():
        names = {
            lang: set(re.findall(r"\{(\w+)\}", getattr(text, lang))) for lang in ("nb", "nn", "en")
        }
        assert names["nb"] == names["nn"] == names["en"], key


def test_no_entry_is_unused() -> None:
    used: set[str] = set()
    for path in USERS:
        if path.name == "strings.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "S"
            ):
                used.add(node.attr)
    unused = sorted(set(entries()) - used)
    assert unused == []
    missing = sorted(used - set(entries()))
    assert missing == []


def test_seed_sentences_are_all_present() -> None:
    """Each sentence of the hospital's text appears (as its SEED_* entry) in bokmål."""
    nb = " ".join(t.nb for _, t in all_texts())
    for needle in [
        "fysisk undersøkelse ikke er nødvendig",
        "innkallingsbrevet",
        "digital postkasse",
        "i god tid",
        "ikke ønsker videotime",
        "smarttelefon, nettbrett eller PC/Mac",
        "Google Chrome, Mozilla Firefox, Microsoft Edge",
        "delta.nhn.no",
        "utstyret som er nødvendig",
        "Prøv utstyret før timen",
        "rolig sted der du er alene",
        "lyset bak deg",
        "telefon i nærheten",
        "fulladet batteri",
        "Bruk lenken",
        "noen minutter før timen",
        "må presentere seg",
        "som behandleren ikke vet om",
        "opptak av samtalen",
        "journalen din",
        "helsenorge.no",
        "tekniske problemer",
        "taushetsplikt og personvern",
        "kryptert linje",
        "blir ikke lagret",
        "Egenandelen er den samme",
        "faktura",
        "frikort og barn under 16 år",
        "under 18 år",
    ]:
        assert needle in nb, needle


@pytest.mark.parametrize(
    ("lang", "expected"), [("nb", "Avbryt"), ("nn", "Avbryt"), ("en", "Cancel")]
)
def test_qt_standard_buttons_are_translated(qapp, lang: str, expected: str) -> None:
    from PySide6.QtWidgets import QDialogButtonBox

    from videotime_client.ui.i18n import install_qt_translators

    try:
        loaded = install_qt_translators(qapp, lang)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        assert (
            box.button(QDialogButtonBox.StandardButton.Cancel).text().replace("&", "") == expected
        )
        if lang == "nn":
            assert "qtbase_nn" in loaded
        if lang == "nb":
            assert "bokmaal-overlay" in loaded
    finally:
        install_qt_translators(qapp, "en")


def test_bokmaal_overlay_wins_over_nynorsk(qapp) -> None:
    from PySide6.QtCore import QCoreApplication

    from videotime_client.ui.i18n import install_qt_translators

    try:
        install_qt_translators(qapp, "nb")
        assert QCoreApplication.translate("QLineEdit", "Select All") == "Merk alt"
    finally:
        install_qt_translators(qapp, "en")


def test_language_switch_rerenders_bound_texts(binder) -> None:
    from PySide6.QtWidgets import QLabel

    label = QLabel()
    binder.bind(label.setText, S.CO_HANG_UP)
    assert label.text() == "Legg på"
    binder.language.set_lang("en")
    assert label.text() == "Hang up"
    binder.language.set_lang("nn")
    assert label.text() == "Legg på"


def test_durations_and_dates(qapp) -> None:
    import datetime as dt

    from videotime_client.ui.i18n import format_duration, format_when

    assert format_duration(25 * 60, "nb") == "25 minutter"
    assert format_duration(25 * 60, "nn") == "25 minutt"
    assert format_duration(61 * 60, "en") == "1 hour and 1 minute"
    assert format_duration(3 * 86400, "nb") == "3 dager"
    when = dt.datetime(2026, 11, 25, 14, 30).astimezone()
    assert format_when(when, "nb") == "onsdag 25. november kl. 14:30"
    assert format_when(when, "nn") == "onsdag 25. november kl. 14:30"
    assert format_when(when, "en") == "Wednesday 25 November at 14:30"
