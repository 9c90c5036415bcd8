"""What a resident's SMS means: a status request, an opt-out, or (anything else) a report.

Called by ``messaging.services.inbound_process`` inside its transaction, through
``settings.INBOUND_SMS_HANDLERS``. Handlers placed before this one (staff commands) see
the message first; this one claims every message that reaches it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from messaging import services as messaging
from messaging.models import Channel, Priority
from messaging.services import InboundSms
from places.normalize import fold
from reporting import services
from reporting.models import Consent, Report, ReportStatus
from reporting.texts import guess_language, sms_text, status_word

OPT_OUT_WORDS = {
    "stop",
    "stopall",
    "arret",
    "arreter",
    "arretez",
    "unsubscribe",
    "cancel",
    "end",
    "quit",
    "desabonner",
    "desinscrire",
    "a jo",
}
OPT_IN_WORDS = {"start", "unstop", "demarrer", "reprendre", "a damine"}
NOTIFY_WORDS = {"prevenir": "fr", "prevenez moi": "fr", "notify": "en", "tell me": "en", "a fo n ye": "bm"}
STATUS_WORDS = {
    "statut": "fr",
    "statu": "fr",
    "statuts": "fr",
    "etat": "fr",
    "suivi": "fr",
    "status": "en",
    "ladon": "bm",
    "kunnafoni": "bm",
}
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9\- ]{3,12}")


@dataclass(frozen=True)
class Command:
    kind: str  # "opt_out", "opt_in", "status" or "report"
    language: str
    argument: str = ""


def parse_command(body: str) -> Command:
    """Keywords count only when they are the whole message (opt-out/in) or its first word
    (status): "stop aux attaques a Boni" is a report, not an opt-out."""
    folded = fold(body)
    if folded in OPT_OUT_WORDS:
        return Command("opt_out", "en" if folded in {"stop", "unsubscribe", "cancel", "end", "quit"} else "fr")
    if folded in OPT_IN_WORDS:
        return Command("opt_in", "en" if folded in {"start", "unstop"} else "fr")
    if folded in NOTIFY_WORDS:
        return Command("notify", NOTIFY_WORDS[folded])
    first, _, rest = folded.partition(" ")
    if first in STATUS_WORDS and len(rest.replace(" ", "")) <= 12:
        return Command("status", STATUS_WORDS[first], rest.replace(" ", "").upper())
    return Command("report", guess_language(body))


def _reply(sms: InboundSms, key: str, language: str, **params: str) -> None:
    messaging.outbound_enqueue_to_pseudonym(
        pseudonym=sms.sender_pseudonym,
        body=sms_text(key, language, **params),
        purpose=f"resident_{key}",
        priority=Priority.REPLY,
    )


def handle_inbound_sms(sms: InboundSms) -> bool:
    command = parse_command(sms.body)
    if command.kind == "opt_out":
        # Confirm first (the vault still has the number), then forget it.
        _reply(sms, "opted_out", command.language)
        messaging.opt_out(pseudonym=sms.sender_pseudonym)
        return True
    if command.kind == "opt_in":
        messaging.opt_in(pseudonym=sms.sender_pseudonym)
        _reply(sms, "opted_in", command.language)
        return True
    if command.kind == "status":
        _answer_status(sms, command)
        return True
    if command.kind == "notify":
        report = services.report_latest_for_sender(sender_pseudonym=sms.sender_pseudonym)
        if report is None:
            _reply(sms, "status_unknown", command.language)
        elif not services.unsolicited_sms_allowed():
            # A closure notice would arrive unasked, days later: say how to ask instead.
            _reply(sms, "notify_never", command.language)
        else:
            services.report_ask_to_be_told(report=report)
            _reply(sms, "notify_ok", command.language)
        return True
    _take_report(sms, command.language)
    return True


def _answer_status(sms: InboundSms, command: Command) -> None:
    """An explicit request is answered even when unsolicited replies are off."""
    if command.argument:
        # Counted per phone (its pseudonym), the bucket SMS and USSD share.
        report = services.report_by_receipt(receipt=command.argument, buckets=[f"phone:{sms.sender_pseudonym}"])
    else:
        report = services.report_latest_for_sender(sender_pseudonym=sms.sender_pseudonym)
    if report is None:
        _reply(sms, "status_unknown", command.language)
        return
    services.report_status_checked(report=report, channel=Channel.SMS)
    status = status_word(report.status, command.language)
    if command.argument:
        _reply(sms, "status", command.language, code=command.argument, status=status)
    else:
        _reply(sms, "status_latest", command.language, status=status)
    if report.sender_pseudonym == sms.sender_pseudonym:
        _give_waiting_questions(sms, report)


def _give_waiting_questions(sms: InboundSms, report: Report) -> None:
    """The reporter wrote (STATUT) from the report's own phone: what waited for them goes
    with the answer. A relay's question held back by ``SMS_REPLY_MODE=never``, and a
    consent question not yet answered (held back the same way, or a reminder)."""
    question = services.report_pending_question_take(report=report, channel=Channel.SMS)
    if question:
        messaging.outbound_enqueue_to_pseudonym(
            pseudonym=sms.sender_pseudonym, body=f"Veille: {question}", purpose="question", priority=Priority.NORMAL
        )
    if report.support_consent == Consent.ASKED and report.status != ReportStatus.CLOSED:
        _reply(sms, "consent_question", report.language)


YES_WORDS = {"oui", "yes", "awo", "o", "ok"}
NO_WORDS = {"non", "no", "ayi"}


def _take_report(sms: InboundSms, language: str) -> None:
    if not sms.body.strip():
        return  # an empty SMS (or a photo alone, which is not fetched) is no report
    answer = fold(sms.body)
    if answer in YES_WORDS | NO_WORDS:
        asked = services.report_awaiting_consent(sender_pseudonym=sms.sender_pseudonym)
        if asked is not None:
            services.report_answer_consent(report=asked, given=answer in YES_WORDS, channel=Channel.SMS)
            _reply(sms, "consent_thanks", asked.language)
            return
    open_report = services.report_open_for_sender(sender_pseudonym=sms.sender_pseudonym)
    if open_report is not None:
        services.report_join_message(report=open_report, text=sms.body)
        return
    submitted = services.report_submit(
        channel=Channel.SMS,
        description=sms.body,
        place=services.report_place_from_text(sms.body),
        language=language,
        sender_pseudonym=sms.sender_pseudonym,
    )
    if not services.unsolicited_sms_allowed():
        return
    _reply(sms, "receipt", language, code=submitted.receipt)
    if submitted.report.commune_id is None:
        _reply(sms, "ask_place", language)
        services.report_mark_place_asked(report=submitted.report)
