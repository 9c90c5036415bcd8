"""What a resident's subscription keywords do: ``ABONNER <commune>`` /
``DESABONNER <commune>`` for community warnings.

The words themselves are read by the one router (``commands.router``, keyword tables in
``commands.keywords``); focal points' answers to alerts (OK / EN ROUTE / SUR PLACE /
FIN) go from there to ``alerts.services.alert_record_step``.
"""

from __future__ import annotations

from alerts import community
from messaging import services as messaging
from messaging.models import Priority
from messaging.services import InboundSms
from places.models import Commune
from places.selectors import place_match
from veille.gsm7 import to_gsm7


def subscription(sms: InboundSms, *, language: str, subscribing: bool, place_text: str) -> None:
    """Residents choose to receive warnings for a commune, or stop. A place that is not
    recognised is answered as such; nothing is kept."""
    match = place_match(place_text) if place_text.strip() else None
    commune = Commune.objects.filter(pk=match.commune_id).first() if match and match.commune_id else None
    number = messaging.vault_lookup(pseudonym=sms.sender_pseudonym)
    if commune is None or number is None:
        messaging.outbound_enqueue_to_pseudonym(
            pseudonym=sms.sender_pseudonym,
            body=community.subscription_text("unknown_place", language),
            purpose="subscription",
            priority=Priority.NORMAL,
        )
        return
    place = to_gsm7(commune.name)
    if subscribing:
        community.subscribe(pseudonym=sms.sender_pseudonym, number=number, commune=commune, language=language)
        text = community.subscription_text("subscribed", language, place=place)
    else:
        community.unsubscribe(pseudonym=sms.sender_pseudonym, commune=commune)
        text = community.subscription_text("unsubscribed", language, place=place)
    messaging.outbound_enqueue(to_number=number, body=text, purpose="subscription", priority=Priority.NORMAL)
