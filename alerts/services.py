"""Writes for alerts: forwarding a triaged report to focal points.

The conflict-of-interest rule holds here whatever the caller sends: a focal point is
accepted only if ``focal_points.selectors.focal_points_for`` lists them for this report's
place, category and accused force. A refused focal point is refused with the same words
whether they are out of area or belong to the accused force.
"""

from __future__ import annotations

from django.db import transaction

from alerts.models import Alert, AlertEvent, AlertEventKind, AlertStatus
from alerts.texts import alert_sms
from focal_points.models import Member
from focal_points.selectors import Place, focal_points_for
from messaging import services as messaging
from messaging.models import Channel, Priority
from reporting import triage


class ForwardError(triage.TriageError):
    pass


@transaction.atomic
def alert_forward(*, member: Member, report_id: int, focal_point_ids: list[int]) -> list[Alert]:
    if not focal_point_ids:
        raise ForwardError("choisissez au moins un point focal")
    report = triage.report_mark_forwarded(member=member, report_id=report_id)
    allowed = {
        fp.pk: fp
        for fp in focal_points_for(
            place=Place(report.commune_id, report.cercle_id, report.region_id),
            category=report.category,
            accused_force=report.accused_force,
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
        if focal_point.phone:
            messaging.outbound_enqueue(
                to_number=focal_point.phone,
                body=alert_sms(
                    reference=report.reference,
                    severity=report.severity,
                    category=report.category,
                    place=report.place_label,
                    summary=report.summary,
                ),
                purpose="alert",
                priority=Priority.URGENT if report.severity in {"critical", "high"} else Priority.NORMAL,
            )
        created.append(alert)
    return created


class AlertStepError(Exception):
    """A focal point's answer that changes nothing; the message goes back to them."""


STEP_ORDER = ["sent", "acknowledged", "en_route", "on_site", "done"]
STEP_WORDS = {"acknowledged": "reception", "en_route": "en route", "on_site": "sur place", "done": "fin"}


def alert_reference_exists(reference: str) -> bool:
    return Alert.objects.filter(reference=reference).exists()


@transaction.atomic
def alert_record_step(*, member: Member, reference: str, step: str, channel: str) -> Alert:
    """Record an acknowledgement or a response step. Steps only move forward; a later
    step implies the earlier ones (an "en route" without "OK" acknowledges too), each
    recorded as an event with its time and actor."""
    if step not in STEP_WORDS:
        raise AlertStepError("reponse inconnue")
    alerts = Alert.objects.select_for_update().filter(focal_point=member)
    if reference:
        alert = alerts.filter(reference=reference).first()
        if alert is None:
            raise AlertStepError(f"R-{reference} n'est pas une de vos alertes")
    else:
        alert = alerts.exclude(status=AlertStatus.DONE).order_by("-created_at", "-pk").first()
        if alert is None:
            raise AlertStepError("aucune alerte ouverte")
    current, target = STEP_ORDER.index(alert.status), STEP_ORDER.index(step)
    if target <= current:
        raise AlertStepError(f"R-{alert.reference} est deja {STEP_WORDS.get(alert.status, alert.status)}")
    for passed in STEP_ORDER[current + 1 : target + 1]:
        AlertEvent.objects.create(alert=alert, kind=passed, member=member, channel=channel)
    alert.status = step
    alert.save(update_fields=["status"])
    return alert
