"""What a resident's SMS does: a status request, an opt-out, a reply, or a report.

The words are read by the one router (``commands.router``, tables in
``commands.keywords``), which calls these functions inside ``inbound_process``'s
transaction; anything that is no keyword reaches ``take_report``.
"""

from __future__ import annotations

import logging

from django.conf import settings

from messaging import services as messaging
from messaging.models import Channel, Priority
from messaging.services import InboundSms
from reporting import questions, services
from reporting.models import Consent, Report, ReportStatus
from reporting.photos import CleanPhoto, PhotoRejected, clean_photo
from reporting.texts import guess_language, sms_text, status_word

logger = logging.getLogger(__name__)

__all__ = ["answer_status", "guess_language", "notify", "opt_in", "opt_out", "take_report"]


def _reply(sms: InboundSms, key: str, language: str, **params: str) -> None:
    messaging.outbound_enqueue_to_pseudonym(
        pseudonym=sms.sender_pseudonym,
        body=sms_text(key, language, **params),
        purpose=f"resident_{key}",
        # Answers to residents wait behind staff notices, or take another provider.
        priority=Priority.REPLY,
    )


def opt_out(sms: InboundSms, language: str) -> None:
    # Confirm first (the vault still has the number), then forget it.
    _reply(sms, "opted_out", language)
    messaging.opt_out(pseudonym=sms.sender_pseudonym)


def opt_in(sms: InboundSms, language: str) -> None:
    messaging.opt_in(pseudonym=sms.sender_pseudonym)
    _reply(sms, "opted_in", language)


def notify(sms: InboundSms, language: str) -> None:
    report = services.report_latest_for_sender(sender_pseudonym=sms.sender_pseudonym)
    if report is None:
        _reply(sms, "status_unknown", language)
        return
    if not services.unsolicited_sms_allowed():
        # A closure notice would arrive unasked, days later: say how to ask instead.
        _reply(sms, "notify_never", language)
        return
    services.report_ask_to_be_told(report=report)
    _reply(sms, "notify_ok", language)


def answer_status(sms: InboundSms, language: str, code: str) -> None:
    """An explicit request is answered even when unsolicited replies are off."""
    if code:
        # Counted per phone (its pseudonym), the bucket SMS and USSD share.
        report = services.report_by_receipt(receipt=code, buckets=[f"phone:{sms.sender_pseudonym}"])
    else:
        report = services.report_latest_for_sender(sender_pseudonym=sms.sender_pseudonym)
    if report is None:
        _reply(sms, "status_unknown", language)
        return
    services.report_status_checked(report=report, channel=Channel.SMS)
    status = status_word(report.status, language)
    if code:
        _reply(sms, "status", language, code=code, status=status)
    else:
        _reply(sms, "status_latest", language, status=status)
    if report.sender_pseudonym == sms.sender_pseudonym:
        _give_waiting_questions(sms, report)


def _give_waiting_questions(sms: InboundSms, report: Report) -> None:
    """The reporter wrote (STATUT) from the report's own phone: what waited for them goes
    with the answer. A relay's question held back by ``SMS_REPLY_MODE=never`` (with its
    numbered choices, if any), and a consent question not yet answered."""
    choices = list((report.question or {}).get("choices") or [])
    question = services.report_pending_question_take(report=report, channel=Channel.SMS)
    if question:
        messaging.outbound_enqueue_to_pseudonym(
            pseudonym=sms.sender_pseudonym,
            body=questions.question_sms(question, choices, report.language),
            purpose="question",
            priority=Priority.NORMAL,
        )
    if report.support_consent == Consent.ASKED and report.status != ReportStatus.CLOSED:
        _reply(sms, "consent_question", report.language)


def _photos_of(sms: InboundSms) -> list[CleanPhoto]:
    """The MMS pictures messaging fetched, re-encoded from their pixels exactly as the web
    form's are (same formats, same limits); anything else is dropped, the text kept."""
    photos = []
    for raw in sms.media[: settings.REPORT_MAX_PHOTOS]:
        try:
            photos.append(clean_photo(raw))
        except PhotoRejected:
            logger.info("inbound %s: an attachment was not a readable photo", sms.inbound_id)
    return photos


def take_report(sms: InboundSms, language: str, *, answer: str | None = None, displaced: bool = False) -> None:
    """``answer``: "yes"/"no" when the message is one of those words (the router read
    it); it answers a pending consent question, else the message is an ordinary one.
    ``displaced``: the message began with the displaced word (DEPLACE): the reporter is
    displaced, whether the message starts a report or joins the open one."""
    photos = _photos_of(sms)
    if not sms.body.strip() and not photos:
        return  # an empty SMS (or an MMS with no readable photo) is no report
    if answer is not None:
        asked = services.report_awaiting_consent(sender_pseudonym=sms.sender_pseudonym)
        if asked is not None:
            services.report_answer_consent(report=asked, given=answer == "yes", channel=Channel.SMS)
            _reply(sms, "consent_thanks", asked.language)
            return
    digit = sms.body.strip().rstrip(".")
    if len(digit) == 1 and digit.isascii() and digit.isdigit():
        choosing = questions.report_awaiting_choice(sender_pseudonym=sms.sender_pseudonym)
        if choosing is not None and questions.report_answer_question(
            report=choosing, choice=digit, channel=Channel.SMS
        ):
            _reply(sms, "consent_thanks", choosing.language)
            return
    open_report = services.report_open_for_sender(sender_pseudonym=sms.sender_pseudonym)
    if open_report is not None:
        if sms.body.strip():
            services.report_join_message(report=open_report, text=sms.body, reporter_displaced=displaced)
        for photo in photos[: max(0, settings.REPORT_MAX_PHOTOS - open_report.photos.count())]:
            services.report_photo_add(report=open_report, photo=photo)
        return
    submitted = services.report_submit(
        channel=Channel.SMS,
        description=sms.body,
        place=services.report_place_from_text(sms.body),
        language=language,
        sender_pseudonym=sms.sender_pseudonym,
        photos=photos,
        reporter_displaced=displaced,
    )
    if not services.unsolicited_sms_allowed():
        return
    _reply(sms, "receipt", language, code=submitted.receipt)
    if submitted.report.commune_id is None:
        _reply(sms, "ask_place", language)
        services.report_mark_place_asked(report=submitted.report)
