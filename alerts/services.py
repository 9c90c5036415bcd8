"""Writes for alerts: forwarding a triaged report to focal points.

The conflict-of-interest rule holds here whatever the caller sends: a focal point is
accepted only if ``focal_points.selectors.focal_points_for`` lists them for this report's
place and its conflict (every force ever accused on it, ``reporting.accusations``). A
refused focal point is refused with the same words whether they are out of area or
belong to the accused force.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from alerts.models import Alert, AlertEvent, AlertEventKind, AlertStatus
from alerts.texts import alert_sms
from focal_points.models import Member, Role
from focal_points.selectors import Place, focal_points_for, may_receive_alert
from messaging import services as messaging
from messaging.models import Channel, Priority
from reporting import triage
from reporting.accusations import report_conflict
from reporting.texts import alert_summary_limit, member_language
from veille.gsm7 import gsm7_length, to_gsm7


class ForwardError(triage.TriageError):
    pass


def _send_alert_sms(alert: Alert, *, purpose: str, priority: int) -> None:
    """Queue the one-segment alert SMS from the alert's own snapshot, and keep the
    outbound row to follow its delivery. Members without a phone see it on the web."""
    phone = alert.focal_point.phone
    if not phone:
        return
    alert.outbound = messaging.outbound_enqueue(
        to_number=phone,
        body=alert_sms(
            reference=alert.reference,
            severity=alert.severity,
            category=alert.category,
            place=alert.place,
            summary=alert.summary,
            language=member_language(alert.focal_point),
        ),
        purpose=purpose,
        priority=priority,
    )
    alert.save(update_fields=["outbound"])


@transaction.atomic
def alert_forward(*, member: Member, report_id: int, focal_point_ids: list[int]) -> list[Alert]:
    if not focal_point_ids:
        raise ForwardError("choisissez au moins un point focal")
    report = triage.report_mark_forwarded(member=member, report_id=report_id)
    used, limit = gsm7_length(to_gsm7(" ".join((report.summary or "").split()))), alert_summary_limit(report)
    if used > limit:
        # A summary from before the limit, or a place found since: never cut it, refuse.
        raise ForwardError(
            f"le résumé est trop long pour le SMS d'alerte ({used}/{limit} signes)",
            key="summary_too_long",
            used=str(used),
            limit=str(limit),
        )
    allowed = {
        fp.pk: fp
        for fp in focal_points_for(
            place=Place(report.commune_id, report.cercle_id, report.region_id),
            conflict=report_conflict(report=report),
        )
    }
    refused = [pk for pk in focal_point_ids if pk not in allowed]
    if refused:
        # Rolls back the status change too: nothing is forwarded unless all may receive it.
        raise ForwardError("un des destinataires ne peut pas recevoir ce signalement")
    created: list[Alert] = []
    for pk in dict.fromkeys(focal_point_ids):
        focal_point = allowed[pk]
        alert, new = Alert.objects.get_or_create(
            report=report,
            focal_point=focal_point,
            defaults={
                "forwarded_by": member,
                "reference": report.reference,
                "category": report.category,
                "severity": report.severity,
                "place": report.place_label,
                "summary": report.summary,
            },
        )
        if not new:
            continue
        AlertEvent.objects.create(alert=alert, kind=AlertEventKind.FORWARDED, member=member, channel=Channel.WEB)
        _send_alert_sms(
            alert,
            purpose="alert",
            priority=Priority.URGENT if report.severity in {"critical", "high"} else Priority.NORMAL,
        )
        created.append(alert)
    return created


class AlertStepError(Exception):
    """A focal point's answer that changes nothing; the message goes back to them
    (``key`` and ``params`` say it in their language, ``commands.texts.REASONS``)."""

    def __init__(self, message: str, *, key: str = "", **params: str) -> None:
        super().__init__(message)
        self.key, self.params = key, params


STEP_ORDER = ["sent", "acknowledged", "en_route", "on_site", "done"]
STEP_WORDS = {"acknowledged": "reception", "en_route": "en route", "on_site": "sur place", "done": "fin"}


def alert_reference_exists(reference: str) -> bool:
    return Alert.objects.filter(reference=reference).exists()


@transaction.atomic
def alert_record_step(
    *, member: Member, reference: str, step: str, channel: str, alternatives: Sequence[str] = ()
) -> Alert:
    """Record an acknowledgement or a response step. Steps only move forward; a later
    step implies the earlier ones (an "en route" without "OK" acknowledges too), each
    recorded as an event with its time and actor.

    ``alternatives``: other readings of what the member typed (``OK RK7MA`` is ``RK7MA``
    or ``K7MA``); the first reading that names one of the member's own alerts wins."""
    if step not in STEP_WORDS:
        raise AlertStepError("reponse inconnue")
    alerts = Alert.objects.select_for_update().filter(focal_point=member)
    if reference:
        readings = [reference, *alternatives]
        found = {alert.reference: alert for alert in alerts.filter(reference__in=readings)}
        alert = next((found[reading] for reading in readings if reading in found), None)
        if alert is None:
            raise AlertStepError(f"R-{reference} n'est pas une de vos alertes", key="not_one_of_yours", ref=reference)
    else:
        alert = alerts.exclude(status=AlertStatus.DONE).order_by("-created_at", "-pk").first()
        if alert is None:
            raise AlertStepError("aucune alerte ouverte", key="no_open_alert")
    current, target = STEP_ORDER.index(alert.status), STEP_ORDER.index(step)
    if target <= current:
        raise AlertStepError(
            f"R-{alert.reference} est deja {STEP_WORDS.get(alert.status, alert.status)}",
            key="already",
            ref=alert.reference,
            step=alert.status,
        )
    for passed in STEP_ORDER[current + 1 : target + 1]:
        AlertEvent.objects.create(alert=alert, kind=passed, member=member, channel=channel)
    alert.status = step
    alert.save(update_fields=["status"])
    return alert


