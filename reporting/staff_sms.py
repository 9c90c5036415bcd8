"""SMS commands for relays on feature phones: the essential triage actions.

Listed in ``settings.INBOUND_SMS_HANDLERS`` before the resident handler: an SMS from a
member's registered phone is a command, never a report. Replies name references and
outcomes only, never a reporter's words: a seized phone must reveal nothing more.

    PRENDRE K7M2            claim          (TAKE)
    LIBERER K7M2            release        (RELEASE)
    VERIFIE K7M2            verified       (VERIFIED)
    INVERIFIABLE K7M2       unverifiable   (UNVERIFIABLE)
    RESUME K7M2 <texte>     neutral summary (SUMMARY)
    FERMER K7M2 <motif>     close: DOUBLON, FAUX, HORS, RESOLU (CLOSE: DUPLICATE, FALSE, SCOPE, RESOLVED)
    QUESTION K7M2 <texte>   ask the reporter (ASK); with SMS_REPLY_MODE=never it waits
    AIDE                    the list of commands (HELP)
"""

from __future__ import annotations

from dataclasses import dataclass

from focal_points.models import Member, Role
from messaging import services as messaging
from messaging.models import Priority
from messaging.services import InboundSms
from places.normalize import fold
from reporting import triage
from reporting.models import CloseReason, Report, Verification

RELAY_ROLES = {Role.RELAY, Role.COORDINATOR, Role.NATIONAL_COORDINATOR}
VERBS = {
    "prendre": "claim",
    "take": "claim",
    "claim": "claim",
    "liberer": "release",
    "release": "release",
    "verifie": "verify",
    "verifier": "verify",
    "verified": "verify",
    "verify": "verify",
    "inverifiable": "unverifiable",
    "unverifiable": "unverifiable",
    "resume": "summarise",
    "summary": "summarise",
    "resumer": "summarise",
    "fermer": "close",
    "close": "close",
    "clore": "close",
    "cloturer": "close",
    "question": "ask",
    "ask": "ask",
    "aide": "help",
    "help": "help",
    "?": "help",
}
REASONS = {
    "doublon": CloseReason.DUPLICATE,
    "duplicate": CloseReason.DUPLICATE,
    "faux": CloseReason.FALSE,
    "false": CloseReason.FALSE,
    "hors": CloseReason.OUT_OF_SCOPE,
    "scope": CloseReason.OUT_OF_SCOPE,
    "resolu": CloseReason.RESOLVED,
    "resolved": CloseReason.RESOLVED,
}
HELP = (
    "Veille: PRENDRE ref, VERIFIE ref, INVERIFIABLE ref, RESUME ref texte, FERMER ref DOUBLON/FAUX/HORS/RESOLU, "
    "QUESTION ref texte"
)
# The SMS form of triage.QUESTION_WAITS: one segment, no accent.
QUESTION_WAITS_SMS = (
    "question en attente, pas envoyee (aucun SMS spontane ici): donnee a l'auteur a sa prochaine demande de statut"
)


@dataclass(frozen=True)
class StaffCommand:
    action: str
    reference: str = ""
    rest: str = ""


def parse_staff_command(body: str) -> StaffCommand | None:
    words = body.strip().split(maxsplit=2)
    if not words:
        return None
    action = VERBS.get(fold(words[0]) or words[0])
    if action is None:
        return None
    if action == "help":
        return StaffCommand("help")
    if len(words) < 2:
        return StaffCommand(action)
    reference = words[1].upper().removeprefix("R-").strip(".,:;")
    return StaffCommand(action, reference, words[2] if len(words) > 2 else "")


def _member_for(sms: InboundSms) -> Member | None:
    return (
        Member.objects.select_related("organisation", "user")
        .filter(phone_pseudonym=sms.sender_pseudonym, is_active=True, organisation__is_active=True)
        .first()
    )


def _reply(member: Member, text: str) -> None:
    if member.phone:
        messaging.outbound_enqueue(
            to_number=member.phone, body=text[:160], purpose="staff_reply", priority=Priority.URGENT
        )


def handle_staff_sms(sms: InboundSms) -> bool:
    member = _member_for(sms)
    if member is None or member.role not in RELAY_ROLES:
        return False  # not a relay's phone: someone else's handler decides
    command = parse_staff_command(sms.body)
    if command is None or command.action == "help" or not command.reference:
        _reply(member, HELP)
        return True
    report = Report.objects.filter(reference=command.reference).only("pk").first()
    try:
        if report is None:
            raise triage.NotVisible("unknown reference")
        _apply(member, report.pk, command)
    except triage.NotVisible:
        # Same answer for unknown and not-yours: the phone learns nothing.
        _reply(member, f"Veille R-{command.reference}: introuvable pour vous.")
        return True
    except triage.TriageError as exc:
        _reply(member, f"Veille R-{command.reference}: refuse ({exc}).")
        return True
    if command.action == "ask" and Report.objects.filter(pk=report.pk, pending_question__isnull=False).exists():
        _reply(member, f"Veille R-{command.reference}: {QUESTION_WAITS_SMS}.")
        return True
    _reply(member, f"Veille R-{command.reference}: {DONE[command.action]}.")
    return True


DONE = {
    "claim": "pris en charge",
    "release": "libere",
    "verify": "verifie",
    "unverifiable": "inverifiable",
    "summarise": "resume enregistre",
    "close": "cloture",
    "ask": "question envoyee a l'auteur",
}


def _apply(member: Member, report_id: int, command: StaffCommand) -> None:
    if command.action == "claim":
        triage.report_claim(member=member, report_id=report_id)
    elif command.action == "release":
        triage.report_release(member=member, report_id=report_id)
    elif command.action == "verify":
        triage.report_set_verification(member=member, report_id=report_id, verification=Verification.VERIFIED)
    elif command.action == "unverifiable":
        triage.report_set_verification(member=member, report_id=report_id, verification=Verification.UNVERIFIABLE)
    elif command.action == "summarise":
        triage.report_summarise(member=member, report_id=report_id, summary=command.rest)
    elif command.action == "ask":
        triage.report_ask_reporter(member=member, report_id=report_id, question=command.rest)
    elif command.action == "close":
        reason = REASONS.get(fold(command.rest.split()[0]) if command.rest.strip() else "")
        if reason is None:
            raise triage.TriageError("motif: DOUBLON, FAUX, HORS ou RESOLU")
        triage.report_close(member=member, report_id=report_id, reason=reason)
