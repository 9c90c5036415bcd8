"""Focal points answer alerts from a feature phone.

    OK K7M2          acknowledge          (bare OK: their latest open alert)
    EN ROUTE K7M2    on the way           (ENROUTE, EN-ROUTE, ON MY WAY, SIRA KAN)
    SUR PLACE K7M2   on site              (SURPLACE, ON SITE, ARRIVED, SE RA)
    FIN K7M2         response finished    (END, DONE, TERMINE, BANNA)

Parsing forgives case, accents, punctuation, "R-" before the reference and a missing
space. An SMS from an unknown number, or about someone else's alert, changes nothing
and says so. Listed first in ``settings.INBOUND_SMS_HANDLERS``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from alerts import community, services
from focal_points.models import Member, Role
from messaging import services as messaging
from messaging.models import Priority
from messaging.services import InboundSms
from places.models import Commune
from places.normalize import fold
from places.selectors import place_match
from veille.gsm7 import to_gsm7

# Longest phrases first so "en route" wins over a lone "en".
PHRASES: list[tuple[str, str]] = sorted(
    [
        ("ok", "acknowledged"),
        ("okay", "acknowledged"),
        ("recu", "acknowledged"),
        ("ack", "acknowledged"),
        ("en route", "en_route"),
        ("enroute", "en_route"),
        ("on my way", "en_route"),
        ("sira kan", "en_route"),
        ("sur place", "on_site"),
        ("surplace", "on_site"),
        ("on site", "on_site"),
        ("arrived", "on_site"),
        ("se ra", "on_site"),
        ("fin", "done"),
        ("termine", "done"),
        ("done", "done"),
        ("end", "done"),
        ("banna", "done"),
    ],
    key=lambda item: -len(item[0]),
)
# References use the receipt alphabet (no O/0, I/1, L, S/5, B/8, Z/2), which keeps words
# like "endroit" from reading as "END ROIT". "R" is in that alphabet, so "RK7MA" may be
# the reference "RK7MA" or "R" + "K7MA": both readings are kept and resolved against the
# sender's own alerts (``alert_record_step``).
_CODE = "[acdefghjkmnpqrtuvwxy34679]{4,8}"
_PLAIN = re.compile(rf"^({_CODE})$")
# "R-K7MA" or "R K7MA": a lone R word before the code is the prefix, without doubt.
_SEPARATE_PREFIX = re.compile(rf"(?:^|\s)r\s({_CODE})$")


@dataclass(frozen=True)
class AlertCommand:
    step: str
    # The reference as most literally read ("" for a bare command)...
    reference: str = ""
    # ...and the other reading, with a leading "R" taken as the "R-" prefix.
    alternatives: tuple[str, ...] = ()


def _readings(text: str, spaced: str) -> tuple[str, ...]:
    """Every reference ``text`` (the message after its command word, spaces removed) can
    be, most literal first; () when it is none. ``spaced`` is the whole folded message."""
    separate = _SEPARATE_PREFIX.search(spaced)
    if separate and text == "r" + separate.group(1):
        return (separate.group(1).upper(),)
    if not _PLAIN.match(text):
        return ()
    readings = [text.upper()]
    if text.startswith("r") and _PLAIN.match(text[1:]):
        readings.append(text[1:].upper())
    return tuple(readings)


def parse_alert_command(body: str) -> AlertCommand | None:
    spaced = fold(body)
    compact = spaced.replace(" ", "")
    for phrase, step in PHRASES:
        key = phrase.replace(" ", "")
        if compact == key:
            return AlertCommand(step)
        if compact.startswith(key):
            readings = _readings(compact[len(key) :], spaced)
            if readings:
                return AlertCommand(step, readings[0], readings[1:])
    return None


def _reply_to_member(member: Member, text: str) -> None:
    if member.phone:
        messaging.outbound_enqueue(to_number=member.phone, body=text, purpose="alert_reply", priority=Priority.URGENT)


SUBSCRIBE_WORDS = {"abonner": "fr", "abonnement": "fr", "subscribe": "en", "sabonne": "bm"}
UNSUBSCRIBE_WORDS = {"desabonner": "fr", "unsubscribe": "en"}


def _handle_subscription(sms: InboundSms) -> bool:
    """ABONNER <commune> / DESABONNER <commune>: residents choose to receive warnings."""
    first, _, rest = fold(sms.body).partition(" ")
    if first in SUBSCRIBE_WORDS:
        language, subscribing = SUBSCRIBE_WORDS[first], True
    elif first in UNSUBSCRIBE_WORDS and rest.strip():
        language, subscribing = UNSUBSCRIBE_WORDS[first], False
    else:
        return False
    match = place_match(rest)
    commune = Commune.objects.filter(pk=match.commune_id).first() if match and match.commune_id else None
    number = messaging.vault_lookup(pseudonym=sms.sender_pseudonym)
    if commune is None or number is None:
        messaging.outbound_enqueue_to_pseudonym(
            pseudonym=sms.sender_pseudonym,
            body=community.subscription_text("unknown_place", language),
            purpose="subscription",
            priority=Priority.NORMAL,
        )
        return True
    place = to_gsm7(commune.name)
    if subscribing:
        community.subscribe(pseudonym=sms.sender_pseudonym, number=number, commune=commune, language=language)
        text = community.subscription_text("subscribed", language, place=place)
    else:
        community.unsubscribe(pseudonym=sms.sender_pseudonym, commune=commune)
        text = community.subscription_text("unsubscribed", language, place=place)
    messaging.outbound_enqueue(to_number=number, body=text, purpose="subscription", priority=Priority.NORMAL)
    return True


def handle_alert_sms(sms: InboundSms) -> bool:
    if _handle_subscription(sms):
        return True
    command = parse_alert_command(sms.body)
    if command is None:
        return False
    member = (
        Member.objects.select_related("organisation")
        .filter(phone_pseudonym=sms.sender_pseudonym, is_active=True)
        .first()
    )
    if member is None:
        if not command.reference or not any(
            services.alert_reference_exists(reference) for reference in (command.reference, *command.alternatives)
        ):
            return False  # a resident's "ok" or "fin de l'attaque" is just a message
        # Someone unknown quoting a reference: change nothing, say so, keep no report.
        messaging.outbound_enqueue_to_pseudonym(
            pseudonym=sms.sender_pseudonym,
            body="Veille: numero non reconnu. Rien n'a ete modifie.",
            purpose="alert_reply",
            priority=Priority.NORMAL,
        )
        return True
    if member.role not in {Role.FOCAL_POINT, Role.COMMANDER, Role.COORDINATOR, Role.NATIONAL_COORDINATOR}:
        return False
    try:
        alert = services.alert_record_step(
            member=member,
            reference=command.reference,
            alternatives=command.alternatives,
            step=command.step,
            channel="sms",
        )
    except services.AlertStepError as exc:
        _reply_to_member(member, f"Veille: {exc}. Rien n'a ete modifie.")
        return True
    _reply_to_member(member, f"Veille R-{alert.reference}: {services.STEP_WORDS[command.step]} enregistre. Merci.")
    return True
