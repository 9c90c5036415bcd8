"""The alert SMS to a focal point: one GSM-7 segment holding reference, severity,
category, commune, the relay's neutral summary (shortened to fit) and how to answer.
French only for now: focal points are officers of the state forces."""

from __future__ import annotations

from reporting.texts import category_word
from veille.gsm7 import SINGLE_SEGMENT_GSM7, gsm7_length, to_gsm7

SEVERITY_WORDS = {"critical": "URGENT", "high": "grave", "medium": "moyen", "low": "faible"}
TEMPLATE = "Veille R-{ref} {severity}: {category}, {place}. {summary} Repondez OK {ref}"


def alert_sms(*, reference: str, severity: str, category: str, place: str, summary: str) -> str:
    fields = {
        "ref": reference,
        "severity": SEVERITY_WORDS.get(severity, severity),
        "category": category_word(category, "fr"),
        "place": to_gsm7(place)[:40],
    }
    budget = SINGLE_SEGMENT_GSM7 - gsm7_length(TEMPLATE.format(summary="", **fields))
    text = to_gsm7(" ".join(summary.split()))
    if gsm7_length(text) > budget:
        text = text[: max(budget - 3, 0)].rstrip() + "..."
        while gsm7_length(text) > budget and len(text) > 3:
            text = text[:-4].rstrip() + "..."
    return TEMPLATE.format(summary=text, **fields)
