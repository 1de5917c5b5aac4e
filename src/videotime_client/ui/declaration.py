"""The chat message that tells the clinician who is in the patient's room.

Sent in the language the patient read and confirmed, so what they agreed to is exactly what the
clinician receives (every Norwegian clinician reads bokmål, nynorsk and English).
"""

from __future__ import annotations

from videotime_client.texts import Text
from videotime_client.ui.models import IntroductionsModel
from videotime_client.ui.strings import S


def declaration(model: IntroductionsModel, lang: str, summary: Text | None = None) -> str:
    """One chat message: who is present, no recording, and (if agreed) the equipment summary."""
    lines = [S.DECL_HEADER(lang)]
    if model.alone:
        lines.append(S.DECL_ALONE(lang))
    else:
        people = ", ".join(
            S.DECL_PERSON.format(name=c.name.strip(), relation=c.relation.strip() or "–")(lang)
            for c in model.named_companions
        )
        lines.append(S.DECL_WITH.format(people=people)(lang))
    if model.no_recording:
        lines.append(S.DECL_NO_RECORDING(lang))
    if model.share_check and summary is not None:
        lines.append(summary(lang))  # the pre-flight report's own sentence ("Utstyrstest: …")
    return " ".join(lines)
