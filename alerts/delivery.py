"""When an alert's SMS finally fails (after retries, or the provider reports it
undelivered), the relay who forwarded it is told, and the step is recorded."""

from __future__ import annotations

from alerts.models import Alert, AlertEvent, AlertEventKind
from messaging import services as messaging
from messaging.models import OutboundMessage, Priority
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
            body=f"Veille R-{alert.reference}: alerte NON remise a {to_gsm7(alert.focal_point.name)[:40]}. "
            "Transmettez a un autre point focal.",
            purpose="alert_failed",
            priority=Priority.URGENT,
        )
