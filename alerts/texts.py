"""The alert SMS to a focal point: one GSM-7 segment holding reference, severity,
category, commune, the relay's neutral summary and how to answer, in the focal point's
language (the template is ``reporting.texts.ALERT_TEXTS``).

The summary is never cut: triage refuses a summary longer than what the alert leaves
(``reporting.texts.alert_summary_limit``), and forwarding checks again.
"""

from __future__ import annotations

import logging

from reporting.texts import alert_text
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
