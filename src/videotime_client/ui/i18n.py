"""The patient's language at run time: the current language, text bindings, Qt's own translations.

* :class:`LanguageModel` holds the language (``nb``, ``nn`` or ``en``) and says when it changes.
* :class:`Binder` remembers "this setter shows that text" so every label, button and accessible
  name is re-rendered when the patient picks another language — no screen has its own
  ``retranslate`` code to forget.
* :func:`install_qt_translators` translates Qt's own dialogs and context menus.  Qt ships
  ``qtbase_nn`` but no ``qtbase_nb``: nynorsk uses Qt's file; bokmål gets
  :class:`BokmaalQtTranslator` (the few Qt strings a patient can meet: standard buttons and the
  text-field context menu) layered over ``qtbase_nn`` for the rest.  See docs/ui.md.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, QTranslator, Signal
from PySide6.QtWidgets import QApplication, QWidget

from videotime_client.texts import DEFAULT_LANG, LANGUAGES, Lang, Text, normalise_lang
from videotime_client.ui.strings import S

log = logging.getLogger(__name__)

TextSource = Text | Callable[[str], str]


class LanguageModel(QObject):
    """The language the app speaks. Views re-render on :attr:`changed`."""

    changed = Signal(str)

    def __init__(self, lang: str = DEFAULT_LANG, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lang: Lang = normalise_lang(lang)

    @property
    def lang(self) -> Lang:
        return self._lang

    def set_lang(self, lang: str) -> None:
        new = normalise_lang(lang)
        if new != self._lang:
            self._lang = new
            self.changed.emit(new)

    def t(self, text: Text, **values: object) -> str:
        """``text`` in the current language, with ``{placeholders}`` filled in."""
        return text.format(**values)(self._lang) if values else text(self._lang)


class Binder:
    """Keeps widget texts in the current language.

    ``bind(setter, source)`` calls ``setter(source(lang))`` now and on every language change.
    ``source`` is a :class:`Text` or any ``lang -> str`` callable (for texts with live values).
    """

    def __init__(self, language: LanguageModel) -> None:
        self.language = language
        self._bindings: list[tuple[Callable[[str], Any], TextSource]] = []
        language.changed.connect(self.refresh)

    def bind(self, setter: Callable[[str], Any], source: TextSource) -> None:
        self._bindings.append((setter, source))
        setter(source(self.language.lang))

    def name(self, widget: QWidget, name: TextSource, description: TextSource) -> None:
        """Bind a control's accessible name and description (WCAG 4.1.2)."""
        self.bind(widget.setAccessibleName, name)
        self.bind(widget.setAccessibleDescription, description)

    def refresh(self, *_: object) -> None:
        lang = self.language.lang
        for setter, source in list(self._bindings):
            try:
                setter(source(lang))
            except RuntimeError:
                # The C++ widget is gone (screen rebuilt); drop the binding.
                self._bindings.remove((setter, source))


def format_when(when: dt.datetime, lang: str) -> str:
    """``onsdag 25. november kl. 14:30`` in local time, in the patient's language."""
    local = when.astimezone()
    return S.DATE_TIME.format(
        weekday=S.WEEKDAYS[local.weekday()](lang),
        day=local.day,
        month=S.MONTHS[local.month - 1](lang),
        time=local.strftime("%H:%M"),
    )(lang)