def _escalation_target(alert: Alert) -> tuple[Member, str] | None:
    """Who is next when an alert meets silence: the unit's next focal point (by escalation
    order), then the unit's commander, then the coordinator of the report's region.
    Nobody already alerted for this report is chosen twice."""
    report = alert.report
    already = set(Alert.objects.filter(report=report).values_list("focal_point_id", flat=True))
    unit = alert.focal_point.organisation
    active = Member.objects.filter(is_active=True).exclude(pk__in=already)
    colleagues = active.filter(organisation=unit, role=Role.FOCAL_POINT).order_by("escalation_order", "pk")
    conflict = report_conflict(report=report)
    place = Place(report.commune_id, report.cercle_id, report.region_id)
    allowed = {m.pk for m in focal_points_for(place=place, conflict=conflict)}
    for colleague in colleagues:
        if colleague.pk in allowed:
            return colleague, "next focal point of the unit"
    commander = active.filter(organisation=unit, role=Role.COMMANDER).order_by("escalation_order", "pk").first()
    if commander is not None and may_receive_alert(member=commander, conflict=conflict):
        return commander, "unit commander"
    if report.region_id:
        coordinator = active.filter(role=Role.COORDINATOR, areas__region_id=report.region_id).order_by("pk").first()
        if coordinator is not None:
            return coordinator, "regional coordinator"
    national = active.filter(role=Role.NATIONAL_COORDINATOR).order_by("pk").first()
    return (national, "national coordination") if national else None


def alerts_overdue(*, now: datetime | None = None) -> list[int]:
    """Unacknowledged alerts past their severity's deadline that have not escalated yet."""
    now = now or timezone.now()
    due: list[int] = []
    for severity, minutes in settings.ESCALATION_MINUTES.items():
        due += list(
            Alert.objects.filter(
                status=AlertStatus.SENT,
                escalated_at__isnull=True,
                severity=severity,
                created_at__lte=now - timedelta(minutes=minutes),
            ).values_list("pk", flat=True)
        )
    return due


