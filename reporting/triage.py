"""Writes of the relay workspace: claim, read, verify, classify, link, redact, summarise,
ask the reporter, close. Intake writes live in ``services.py``; these are the staff's.

Every function takes the acting member, checks that they may see the report (through
``reporting.access``) and that nobody else holds it, changes it inside a transaction,
and records the change as a ``ReportEvent`` with the member's user as actor: that is the
append-only trail coordinators read. No event stores the reporter's words.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from focal_points.models import Category, Force, Member, Role
from messaging import services as messaging
from messaging.models import Channel, Priority
from reporting import accusations, questions, services
from reporting.access import report_for_member
from reporting.models import (
    AccusationSource,
    CloseReason,
    Consent,
    Incident,
    Report,
    ReportEvent,
    ReportEventKind,
    ReportPhoto,
    ReportStatus,
    Severity,
    Verification,
)
from reporting.texts import alert_summary_limit, sms_text
from veille.gsm7 import gsm7_length, to_gsm7
from veille.phones import mask_phone_numbers

REDACTION_MASK = "[passage masque]"
# Who triages: the area's relays and the coordinators. Oversight, mediators and support
# services read the reports routed to them and act elsewhere.
TRIAGE_ROLES = {Role.RELAY, Role.COORDINATOR, Role.NATIONAL_COORDINATOR}
QUESTION_MAX_CHARS = 140


class TriageError(Exception):
    """An action that cannot be done; the message is shown to the relay. ``key`` and
    ``params`` let an SMS answer say it in the member's language (``commands.texts``)."""

    def __init__(self, message: str = "", *, key: str = "", **params: str) -> None:
        super().__init__(message)
        self.key, self.params = key, params


class NotVisible(TriageError):
    """The member may not see this report. Views answer 404: no leak of its existence."""


class HeldByAnother(TriageError):
    pass


# What the relay is told when a question to the reporter waits instead of going
# (SMS_REPLY_MODE=never), on the report page and in the SMS reply to QUESTION.
QUESTION_WAITS = (
    "question enregistrée, pas envoyée : ce déploiement n'envoie aucun SMS à un auteur "
    "qui n'a pas écrit (SMS_REPLY_MODE=never). Elle lui sera donnée à sa prochaine "
    "demande de statut (STATUT, page de suivi ou USSD)."
)
CONSENT_WAITS = (
    "question de consentement enregistrée, pas envoyée par SMS (SMS_REPLY_MODE=never) : "
    "elle sera posée à la personne à sa prochaine demande de statut."
)


def _load(member: Member, report_id: int) -> Report:
    """The report, locked for update, if the member may see it. Every action calls this
    before looking at its input, so no error message can hint that a hidden report exists."""
    if report_for_member(member=member, report_id=report_id) is None:
        raise NotVisible("report not found")
    return Report.objects.select_for_update().get(pk=report_id)


def _event(report: Report, member: Member, kind: str, detail: str = "", **status: str) -> ReportEvent:
    return ReportEvent.objects.create(
        report=report, kind=kind, actor=member.user, member=member, detail=detail[:200], channel=Channel.WEB, **status
    )


def _claim_is_live(report: Report) -> bool:
    return bool(report.claimed_by_id and report.claimed_until and report.claimed_until > timezone.now())


def _hold(report: Report, member: Member) -> list[str]:
    """Make sure the member holds the claim (taking it if free). Returns changed fields."""
    if _claim_is_live(report) and report.claimed_by_id != member.pk:
        raise HeldByAnother(f"pris en charge par {report.claimed_by.name}")
    report.claimed_by = member
    report.claimed_until = timezone.now() + timedelta(minutes=settings.CLAIM_MINUTES)
    fields = ["claimed_by", "claimed_until"]
    if report.status == ReportStatus.RECEIVED:
        _event(
            report, member, ReportEventKind.STATUS_CHANGED, from_status=report.status, to_status=ReportStatus.IN_REVIEW
        )
        report.status = ReportStatus.IN_REVIEW
        fields.append("status")
    return fields


def _check_open(report: Report) -> None:
    if report.status == ReportStatus.CLOSED:
        raise TriageError("ce signalement est clôturé")


@transaction.atomic
def report_read(*, member: Member, report_id: int) -> Report:
    """Every read is recorded: who read which report, when."""
    report = _load(member, report_id)
    _event(report, member, ReportEventKind.READ)
    return report


