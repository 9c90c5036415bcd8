"""Community alerts: subscriptions by SMS keyword and warnings sent with two people's
agreement. Writes only; the SMS keywords are parsed in ``alerts.sms``."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from alerts.models import CommunityAlert, CommunityAlertStatus, Subscription
from focal_points.models import Member, Role
from messaging import services as messaging
from messaging.models import Priority
from places.models import Commune
from veille.gsm7 import to_gsm7
from veille.phones import normalize_msisdn

COORDINATOR_ROLES = {Role.COORDINATOR, Role.NATIONAL_COORDINATOR}
SUBSCRIBE_TEXTS = {
    "subscribed": {
        "fr": "Veille: vous recevrez les alertes pour {place}. Pour arreter: DESABONNER {place}",
        "en": "Veille: you will receive alerts for {place}. To stop: UNSUBSCRIBE {place}",
        "bm": "Veille: {place} kunnafoniw bena na i ma. Ka a jo: DESABONNER {place}",
    },
    "unsubscribed": {
        "fr": "Veille: vous ne recevrez plus les alertes pour {place}.",
        "en": "Veille: you will no longer receive alerts for {place}.",
        "bm": "Veille: {place} kunnafoniw te na i ma tugun.",
    },
    "unknown_place": {
        "fr": "Veille: lieu inconnu. Ecrivez ABONNER suivi du nom de la commune.",
        "en": "Veille: unknown place. Send SUBSCRIBE followed by the commune's name.",
        "bm": "Veille: yoro in ma don. ABONNER ni komini togo ci.",
    },
}


class CommunityAlertError(Exception):
    pass


def subscription_text(key: str, language: str, **params: str) -> str:
    texts = SUBSCRIBE_TEXTS[key]
    return texts.get(language, texts["fr"]).format(**params)


def subscribe(*, pseudonym: str, number: str, commune: Commune, language: str) -> Subscription:
    canonical = normalize_msisdn(number) or number
    subscription, _ = Subscription.objects.update_or_create(
        pseudonym=pseudonym, commune=commune, defaults={"number": canonical, "language": language}
    )
    messaging.opt_in(pseudonym=pseudonym)
    return subscription


def unsubscribe(*, pseudonym: str, commune: Commune | None) -> int:
    subscriptions = Subscription.objects.filter(pseudonym=pseudonym)
    if commune is not None:
        subscriptions = subscriptions.filter(commune=commune)
    deleted, _ = subscriptions.delete()
    return deleted


@transaction.atomic
def community_alert_propose(*, member: Member, text: str, commune_ids: list[int]) -> CommunityAlert:
    if member.role not in COORDINATOR_ROLES:
        raise CommunityAlertError("seuls les coordinateurs proposent une alerte communautaire")
    text = to_gsm7(" ".join(text.split()))
    if not 10 <= len(text) <= 140:
        raise CommunityAlertError("le message doit faire entre 10 et 140 caractères")
    communes = list(Commune.objects.filter(pk__in=commune_ids))
    if not communes:
        raise CommunityAlertError("choisissez au moins une commune")
    alert = CommunityAlert.objects.create(text=text, created_by=member)
    alert.communes.set(communes)
    return alert


@transaction.atomic
def community_alert_decide(*, member: Member, alert_id: int, approve: bool) -> CommunityAlert:
    """A second coordinator approves (the alert goes out, paced, as bulk) or rejects."""
    alert = CommunityAlert.objects.select_for_update().get(pk=alert_id)
    if member.role not in COORDINATOR_ROLES:
        raise CommunityAlertError("seuls les coordinateurs approuvent une alerte communautaire")
    if alert.created_by_id == member.pk:
        raise CommunityAlertError("une deuxième personne doit approuver")
    if alert.status != CommunityAlertStatus.PENDING:
        raise CommunityAlertError("cette alerte a déjà été décidée")
    alert.approved_by = member
    alert.decided_at = timezone.now()
    alert.status = CommunityAlertStatus.APPROVED if approve else CommunityAlertStatus.REJECTED
    if approve:
        sent = 0
        subscribers = Subscription.objects.filter(commune__in=alert.communes.all()).order_by("pseudonym")
        seen: set[str] = set()
        for subscription in subscribers:
            if subscription.pseudonym in seen:
                continue
            seen.add(subscription.pseudonym)
            if messaging.outbound_enqueue(
                to_number=subscription.number,
                body=f"Veille: {alert.text}",
                purpose="community_alert",
                priority=Priority.BULK,
            ):
                sent += 1
        alert.recipients = sent
    alert.save(update_fields=["approved_by", "decided_at", "status", "recipients"])
    return alert