@transaction.atomic
def alert_escalate(*, alert_id: int) -> Alert | None:
    """Escalate one overdue alert (idempotent: a second run finds it already escalated)."""
    alert = Alert.objects.select_for_update().select_related("report", "focal_point__organisation").get(pk=alert_id)
    if alert.status != AlertStatus.SENT or alert.escalated_at is not None:
        return None
    alert.escalated_at = timezone.now()
    alert.save(update_fields=["escalated_at"])
    AlertEvent.objects.create(alert=alert, kind=AlertEventKind.ESCALATED, channel="system")
    target = _escalation_target(alert)
    if target is None:
        return None
    member, _why = target
    escalated = Alert.objects.create(
        report=alert.report,
        focal_point=member,
        forwarded_by=alert.forwarded_by,
        reference=alert.reference,
        category=alert.category,
        severity=alert.severity,
        place=alert.place,
        summary=alert.summary,
        escalated_from=alert,
        escalation_level=alert.escalation_level + 1,
    )
    AlertEvent.objects.create(alert=escalated, kind=AlertEventKind.FORWARDED, channel="system")
    _send_alert_sms(escalated, purpose="alert_escalation", priority=Priority.URGENT)
    return escalated


# --- Early warning --------------------------------------------------------------------


def spike_coordinators(cercle) -> list[Member]:
    """The coordinators whose areas hold the cercle (the cercle itself or its region)."""
    from django.db.models import Q

    return list(
        Member.objects.filter(
            Q(areas__cercle_id=cercle.pk) | Q(areas__region_id=cercle.region_id),
            role=Role.COORDINATOR,
            is_active=True,
            organisation__is_active=True,
        )
        .distinct()
        .order_by("pk")
    )


def spikes_detect(*, now: datetime | None = None) -> list[int]:
    """Record every new spike once (one per cercle, category, window and period) with its
    event row, and queue one SMS to each coordinator of its area. Returns the new ids."""
    from alerts.models import Spike, SpikeEvent, SpikeEventKind, SpikeStatus
    from alerts.selectors import spike_candidates
    from alerts.texts import spike_sms
    from places.models import Cercle

    now = now or timezone.now()
    local = timezone.localtime(now).date()
    periods = {"day": local, "week": local - timedelta(days=local.weekday())}
    created_ids = []
    for candidate in spike_candidates(now=now):
        # The same rise is one spike: a window that overlaps an earlier spike's (the next
        # run, the next day's 24 hours still holding the same reports), or a week whose
        # rise a daily spike already announced, records nothing more.
        if Spike.objects.filter(
            cercle_id=candidate.cercle_id,
            category=candidate.category,
            window__in=["day", candidate.window],
            window_end__gt=candidate.window_start,
        ).exists():
            continue
        with transaction.atomic():
            spike, created = Spike.objects.get_or_create(
                cercle_id=candidate.cercle_id,
                category=candidate.category,
                window=candidate.window,
                period_start=periods[candidate.window],
                defaults={
                    "window_start": candidate.window_start,
                    "window_end": candidate.window_end,
                    "observed": candidate.observed,
                    "baseline_mean": candidate.baseline_mean,
                    "threshold": candidate.threshold,
                    "detected_at": now,
                },
            )
            if not created:
                continue
            SpikeEvent.objects.create(spike=spike, kind=SpikeEventKind.DETECTED, at=now)
            cercle = Cercle.objects.get(pk=candidate.cercle_id)
            for member in spike_coordinators(cercle):
                if not member.phone:
                    continue
                body = spike_sms(
                    category=spike.category,
                    cercle=cercle.name,
                    observed=spike.observed,
                    window=spike.window,
                    mean=spike.baseline_mean,
                    language=member_language(member),
                )
                outbound = messaging.outbound_enqueue(
                    to_number=member.phone, body=body, purpose="spike", priority=Priority.URGENT
                )
                SpikeEvent.objects.create(
                    spike=spike, kind=SpikeEventKind.NOTIFIED, at=now, member=member, outbound=outbound
                )
                spike.status = SpikeStatus.NOTIFIED
            spike.save(update_fields=["status"])
            created_ids.append(spike.pk)
    return created_ids
