"""Patient-facing text in the three languages we ship: bokmål first, then nynorsk and English.

Core modules carry their user-facing sentences as :class:`Text` values so that the UI (and the
CLI) can show them in the patient's language without the core knowing anything about Qt or
gettext.  Keep every sentence short and plain: many patients are elderly, anxious and
non-technical.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Lang = Literal["nb", "nn", "en"]
LANGUAGES: tuple[Lang, ...] = ("nb", "nn", "en")
DEFAULT_LANG: Lang = "nb"


@dataclass(frozen=True, slots=True)
class Text:
    """One sentence in bokmål, nynorsk and English."""

    nb: str
    nn: str
    en: str

    def __post_init__(self) -> None:
        for lang in LANGUAGES:
            if not getattr(self, lang).strip():
                raise ValueError(f"Text is missing its {lang} translation")

    def __call__(self, lang: str = DEFAULT_LANG) -> str:
        """The sentence in ``lang``; unknown languages fall back to bokmål."""
        return str(getattr(self, lang, self.nb)) if lang in LANGUAGES else self.nb

    def format(self, **values: object) -> Text:
        """A copy with ``{placeholders}`` filled in every language."""
        return Text(
            nb=self.nb.format(**values), nn=self.nn.format(**values), en=self.en.format(**values)
        )


def normalise_lang(value: str | None) -> Lang:
    """Map a locale name such as ``nb_NO.UTF-8``, ``no``, ``nn-NO`` or ``en_GB`` to a language."""
    if not value:
        return DEFAULT_LANG
    tag = value.replace("-", "_").split(".")[0].split("_")[0].lower()
    if tag == "nn":
        return "nn"
    if tag == "en":
        return "en"
    return DEFAULT_LANG
