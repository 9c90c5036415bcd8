"""The alert SMS to a focal point: one GSM-7 segment holding reference, severity,
category, commune, the relay's neutral summary and how to answer, in the focal point's
language (the template is ``reporting.texts.ALERT_TEXTS``).

The summary is never cut: triage refuses a summary longer than what the alert leaves
(``reporting.texts.alert_summary_limit``), and forwarding checks again.
"""

from __future__ import annotations

import logging

from reporting.texts import alert_text
from veille.catalogue import TextTable, pgettext_lazy, register
from veille.gsm7 import SINGLE_SEGMENT_GSM7, gsm7_length

logger = logging.getLogger(__name__)


def alert_sms(*, reference: str, severity: str, category: str, place: str, summary: str, language: str = "fr") -> str:
    body = alert_text(
        language=language, reference=reference, severity=severity, category=category, place=place, summary=summary
    )
    if gsm7_length(body) > SINGLE_SEGMENT_GSM7:
        # Triage and forwarding refuse such a summary; one kept from before the limit is
        # sent whole (two segments) rather than cut: nobody acts on half a sentence.
        logger.warning("alert SMS for R-%s exceeds one segment", reference)
    return body


# The early-warning SMS to a coordinator: one GSM-7 segment, counts and place only (a
# seized phone reveals no report). Translations in locale/*/django.po; Bambara's is a
# draft marked for native review (reporting.texts.NEEDS_NATIVE_REVIEW).
SPIKE_TEXTS = register(
    pgettext_lazy(
        "spike.sms",
        "Veille ALERTE: hausse {category} cercle {cercle}: {observed} signalements en {window} "
        "(habituel {mean}). Voir le tableau de bord.",
    )
)
SPIKE_WINDOW_WORDS = TextTable(
    "spike.window",
    {
        "day": pgettext_lazy("spike.window.day", "24 h"),
        "week": pgettext_lazy("spike.window.week", "7 jours"),
    },
)
CERCLE_MAX_CHARS = 24


def spike_sms(*, category: str, cercle: str, observed: int, window: str, mean: float, language: str = "fr") -> str:
    from reporting.texts import category_word
    from veille.gsm7 import to_gsm7

    language = language if language in SPIKE_TEXTS else "fr"
    body = SPIKE_TEXTS[language].format(
        category=category_word(category, language),
        cercle=to_gsm7(cercle)[:CERCLE_MAX_CHARS],
        observed=observed,
        window=SPIKE_WINDOW_WORDS[window][language],
        mean=f"{mean:.1f}",
    )
    return to_gsm7(body)
