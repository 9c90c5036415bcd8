"""Relays' (and coordinators') triage by SMS, for reports of their areas.

Each command calls the triage service the web page calls (``reporting.triage``,
``alerts.services.alert_forward``): visibility, claims, the conflict-of-interest rule
and the event rows are theirs, not re-implemented here. This module reads the words,
picks the service, and answers in one segment in the member's language.

    PRENDRE ref / LIBERER ref / VERIFIE ref / INVERIFIABLE ref
    LIRE ref [partie]          the masked text (only with RELAY_SMS_READ)
    CAT ref code               AIDE CAT for the codes
    GRAVITE ref 1-4
    FORCE ref code             names an accused force (clearing one: the web)
    RESUME ref texte           the neutral summary, limited to what fits the alert SMS
    QUESTION ref texte [1 a 2 b ...]
    MEME ref ref               two reports of one incident
    TRANSMETTRE ref [n ...]    the numbered focal points; then forward to those numbers
    FERMER ref DOUBLON/FAUX/HORS/RESOLU
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from alerts import services as alert_services
from commands import keywords as kw
from commands.models import ChoiceList, ChoiceListKind
from commands.texts import DONE, FORCE_WORDS, NAME_MAX_CHARS, REASONS, SEVERITY_WORDS, text, word
from focal_points.models import Category, Force, Member
from focal_points.selectors import Place, focal_points_for, is_on_duty
from messaging import services as messaging
from messaging.models import Priority
from places.normalize import fold
from reporting import triage
from reporting.access import report_for_member
from reporting.accusations import report_conflict
from reporting.models import CloseReason, Report, ReportStatus, Verification
from reporting.questions import split_choices
from reporting.texts import category_word
from veille.gsm7 import SINGLE_SEGMENT_GSM7, gsm7_length, to_gsm7

CATEGORY_CODES = {
    "att": Category.ARMED_ATTACK,
    "vol": Category.ROBBERY,
    "men": Category.THREAT,
    "grp": Category.ARMED_PRESENCE,
    "exp": Category.EXPLOSIVE,
    "enl": Category.KIDNAPPING,
    "vbg": Category.GBV,
    "gbv": Category.GBV,
    "abu": Category.FORCE_ABUSE,
    "ten": Category.INTERCOMMUNITY,
    "dep": Category.DISPLACEMENT,
    "aut": Category.OTHER,
}
FORCE_CODES = {
    "pol": Force.POLICE,
    "gen": Force.GENDARMERIE,
    "gn": Force.GARDE_NATIONALE,
    "fama": Force.ARMY,
    "pm": Force.MUNICIPAL_POLICE,
}
FORCE_SHORT = {force: code.upper() for code, force in FORCE_CODES.items()}
SEVERITY_DIGITS = {"1": "low", "2": "medium", "3": "high", "4": "critical"}
CLOSE_REASONS = {
    "doublon": CloseReason.DUPLICATE,
    "duplicate": CloseReason.DUPLICATE,
    "faux": CloseReason.FALSE,
    "false": CloseReason.FALSE,
    "hors": CloseReason.OUT_OF_SCOPE,
    "scope": CloseReason.OUT_OF_SCOPE,
    "resolu": CloseReason.RESOLVED,
    "resolved": CloseReason.RESOLVED,
}
# How each command is written, shown when a part is missing.
USAGE: dict[str, dict[str, str]] = {
    "claim": {"fr": "PRENDRE ref", "en": "TAKE ref", "bm": "TA ref"},
    "release": {"fr": "LIBERER ref", "en": "RELEASE ref", "bm": "BILA ref"},
    "verify": {"fr": "VERIFIE ref", "en": "VERIFY ref", "bm": "VERIFIE ref"},
    "unverifiable": {"fr": "INVERIFIABLE ref", "en": "UNVERIFIABLE ref", "bm": "INVERIFIABLE ref"},
    "summarise": {"fr": "RESUME ref texte", "en": "SUMMARY ref text", "bm": "SEBEN ref sebenni"},
    "close": {
        "fr": "FERMER ref DOUBLON, FAUX, HORS ou RESOLU",
        "en": "CLOSE ref DUPLICATE, FALSE, SCOPE or RESOLVED",
        "bm": "DATUGU ref DOUBLON, FAUX, HORS walima RESOLU",
    },
    "read": {"fr": "LIRE ref, LIRE ref 2", "en": "READ ref, READ ref 2", "bm": "KALAN ref, KALAN ref 2"},
    "classify": {"fr": "CAT ref code (AIDE CAT)", "en": "CAT ref code (HELP CAT)", "bm": "CAT ref code (DEME CAT)"},
    "severity": {"fr": "GRAVITE ref 1-4", "en": "SEVERITY ref 1-4", "bm": "GRAVITE ref 1-4"},
    "force": {"fr": "FORCE ref code (AIDE FORCE)", "en": "FORCE ref code (HELP FORCE)", "bm": "FORCE ref code"},
    "forward": {"fr": "TRANSMETTRE ref", "en": "FORWARD ref", "bm": "CI ref"},
    "question": {"fr": "QUESTION ref texte", "en": "ASK ref text", "bm": "NYININKA ref sebenni"},
    "link": {"fr": "MEME ref ref", "en": "SAME ref ref", "bm": "MEME ref ref"},
    "acknowledged": {"fr": "OK ref", "en": "OK ref", "bm": "OK ref"},
    "en_route": {"fr": "EN ROUTE ref", "en": "ON MY WAY ref", "bm": "SIRA KAN ref"},
    "on_site": {"fr": "SUR PLACE ref", "en": "ON SITE ref", "bm": "SE RA ref"},
    "done": {"fr": "FIN ref", "en": "DONE ref", "bm": "BANNA ref"},
}
# Actions whose argument after the reference is required.
NEEDS_ARGUMENT = {"summarise", "close", "classify", "severity", "force", "question", "link"}
HELP_TOPICS = {
    "read": "help_read",
    "classify": "help_classify",
    "severity": "help_severity",
    "force": "help_force",
    "forward": "help_forward",
    "question": "help_question",
}


@dataclass(frozen=True)
class RelayCommand:
    action: str
    reference: str = ""
    rest: str = ""
    topic: str = ""


def clean_reference(token: str) -> str:
    return token.upper().removeprefix("R-").strip(".,:;!?")


def _split(text: str) -> tuple[str, str]:
    parts = re.split(r"\s+", text.strip(), maxsplit=1)
    return parts[0], (parts[1] if len(parts) > 1 else "")


def parse(body: str, role: str) -> RelayCommand | None:
    """The command, reference and the rest as typed (summaries and questions keep their
    case and accents); None when the first word is no keyword of the role, even with
    one typo."""
    head, tail = _split(body)
    if not head:
        return None
    if head == "?":
        return RelayCommand("help")
    found = kw.lookup(role, fold(head), tolerant=True)
    if found is None:
        return None
    action = found[0]
    if action == "help":
        topic_word = fold(_split(tail)[0]) if tail else ""
        if topic_word in {"relais", "relay"}:
            return RelayCommand("help", topic="relay")
        topic = kw.lookup(role, topic_word, tolerant=True) if topic_word else None
        return RelayCommand("help", topic=topic[0] if topic else "")
    token, rest = _split(tail)
    if token.upper() in {"R", "R-"}:
        token, rest = _split(rest)
    return RelayCommand(action, clean_reference(token), rest.strip())


def help_text(role: str, topic: str, language: str) -> str:
    if role == kw.FOCAL_POINT:
        return text("help_focal_point", language)
    if topic == "read" and not settings.RELAY_SMS_READ:
        return text("help_read_off", language)
    if topic in HELP_TOPICS:
        return text(HELP_TOPICS[topic], language)
    if role == kw.COORDINATOR and topic != "relay":
        return text("help_coordinator", language)
    return text("help_relay", language)


def reply(member: Member, body: str) -> None:
    """Staff replies go first in the queue: a relay waits at the phone for them."""
    if member.phone:
        messaging.outbound_enqueue(to_number=member.phone, body=body, purpose="staff_reply", priority=Priority.URGENT)


def _off_duty(member: Member) -> bool:
    """A member with duty slots acts by SMS only during them: outside, a command from
    their phone is refused (a phone taken at night must not triage); the web, behind
    its second factor, stays open. Members without slots are always on duty."""
    return member.duty_slots.exists() and not is_on_duty(member, timezone.now())


def _reason(exc: triage.TriageError, language: str) -> str:
    if isinstance(exc, triage.HeldByAnother):
        name = str(exc).removeprefix("pris en charge par ")[:NAME_MAX_CHARS]
        return word(REASONS, "held", language, name=name)
    key = getattr(exc, "key", "") or str(exc)
    if key in REASONS:
        return word(REASONS, key, language, **getattr(exc, "params", {}))
    return to_gsm7(str(exc))


def execute(member: Member, command: RelayCommand, language: str) -> None:
    if _off_duty(member):
        reply(member, text("off_duty", language))
        return
    if command.action in kw.ALERT_ACTIONS:  # a coordinator's alert answer without its reference
        reply(member, text("usage", language, usage=USAGE[command.action][language]))
        return
    if not command.reference or (command.action in NEEDS_ARGUMENT and not command.rest):
        reply(member, text("usage", language, usage=USAGE[command.action][language]))
        return
    report = Report.objects.filter(reference=command.reference).only("pk").first()
    try:
        if report is None:
            raise triage.NotVisible("unknown reference")
        answer = ACTIONS[command.action](member, report.pk, command, language)
    except triage.NotVisible:
        # Same answer for unknown and not-yours: the phone learns nothing.
        answer = text("not_found", language, ref=command.reference)
    except triage.TriageError as exc:
        answer = text("refused", language, ref=command.reference, reason=_reason(exc, language))
    reply(member, answer)


def _done(command: RelayCommand, language: str, action: str = "", **params: str) -> str:
    return text("done", language, ref=command.reference, what=word(DONE, action or command.action, language, **params))


def _claim(member: Member, report_id: int, command: RelayCommand, language: str) -> str:
    triage.report_claim(member=member, report_id=report_id)
    return _done(command, language)


def _release(member: Member, report_id: int, command: RelayCommand, language: str) -> str:
    triage.report_release(member=member, report_id=report_id)
    return _done(command, language)


def _verify(member: Member, report_id: int, command: RelayCommand, language: str) -> str:
    verification = Verification.VERIFIED if command.action == "verify" else Verification.UNVERIFIABLE
    triage.report_set_verification(member=member, report_id=report_id, verification=verification)
    return _done(command, language)


def _summarise(member: Member, report_id: int, command: RelayCommand, language: str) -> str:
    triage.report_summarise(member=member, report_id=report_id, summary=command.rest)
    return _done(command, language)


def _close(member: Member, report_id: int, command: RelayCommand, language: str) -> str:
    reason = CLOSE_REASONS.get(fold(_split(command.rest)[0]))
    if reason is None:
        # Visibility first: an unknown reason must not tell a hidden report exists.
        if report_for_member(member=member, report_id=report_id) is None:
            raise triage.NotVisible("report not found")
        return text("usage", language, usage=USAGE["close"][language])
    triage.report_close(member=member, report_id=report_id, reason=reason)
    return _done(command, language)


def read_parts(reference: str, description: str) -> list[str]:
    """The text cut at word boundaries into parts that each fit one segment with their
    "R-K7M2 1/3: " header."""
    header = text("read_part", "fr", ref=reference, part="99", parts="99", text="")
    budget = SINGLE_SEGMENT_GSM7 - gsm7_length(header)
    parts: list[str] = []
    current = ""
    for piece in to_gsm7(" ".join(description.split())).split(" "):
        while gsm7_length(piece) > budget:  # a word longer than a part: cut it
            room = budget - gsm7_length(current) - (1 if current else 0)
            if room <= 0:
                parts.append(current)
                current, room = "", budget
            cut = 0
            while cut < len(piece) and gsm7_length(piece[: cut + 1]) <= room:
                cut += 1
            current = f"{current} {piece[:cut]}".strip()
            parts.append(current)
            current, piece = "", piece[cut:]
        candidate = f"{current} {piece}".strip()
        if gsm7_length(candidate) <= budget:
            current = candidate
        else:
            parts.append(current)
            current = piece
    if current:
        parts.append(current)
    return parts


def _read(member: Member, report_id: int, command: RelayCommand, language: str) -> str:
    if not settings.RELAY_SMS_READ:
        if report_for_member(member=member, report_id=report_id) is None:
            raise triage.NotVisible("report not found")
        return text("help_read_off", language)
    wanted = int(command.rest) if command.rest.isascii() and command.rest.isdigit() else 1
    report = triage.report_read(member=member, report_id=report_id)  # every read recorded
    parts = read_parts(report.reference, report.description or "")
    if not parts:
        return text("read_no_text", language, ref=report.reference)
    if not 1 <= wanted <= len(parts):
        return text("read_no_part", language, ref=report.reference, parts=str(len(parts)))
    return text(
        "read_part", language, ref=report.reference, part=str(wanted), parts=str(len(parts)), text=parts[wanted - 1]
    )


def _bad_code(member: Member, report_id: int, code: str, help_key: str, language: str) -> str:
    if report_for_member(member=member, report_id=report_id) is None:
        raise triage.NotVisible("report not found")
    topic = {"help_classify": "CAT", "help_severity": "GRAVITE", "help_force": "FORCE"}[help_key]
    helper = {"fr": "AIDE", "en": "HELP", "bm": "DEME"}.get(language, "AIDE")
    return text("bad_code", language, code=to_gsm7(code)[:12], help=f"{helper} {topic}")


def _classify(member: Member, report_id: int, command: RelayCommand, language: str) -> str:
    code = _split(command.rest)[0]
    category = CATEGORY_CODES.get(fold(code))
    if category is None:
        return _bad_code(member, report_id, code, "help_classify", language)
    triage.report_classify(member=member, report_id=report_id, category=category)
    return _done(command, language, category=category_word(category, language))


def _severity(member: Member, report_id: int, command: RelayCommand, language: str) -> str:
    code = _split(command.rest)[0]
    severity = SEVERITY_DIGITS.get(code)
    if severity is None:
        return _bad_code(member, report_id, code, "help_severity", language)
    triage.report_classify(member=member, report_id=report_id, severity=severity)
    return _done(command, language, severity=word(SEVERITY_WORDS, severity, language))


def _force(member: Member, report_id: int, command: RelayCommand, language: str) -> str:
    """Naming only: changing or clearing a named force needs the web and a second
    approval, so a seized phone cannot steer a report to the force it accuses."""
    code = _split(command.rest)[0]
    force = FORCE_CODES.get(fold(code))
    report = report_for_member(member=member, report_id=report_id)
    if report is None:
        raise triage.NotVisible("report not found")
    if force is None:
        return _bad_code(member, report_id, code, "help_force", language)
    if report.accused_force and report.accused_force != force:
        return text("force_change_web", language, ref=report.reference)
    triage.report_classify(member=member, report_id=report_id, accused_force=force)
    return text("force_named", language, ref=report.reference, force=word(FORCE_WORDS, force, language))


def _question(member: Member, report_id: int, command: RelayCommand, language: str) -> str:
    question, choices = split_choices(command.rest)
    report = triage.report_ask_reporter(member=member, report_id=report_id, question=question, choices=choices)
    if report.pending_question:
        return _done(command, language, "question_waits")
    if choices:
        return _done(command, language, "question_choices", count=str(len(choices)))
    return _done(command, language)


def _link(member: Member, report_id: int, command: RelayCommand, language: str) -> str:
    other_reference = clean_reference(_split(command.rest)[0])
    other = Report.objects.filter(reference=other_reference).only("pk").first()
    if other is None:
        if report_for_member(member=member, report_id=report_id) is None:
            raise triage.NotVisible("report not found")
        return text("not_found", language, ref=other_reference)
    try:
        triage.report_link(member=member, report_id=report_id, other_id=other.pk)
    except triage.NotVisible:
        if report_for_member(member=member, report_id=report_id) is None:
            raise
        return text("not_found", language, ref=other_reference)
    return text("linked", language, ref=command.reference, other=other_reference)


# --- TRANSMETTRE: a numbered list bound to what was sent -------------------------------


def _list_label(number: int, focal_point: Member) -> str:
    short = FORCE_SHORT.get(focal_point.organisation.force, "")
    return f"{number} {to_gsm7(focal_point.name)[:NAME_MAX_CHARS]} ({short})"


def _offer(member: Member, report: Report, language: str) -> str:
    """The focal points the report may go to (``focal_points_for``: never the accused
    force), on-duty ones first, numbered as many as fit the segment; stored so that the
    numbers of the answer mean these people."""
    if report.status == ReportStatus.CLOSED:
        raise triage.TriageError("ce signalement est clôturé")
    now = timezone.now()
    candidates = focal_points_for(
        place=Place(report.commune_id, report.cercle_id, report.region_id),
        # Every force ever accused on the report, whatever its fields say now.
        conflict=report_conflict(report=report),
        at=now,
    )
    if not candidates:
        return text("forward_nobody", language, ref=report.reference)
    candidates.sort(key=lambda m: (not is_on_duty(m, now), m.organisation.name, m.escalation_order, m.pk))
    minutes = str(settings.SMS_CHOICE_LIST_MINUTES)
    listed: list[Member] = []
    body = ""
    for focal_point in candidates:
        labels = [_list_label(n, fp) for n, fp in enumerate([*listed, focal_point], start=1)]
        left = len(candidates) - len(labels)
        if left:
            labels.append(text("forward_more", language, count=str(left)))
        attempt = text("forward_list", language, ref=report.reference, items=" ".join(labels), minutes=minutes)
        if gsm7_length(attempt) > SINGLE_SEGMENT_GSM7:
            break
        listed.append(focal_point)
        body = attempt
    with transaction.atomic():
        ChoiceList.objects.filter(member=member, expires_at__lte=now).delete()
        ChoiceList.objects.filter(member=member, report=report, kind=ChoiceListKind.FORWARD).delete()
        ChoiceList.objects.create(
            member=member,
            report=report,
            kind=ChoiceListKind.FORWARD,
            items=[fp.pk for fp in listed],
            expires_at=now + timedelta(minutes=settings.SMS_CHOICE_LIST_MINUTES),
        )
    return body


def _forward(member: Member, report_id: int, command: RelayCommand, language: str) -> str:
    report = report_for_member(member=member, report_id=report_id)
    if report is None:
        raise triage.NotVisible("report not found")
    tokens = command.rest.replace(",", " ").split()
    if not tokens:
        return _offer(member, report, language)
    bound = (
        ChoiceList.objects.filter(
            member=member, report=report, kind=ChoiceListKind.FORWARD, expires_at__gt=timezone.now()
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    if bound is None:
        return text("list_expired", language, ref=report.reference)
    chosen: list[int] = []
    for token in tokens:
        number = int(token) if token.isascii() and token.isdigit() and len(token) <= 2 else 0
        if not 1 <= number <= len(bound.items):
            return text("list_bad_number", language, ref=report.reference, number=to_gsm7(token)[:2])
        chosen.append(bound.items[number - 1])
    alert_services.alert_forward(member=member, report_id=report.pk, focal_point_ids=chosen)
    return text("forwarded", language, ref=report.reference, count=str(len(set(chosen))))


ACTIONS = {
    "claim": _claim,
    "release": _release,
    "verify": _verify,
    "unverifiable": _verify,
    "summarise": _summarise,
    "close": _close,
    "read": _read,
    "classify": _classify,
    "severity": _severity,
    "force": _force,
    "question": _question,
    "link": _link,
    "forward": _forward,
}