def report_photo_read(*, member: Member, report_id: int, photo_id: int, preview: bool = False) -> ReportPhoto:
    """A photo of a report the member may see, decrypted in memory; each view is a
    ``read`` event naming the photo, so the trail says who looked at which picture."""
    if report_for_member(member=member, report_id=report_id) is None:
        raise NotVisible("report not found")
    photo = ReportPhoto.objects.filter(report_id=report_id, pk=photo_id).select_related("report").first()
    if photo is None:
        raise NotVisible("photo not found")
    _event(photo.report, member, ReportEventKind.READ, f"photo {photo.pk}" + (" (aperçu)" if preview else ""))
    return photo


@transaction.atomic
def report_claim(*, member: Member, report_id: int) -> Report:
    report = _load(member, report_id)
    _check_open(report)
    fields = _hold(report, member)
    report.save(update_fields=fields)
    _event(report, member, ReportEventKind.CLAIMED)
    return report


@transaction.atomic
def report_release(*, member: Member, report_id: int) -> Report:
    report = _load(member, report_id)
    if report.claimed_by_id != member.pk:
        raise TriageError("vous ne tenez pas ce signalement")
    report.claimed_by, report.claimed_until = None, None
    report.save(update_fields=["claimed_by", "claimed_until"])
    _event(report, member, ReportEventKind.RELEASED)
    return report


@transaction.atomic
def report_set_verification(*, member: Member, report_id: int, verification: str) -> Report:
    report = _load(member, report_id)  # visibility first: nothing may hint at a hidden report
    if verification not in Verification.values:
        raise TriageError("état de vérification inconnu")
    _check_open(report)
    fields = _hold(report, member)
    report.verification = verification
    report.save(update_fields=[*fields, "verification"])
    _event(report, member, ReportEventKind.VERIFIED, detail=f"verification: {verification}")
    return report


def _check_may_triage(member: Member) -> None:
    """Oversight, mediators and support services read what is routed to them; they do not
    reclassify it nor forward it to security focal points."""
    if member.role not in TRIAGE_ROLES:
        raise TriageError("votre rôle permet de lire ce signalement, pas de le classer ni de le transmettre")


@transaction.atomic
def report_classify(
    *,
    member: Member,
    report_id: int,
    category: str | None = None,
    severity: str | None = None,
    accused_force: str | None = None,
) -> Report:
    """Set category, severity and the force a report accuses. A new category is routed
    again: becoming "abuse by forces" brings in oversight, "gender-based violence" the
    trained relays.

    Accusing is immediate and recorded for good (``reporting.accusations``); clearing an
    accused force, or moving a report out of "abuse by forces", only asks for it: a
    second coordinator decides."""
    report = _load(member, report_id)
    _check_may_triage(member)
    _check_open(report)
    if category is not None and category != report.category and category not in Category.values:
        raise TriageError("catégorie inconnue")
    if severity is not None and severity != report.severity and severity not in Severity.values:
        raise TriageError("gravité inconnue")
    if accused_force and accused_force not in Force.values:
        raise TriageError("force inconnue")
    fields = _hold(report, member)
    changes: list[str] = []
    if category is not None and category != report.category:
        if report.category == Category.FORCE_ABUSE:
            accusations.clearance_request(report=report, member=member, force="", new_category=category)
        else:
            report.category = category
            fields.append("category")
            changes.append(f"category: {category}")
            if category == Category.FORCE_ABUSE:
                accusations.accusation_record(report=report, force="", source=AccusationSource.RELAY, member=member)
    if severity is not None and severity != report.severity:
        report.severity = severity
        fields.append("severity")
        changes.append(f"severity: {severity}")
    if accused_force is not None and accused_force != report.accused_force:
        if accused_force:
            accusations.accusation_record(
                report=report, force=accused_force, source=AccusationSource.RELAY, member=member
            )
        previous = report.accused_force
        if previous and previous in accusations.accused_forces(report=report):
            accusations.clearance_request(report=report, member=member, force=previous, new_force=accused_force)
        if accused_force or not previous:
            report.accused_force = accused_force
            fields.append("accused_force")
            changes.append(f"accused force: {accused_force or '-'}")
    report.save(update_fields=fields)
    if changes:
        _event(report, member, ReportEventKind.CLASSIFIED, detail="; ".join(changes))
    if "category" in fields:
        services.report_route(report=report)
    return report


