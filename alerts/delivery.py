"""When an alert's SMS finally fails (after retries, or the provider reports it
undelivered), the relay who forwarded it is told, and the step is recorded."""

from __future__ import annotations

from alerts.models import Alert, AlertEvent, AlertEventKind
from messaging import services as messaging
from messaging.models import OutboundMessage, Priority
from reporting.texts import PLACE_MAX_CHARS, member_language, staff_text
from veille.gsm7 import to_gsm7


def on_outbound_failed(message: OutboundMessage) -> None:
    alert = Alert.objects.select_related("focal_point", "forwarded_by").filter(outbound=message).first()
    if alert is None:
        return
    AlertEvent.objects.create(alert=alert, kind=AlertEventKind.DELIVERY_FAILED, channel="system")
    relay = alert.forwarded_by
    if relay.phone:
        messaging.outbound_enqueue(
            to_number=relay.phone,
            body=staff_text(
                "alert_failed",
                member_language(relay),
                ref=alert.reference,
                name=to_gsm7(alert.focal_point.name)[:PLACE_MAX_CHARS],
            ),
            purpose="alert_failed",
            priority=Priority.URGENT,
        )
