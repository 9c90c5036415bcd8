"""Who was alerted about one report: the report page's "Alertes transmises" section.

Read only. It lives in alerts/ because reporting/ knows no alert: the report page asks for
it through the ``report_alerts`` template tag, so reporting's Python never imports alerts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from alerts.models import Alert, AlertEventKind, AlertStatus
from messaging.models import OutboundStatus

# How an alert SMS stands, in a relay's words.
DELIVERY_WORDS = {
    OutboundStatus.QUEUED: "SMS en attente d'envoi",
    OutboundStatus.SENDING: "SMS en cours d'envoi",
    OutboundStatus.SENT: "SMS envoyé, remise pas encore confirmée",
    OutboundStatus.DELIVERED: "SMS remis",
    OutboundStatus.UNDELIVERED: "SMS non remis",
    OutboundStatus.FAILED: "SMS en échec",
    OutboundStatus.CANCELLED: "SMS annulé",
}
DELIVERY_BAD = {OutboundStatus.UNDELIVERED, OutboundStatus.FAILED, OutboundStatus.CANCELLED}
CHANNEL_WORDS = {"sms": "par SMS", "web": "sur le site", "ussd": "par USSD", "voice": "par appel vocal"}


@dataclass(frozen=True)
class AlertLine:
    pk: int
    focal_point: str
    organisation: str
    status: str
    channel: str
    delivery: str
    delivery_bad: bool
    forwarded_at: datetime
    acknowledged_at: datetime | None
    acknowledged_channel: str
    escalated_at: datetime | None
    escalated_to: list[str]
    escalated_from: str
    level: int


def report_alert_lines(*, report_id: int) -> list[AlertLine]:
    """Every alert of the report, oldest first, with delivery, acknowledgement, escalation."""
    alerts = list(
        Alert.objects.filter(report_id=report_id)
        .select_related("focal_point__organisation", "outbound", "escalated_from__focal_point")
        .prefetch_related("events")
        .order_by("created_at", "pk")
    )
    onwards: dict[int, list[str]] = {}
    for alert in alerts:
        if alert.escalated_from_id:
            onwards.setdefault(alert.escalated_from_id, []).append(alert.focal_point.name)
    lines = []
    for alert in alerts:
        ack = next((e for e in alert.events.all() if e.kind == AlertEventKind.ACKNOWLEDGED), None)
        if alert.outbound_id:
            channel, delivery = "par SMS et sur le site", DELIVERY_WORDS.get(alert.outbound.status, "")
            bad = alert.outbound.status in DELIVERY_BAD
        else:
            channel, delivery, bad = "sur le site seulement", "aucun SMS (pas de numéro ou SMS désactivé)", False
        if any(e.kind == AlertEventKind.DELIVERY_FAILED for e in alert.events.all()):
            delivery, bad = "SMS non remis", True
        lines.append(
            AlertLine(
                pk=alert.pk,
                focal_point=alert.focal_point.name,
                organisation=alert.focal_point.organisation.name,
                status=str(AlertStatus(alert.status).label),
                channel=channel,
                delivery=delivery,
                delivery_bad=bad,
                forwarded_at=alert.created_at,
                acknowledged_at=ack.at if ack else None,
                acknowledged_channel=CHANNEL_WORDS.get(ack.channel, "") if ack else "",
                escalated_at=alert.escalated_at,
                escalated_to=onwards.get(alert.pk, []),
                escalated_from=alert.escalated_from.focal_point.name if alert.escalated_from_id else "",
                level=alert.escalation_level,
            )
        )
    return lines
