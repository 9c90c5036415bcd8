"""A relay's question to a reporter with numbered choices, answered by a digit on every
channel: by SMS, on the USSD follow-up menu, on the web status page.

``QUESTION K7M2 Combien de blessés ? 1 aucun 2 un ou deux 3 plus`` stores the question
and its choices on the report (encrypted, ``Report.question``) until the reporter
answers; the answer joins the report as "Réponse 2: un ou deux" and is recorded as an
event (the choice number only). A question without choices reaches SMS reporters only:
USSD and web reporters have no keyboard to answer in words.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from reporting.models import Report, ReportEvent, ReportEventKind, ReportStatus
from veille.gsm7 import SINGLE_SEGMENT_GSM7, USSD_SCREEN_LIMIT, gsm7_length, to_gsm7
from veille.phones import mask_phone_numbers

MIN_CHOICES, MAX_CHOICES = 2, 9
CHOICE_MAX_CHARS = 30

ANSWER_PROMPT = {
    "fr": "Répondez par le chiffre.",
    "en": "Reply with the number.",
    "bm": "Nimoro ci ka jaabi.",
}


def split_choices(text: str) -> tuple[str, list[str]]:
    """("Combien de blessés ?", ["aucun", "un ou deux", "plus"]) from the relay's text:
    choices are the words after a lone "1", "2", ... in order, at least two of them."""
    words = text.split()
    markers: list[int] = []
    expected = 1
    for index, token in enumerate(words):
        if token == str(expected) and index > 0 and expected <= MAX_CHOICES:
            markers.append(index)
            expected += 1
    if len(markers) < MIN_CHOICES:
        return " ".join(words), []
    choices = [" ".join(words[start + 1 : end]) for start, end in zip(markers, [*markers[1:], len(words)], strict=True)]
    if any(not choice for choice in choices):
        return " ".join(words), []
    return " ".join(words[: markers[0]]), choices


def clean(text: str) -> str:
    """What a reporter's phone may show: numbers masked, GSM-7, one line."""
    return to_gsm7(mask_phone_numbers(" ".join(text.split())))


def choices_line(choices: list[str]) -> str:
    return " ".join(f"{number} {choice}" for number, choice in enumerate(choices, start=1))


def question_sms(question: str, choices: list[str], language: str) -> str:
    if not choices:
        return f"Veille: {question}"
    prompt = ANSWER_PROMPT.get(language, ANSWER_PROMPT["fr"])
    return to_gsm7(f"Veille: {question} {choices_line(choices)}. {prompt}")


def ussd_screen(*, code: str, status: str, question: str, choices: list[str], language: str) -> str:
    # Imported here: the USSD package imports this module's callers.
    from reporting.ussd.texts import text

    lines = [text("status", language, code=code, status=status), question]
    lines += [f"{number} {choice}" for number, choice in enumerate(choices, start=1)]
    return to_gsm7("\n".join(lines))


def fits_every_channel(question: str, choices: list[str], language: str) -> bool:
    """The question fits one SMS and, with choices, one USSD screen (even behind "Choix
    invalide."), with the longest code and status."""
    from reporting.texts import STATUS_WORDS
    from reporting.ussd.texts import text

    if gsm7_length(question_sms(question, choices, language)) > SINGLE_SEGMENT_GSM7:
        return False
    if not choices:
        return True
    status = max((word for words in STATUS_WORDS.values() for word in words.values()), key=len)
    screen = ussd_screen(code="W" * 6, status=to_gsm7(status), question=question, choices=choices, language=language)
    invalid = max(gsm7_length(text("invalid", lang)) for lang in ("fr", "en", "bm")) + 1
    return gsm7_length(screen) + invalid <= USSD_SCREEN_LIMIT


def pending_choices(report: Report) -> dict | None:
    """The open question with choices the reporter may still answer, if any."""
    question = report.question or None
    if not question or not question.get("choices") or report.status == ReportStatus.CLOSED:
        return None
    return question


def report_awaiting_choice(*, sender_pseudonym: str) -> Report | None:
    """The SMS sender's report whose question with choices awaits an answer."""
    if not sender_pseudonym:
        return None
    candidates = (
        Report.objects.select_for_update()
        .filter(sender_pseudonym=sender_pseudonym, awaiting_reply_until__gte=timezone.now())
        .filter(~Q(status=ReportStatus.CLOSED), question__isnull=False)
        .order_by("-pk")
    )
    return next((report for report in candidates if pending_choices(report)), None)


def report_answer_question(*, report: Report, choice: str, channel: str) -> bool:
    """Record a digit answer: True if it was one of the choices. The caller holds the
    report's row lock (``select_for_update``)."""
    question = pending_choices(report)
    number = int(choice) if choice.isascii() and choice.isdigit() and len(choice) == 1 else 0
    if question is None or not 1 <= number <= len(question["choices"]):
        return False
    label = question["choices"][number - 1]
    answer = f"Réponse {number}: {label}"
    report.description = "\n".join(part for part in [report.description or "", answer] if part)
    report.question = None
    report.save(update_fields=["description", "question"])
    # The choice number only: the labels are the relay's words, the event stays neutral.
    ReportEvent.objects.create(
        report=report, kind=ReportEventKind.QUESTION_ANSWERED, channel=channel, detail=f"choice {number}"
    )
    return True