def format_duration(seconds: float, lang: str) -> str:
    """A calm, rounded duration: ``2 dager``, ``1 time og 5 minutter``, ``3 minutter``."""
    total_min = max(0, int(seconds // 60))
    days, rem = divmod(total_min, 24 * 60)
    hours, minutes = divmod(rem, 60)

    def part(n: int, one: Text, many: Text) -> str:
        return one(lang) if n == 1 else many.format(n=n)(lang)

    if days:
        return part(days, S.DURATION_DAY, S.DURATION_DAYS)
    if hours:
        h = part(hours, S.DURATION_HOUR, S.DURATION_HOURS)
        if minutes:
            return S.DURATION_AND.format(
                a=h, b=part(minutes, S.DURATION_MINUTE, S.DURATION_MINUTES)
            )(lang)
        return h
    return part(max(1, minutes), S.DURATION_MINUTE, S.DURATION_MINUTES)


def system_language() -> Lang:
    """The OS language if it is one of ours, else bokmål."""
    name = QLocale.system().name()  # e.g. nb_NO, nn_NO, en_GB
    return normalise_lang(name) if name.split("_")[0] in LANGUAGES else DEFAULT_LANG


class BokmaalQtTranslator(QTranslator):
    """Bokmål for the Qt strings a patient can meet (Qt ships no ``qtbase_nb``)."""

    STRINGS: ClassVar[dict[tuple[str, str], str]] = {
        ("QPlatformTheme", "OK"): "OK",
        ("QPlatformTheme", "Cancel"): "Avbryt",
        ("QPlatformTheme", "Yes"): "Ja",
        ("QPlatformTheme", "No"): "Nei",
        ("QPlatformTheme", "Close"): "Lukk",
        ("QPlatformTheme", "Help"): "Hjelp",
        ("QPlatformTheme", "&Yes"): "&Ja",
        ("QPlatformTheme", "&No"): "&Nei",
        ("QPlatformTheme", "Apply"): "Bruk",
        ("QPlatformTheme", "Open"): "Åpne",
        ("QPlatformTheme", "Save"): "Lagre",
        ("QPlatformTheme", "Retry"): "Prøv igjen",
        ("QPlatformTheme", "Abort"): "Avbryt",
        ("QPlatformTheme", "Ignore"): "Ignorer",
        ("QWidgetTextControl", "&Undo"): "&Angre",
        ("QWidgetTextControl", "&Redo"): "&Gjør om",
        ("QWidgetTextControl", "Cu&t"): "Klipp &ut",
        ("QWidgetTextControl", "&Copy"): "&Kopier",
        ("QWidgetTextControl", "&Paste"): "&Lim inn",
        ("QWidgetTextControl", "Delete"): "Slett",
        ("QWidgetTextControl", "Select All"): "Merk alt",
        ("QLineEdit", "&Undo"): "&Angre",
        ("QLineEdit", "&Redo"): "&Gjør om",
        ("QLineEdit", "Cu&t"): "Klipp &ut",
        ("QLineEdit", "&Copy"): "&Kopier",
        ("QLineEdit", "&Paste"): "&Lim inn",
        ("QLineEdit", "Delete"): "Slett",
        ("QLineEdit", "Select All"): "Merk alt",
        ("QMessageBox", "Show Details..."): "Vis detaljer …",
        ("QMessageBox", "Hide Details..."): "Skjul detaljer …",
    }

    def translate(self, context, source_text, disambiguation=None, n=-1):
        return self.STRINGS.get((context, source_text), "")

    def isEmpty(self) -> bool:
        return False


def qt_translations_dir() -> Path:
    return Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))


_installed: list[QTranslator] = []


def install_qt_translators(app: QApplication, lang: str) -> list[str]:
    """Translate Qt's own texts into ``lang``; returns what was loaded (for the self-test)."""
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    loaded: list[str] = []
    if lang == "en":
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
        return loaded
    # Qt has nynorsk files only; bokmål readers understand them, and the bokmål overlay below
    # covers the buttons and menus patients actually see.
    for base in ("qtbase", "qtmultimedia"):
        tr = QTranslator(app)
        if tr.load(f"{base}_nn", str(qt_translations_dir())):
            app.installTranslator(tr)
            _installed.append(tr)
            loaded.append(f"{base}_nn")
        else:
            log.info("Qt translation %s_nn not found", base)
    if lang == "nb":
        overlay = BokmaalQtTranslator(app)
        app.installTranslator(overlay)  # installed last = searched first
        _installed.append(overlay)
        loaded.append("bokmaal-overlay")
    QLocale.setDefault(
        QLocale(
            QLocale.Language.NorwegianBokmal if lang == "nb" else QLocale.Language.NorwegianNynorsk
        )
    )
    return loaded
