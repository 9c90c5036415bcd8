"""Community alerts: subscriptions by SMS keyword and warnings sent with two people's
agreement. Writes only; the SMS keywords are parsed in ``alerts.sms``."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from alerts.community_selectors import COORDINATOR_ROLES, communes_covered_by, community_alerts_visible_to
from alerts.models import (
    CommunityAlert,
    CommunityAlertEvent,
    CommunityAlertEventKind,
    CommunityAlertStatus,
    Subscription,
)
from focal_points.models import Member
from messaging import services as messaging
from messaging.models import Priority
from places.models import Commune
from veille.gsm7 import to_gsm7
from veille.phones import normalize_msisdn

SUBSCRIBE_TEXTS = {
    "subscribed": {
        "fr": "Veille: vous recevrez les alertes pour {place}. Pour arrêter: DESABONNER {place}",
        "en": "Veille: you will receive alerts for {place}. To stop: UNSUBSCRIBE {place}",
        "bm": "Veille: {place} kunnafoniw bena na i ma. Ka a jo: DESABONNER {place}",
    },
    "unsubscribed": {
        "fr": "Veille: vous ne recevrez plus les alertes pour {place}.",
        "en": "Veille: you will no longer receive alerts for {place}.",
        "bm": "Veille: {place} kunnafoniw te na i ma tugun.",
    },
    "unknown_place": {
        "fr": "Veille: lieu inconnu. Écrivez ABONNER suivi du nom de la commune.",
        "en": "Veille: unknown place. Send SUBSCRIBE followed by the commune's name.",
        "bm": "Veille: yoro in ma don. ABONNER ni komini togo ci.",
    },
}


# One SMS: 140 characters plus the "Veille: " prefix stay within a 160-septet segment.
TEXT_MIN, TEXT_MAX = 10, 140


class CommunityAlertError(Exception):
    pass


class CommunityAlertNotVisible(CommunityAlertError):
    """No such alert for this member (or outside their areas): pages answer 404."""


def subscription_text(key: str, language: str, **params: str) -> str:
    texts = SUBSCRIBE_TEXTS[key]
    return to_gsm7(texts.get(language, texts["fr"]).format(**params))


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


def on_opt_out(pseudonym: str) -> None:
    """``STOP`` ends every subscription and its number with it (``OPT_OUT_HANDLERS``)."""
    unsubscribe(pseudonym=pseudonym, commune=None)


def community_alert_text(text: str) -> str:
    """The text as it will be sent: spaces collapsed, characters outside GSM-7 replaced,
    so that it fits one SMS after the "Veille: " prefix."""
    return to_gsm7(" ".join(text.split()))


@transaction.atomic
def community_alert_propose(*, member: Member, text: str, commune_ids: list[int]) -> CommunityAlert:
    """A coordinator proposes a warning for communes they cover; nothing is sent yet."""
    if member.role not in COORDINATOR_ROLES:
        raise CommunityAlertError(gettext("seuls les coordinateurs proposent une alerte communautaire"))
    text = community_alert_text(text)
    if not TEXT_MIN <= len(text) <= TEXT_MAX:
        raise CommunityAlertError(gettext("le message doit faire entre 10 et 140 caractères"))
    wanted = set(commune_ids)
    if not wanted:
        raise CommunityAlertError(gettext("choisissez au moins une commune"))
    communes = list(communes_covered_by(member).filter(pk__in=wanted))
    if len(communes) != len(wanted):
        raise CommunityAlertError(gettext("vous ne pouvez alerter que les communes de vos zones"))
    alert = CommunityAlert.objects.create(text=text, created_by=member)
    alert.communes.set(communes)
    CommunityAlertEvent.objects.create(alert=alert, kind=CommunityAlertEventKind.PROPOSED, member=member)
    return alert


@transaction.atomic
def community_alert_decide(*, member: Member, alert_id: int, approve: bool) -> CommunityAlert:
    """A second coordinator approves (the alert goes out, paced, as bulk) or rejects."""
    if member.role not in COORDINATOR_ROLES:
        raise CommunityAlertError(gettext("seuls les coordinateurs approuvent une alerte communautaire"))
    # Locked, and only if every commune is within the member's areas: a regional
    # coordinator cannot send a warning to residents of another region.
    alert = community_alerts_visible_to(member).select_for_update().filter(pk=alert_id).first()
    if alert is None:
        raise CommunityAlertNotVisible(gettext("alerte introuvable ou hors de vos zones"))
    if alert.created_by_id == member.pk:
        raise CommunityAlertError(gettext("une deuxième personne doit approuver"))
    if alert.status != CommunityAlertStatus.PENDING:
        raise CommunityAlertError(gettext("cette alerte a déjà été décidée"))
    alert.approved_by = member
    alert.decided_at = timezone.now()
    alert.status = CommunityAlertStatus.APPROVED if approve else CommunityAlertStatus.REJECTED
    if approve:
        # One SMS per resident, however many of the communes they subscribed to (the
        # bulk queue skips repeated numbers); a thousand take well under a second (P5).
        subscribers = Subscription.objects.filter(commune__in=alert.communes.all())
        recipients = [(subscription.number, f"Veille: {alert.text}") for subscription in subscribers]
        queued = messaging.outbound_enqueue_many(messages=recipients, purpose="community_alert", priority=Priority.BULK)
        alert.recipients = len(queued)
    alert.save(update_fields=["approved_by", "decided_at", "status", "recipients"])
    CommunityAlertEvent.objects.create(
        alert=alert,
        kind=CommunityAlertEventKind.APPROVED if approve else CommunityAlertEventKind.REJECTED,
        member=member,
    )
    return alert