@transaction.atomic
def report_link(*, member: Member, report_id: int, other_id: int) -> Incident:
    """Link two reports of the same incident (both must be visible to the member)."""
    report = _load(member, report_id)
    if report_id == other_id:
        raise TriageError("un signalement ne peut être lié à lui-même")
    other = _load(member, other_id)
    incident = report.incident or other.incident or Incident.objects.create()
    for merging in {report.incident_id, other.incident_id} - {incident.pk, None}:
        Report.objects.filter(incident_id=merging).update(incident=incident)
    for linked, partner in ((report, other), (other, report)):
        linked.incident = incident
        linked.save(update_fields=["incident"])
        _event(linked, member, ReportEventKind.LINKED, detail=f"linked to R-{partner.reference}")
    return incident


@transaction.atomic
def report_redact(*, member: Member, report_id: int, passage: str) -> Report:
    """Mask a passage of the reporter's text for good (every occurrence)."""
    report = _load(member, report_id)
    passage = passage.strip()
    _check_open(report)
    if len(passage) < 3 or passage not in (report.description or ""):
        raise TriageError("passage introuvable dans le texte")
    fields = _hold(report, member)
    report.description = report.description.replace(passage, REDACTION_MASK)
    report.save(update_fields=[*fields, "description"])
    _event(report, member, ReportEventKind.REDACTED, detail=f"{len(passage)} characters masked")
    return report


@transaction.atomic
def report_summarise(*, member: Member, report_id: int, summary: str) -> Report:
    """The neutral summary: the only text of a report that forces will ever see."""
    report = _load(member, report_id)
    summary = mask_phone_numbers(" ".join(summary.split()))
    # The limit is what fits the alert's one SMS segment, in septets: never cut later.
    used, limit = gsm7_length(to_gsm7(summary)), alert_summary_limit(report)
    if len(summary) < 10:
        raise TriageError("le résumé doit faire au moins 10 caractères", key="summary_too_short")
    if used > limit:
        raise TriageError(
            f"le résumé est trop long pour le SMS d'alerte ({used}/{limit} signes)",
            key="summary_too_long",
            used=str(used),
            limit=str(limit),
        )
    _check_open(report)
    fields = _hold(report, member)
    report.summary = summary
    report.save(update_fields=[*fields, "summary"])
    _event(report, member, ReportEventKind.SUMMARISED)
    return report


@transaction.atomic
def report_ask_reporter(*, member: Member, report_id: int, question: str, choices: Sequence[str] = ()) -> Report:
    """Send the reporter a question through the platform; the relay never sees the number.

    A question without choices reaches SMS reporters only (USSD and web reporters left
    no number and cannot answer in words); their next SMS, until
    ``QUESTION_REPLY_HOURS``, joins this report. A question with numbered choices
    (``reporting.questions``) reaches every reporter: by SMS, or on the USSD follow-up
    menu and the web status page, answered by a digit. With
    ``SMS_REPLY_MODE=never`` nothing is sent to an SMS reporter: the question waits on the
    report (``pending_question``) for the reporter's next status look-up, and the caller
    tells the relay so (``QUESTION_WAITS``).
    """
    report = _load(member, report_id)
    text = questions.clean(question)
    options = [questions.clean(choice)[: questions.CHOICE_MAX_CHARS] for choice in choices]
    if not 5 <= len(text) <= QUESTION_MAX_CHARS or not questions.fits_every_channel(text, options, report.language):
        raise TriageError(
            f"la question doit faire entre 5 et {QUESTION_MAX_CHARS} caractères",
            key="question_length",
            limit=str(QUESTION_MAX_CHARS),
        )
    _check_open(report)
    by_sms = report.channel == Channel.SMS and bool(report.sender_pseudonym)
    if not by_sms and not options:
        raise TriageError("l'auteur de ce signalement ne peut pas recevoir de question (USSD ou web)")
    fields = _hold(report, member)
    if by_sms and not services.unsolicited_sms_allowed():
        if messaging.is_opted_out(pseudonym=report.sender_pseudonym):
            raise TriageError("l'auteur ne peut plus être joint (désinscrit)")
        replaced = bool(report.pending_question)
        report.pending_question = text
        report.question = {"text": text, "choices": options} if options else None
        report.save(update_fields=[*fields, "pending_question", "question"])
        _event(
            report,
            member,
            ReportEventKind.QUESTION_ASKED,
            detail="waiting for a status look-up" + (" (replaces the waiting question)" if replaced else ""),
        )
        return report
    if by_sms:
        sent = messaging.outbound_enqueue_to_pseudonym(
            pseudonym=report.sender_pseudonym,
            body=questions.question_sms(text, options, report.language),
            purpose="question",
            priority=Priority.NORMAL,
        )
        if sent is None:
            raise TriageError("l'auteur ne peut plus être joint (désinscrit ou délai dépassé)")
    report.awaiting_reply_until = timezone.now() + timedelta(hours=settings.QUESTION_REPLY_HOURS)
    report.question = {"text": text, "choices": options} if options else None
    report.save(update_fields=[*fields, "awaiting_reply_until", "question"])
    _event(report, member, ReportEventKind.QUESTION_ASKED)
    return report


