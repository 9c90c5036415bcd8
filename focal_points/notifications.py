"""Coordinators are told when a gateway phone goes down (``GATEWAY_DOWN_HANDLERS``).

The SMS goes through the outbound queue like any other; routing skips the phone that is
down, so it leaves by the next provider of the route (Twilio). The staff pages show the
same warning in a banner for as long as the phone stays down.
"""

from __future__ import annotations

from focal_points.models import Member, Role
from messaging import services as messaging
from messaging.models import GatewayDevice, Priority
from veille.catalogue import TextTable, pgettext_lazy, register
from veille.gsm7 import to_gsm7

TEXTS = register(
    pgettext_lazy(
        "gateway.down",
        "Veille: le téléphone passerelle {device} ne répond plus ({reason}). Les SMS passent "
        "par un autre fournisseur. Vérifiez batterie, réseau.",
    )
)
REASONS = TextTable(
    "gateway.reason",
    {
        "no ping": pgettext_lazy("gateway.reason.no ping", "muet"),
        "send failures": pgettext_lazy("gateway.reason.send failures", "envois en échec"),
    },
)
DEVICE_CHARS = 20


def gateway_down_text(device: GatewayDevice, language: str) -> str:
    language = language if language in TEXTS else "fr"
    reason = REASONS[device.down_reason][language] if device.down_reason in REASONS else device.down_reason
    return to_gsm7(TEXTS[language].format(device=(device.device_id or "principal")[:DEVICE_CHARS], reason=reason))


def gateway_down(device: GatewayDevice) -> int:
    """SMS every active coordinator with a phone; returns how many were queued."""
    coordinators = Member.objects.filter(
        is_active=True, role__in=[Role.COORDINATOR, Role.NATIONAL_COORDINATOR]
    ).exclude(phone__isnull=True)
    queued = 0
    for member in coordinators:
        if not member.phone:
            continue
        language = (member.language_list or ["fr"])[0]
        if messaging.outbound_enqueue(
            to_number=member.phone,
            body=gateway_down_text(device, language),
            purpose="gateway_down",
            priority=Priority.URGENT,
        ):
            queued += 1
    return queued