@transaction.atomic
def report_close(*, member: Member, report_id: int, reason: str) -> Report:
    report = _load(member, report_id)
    if not reason:
        # No default reason: a report closed as "Doublon" by a slip would hide an incident.
        raise TriageError("Choisissez un motif de clôture : le signalement n'a pas été clôturé.")
    if reason not in CloseReason.values:
        raise TriageError("motif de clôture inconnu")
    _check_open(report)
    _hold(report, member)
    previous = report.status
    report.status = ReportStatus.CLOSED
    report.close_reason = reason
    report.claimed_by, report.claimed_until, report.awaiting_reply_until = None, None, None
    report.save(update_fields=["status", "close_reason", "claimed_by", "claimed_until", "awaiting_reply_until"])
    _event(
        report,
        member,
        ReportEventKind.CLOSED,
        detail=f"reason: {reason}",
        from_status=previous,
        to_status=ReportStatus.CLOSED,
    )
    services.report_inform_reporter_of_closure(report=report)
    # The reporter's number is kept only while a case may need it.
    if (
        report.sender_pseudonym
        and not Report.objects.filter(sender_pseudonym=report.sender_pseudonym)
        .exclude(status=ReportStatus.CLOSED)
        .exists()
    ):
        messaging.vault_forget(pseudonym=report.sender_pseudonym)
    return report


@transaction.atomic
def report_request_consent(*, member: Member, report_id: int) -> Report:
    """Ask a reporter of gender-based violence whether she agrees to be referred to a
    support service, on the channel she used: by SMS for SMS reporters; on the receipt
    status page or the USSD follow-up menu for the others."""
    report = _load(member, report_id)
    _check_open(report)
    if report.category != Category.GBV:
        raise TriageError("le consentement ne se demande que pour les violences basées sur le genre")
    if report.support_consent in {Consent.GIVEN, Consent.REFUSED}:
        raise TriageError("la personne a déjà répondu")
    fields = _hold(report, member)
    # SMS_REPLY_MODE=never: not sent; asked on her next STATUT, like on the status page.
    if report.channel == Channel.SMS and services.unsolicited_sms_allowed():
        sent = messaging.outbound_enqueue_to_pseudonym(
            pseudonym=report.sender_pseudonym,
            body=sms_text("consent_question", report.language),
            purpose="consent_question",
            priority=Priority.NORMAL,
        )
        if sent is None:
            raise TriageError("l'auteur ne peut plus être joint par SMS")
    report.support_consent = Consent.ASKED
    report.save(update_fields=[*fields, "support_consent"])
    _event(report, member, ReportEventKind.CONSENT_ASKED)
    return report


@transaction.atomic
def report_refer_to_support(*, member: Member, report_id: int) -> list:
    """Refer to the support services covering the place. Refused, whatever the relay
    clicks, unless the reporter said yes."""
    report = _load(member, report_id)
    _check_open(report)
    if report.support_consent != Consent.GIVEN:
        raise TriageError("orientation impossible sans le consentement de la personne")
    added = services.report_refer(report=report)
    _event(report, member, ReportEventKind.REFERRED, detail=f"{len(added)} support officer(s)")
    return added


@transaction.atomic
def report_mark_forwarded(*, member: Member, report_id: int) -> Report:
    """Called by ``alerts.services.alert_forward``: checks that the member may act on the
    report and that it is ready (neutral summary and severity), then records the step."""
    report = _load(member, report_id)
    _check_may_triage(member)
    _check_open(report)
    if not report.summary:
        raise TriageError("écrivez d'abord le résumé neutre : c'est le seul texte que voient les forces")
    if not report.severity:
        raise TriageError("indiquez d'abord la gravité")
    fields = _hold(report, member)
    if report.status != ReportStatus.FORWARDED:
        _event(
            report, member, ReportEventKind.STATUS_CHANGED, from_status=report.status, to_status=ReportStatus.FORWARDED
        )
        report.status = ReportStatus.FORWARDED
        fields.append("status")
    report.save(update_fields=fields)
    return report
