"""Sixty days of demo history, so the map, the dashboards and the trails show figures.

Everything goes through the real services (report_submit, triage, alert_forward,
alert_record_step, alert_escalate, community alerts) with the clock set back, so every
event row, response time and escalation is what the platform itself would have recorded.
The SMS these steps queue are marked delivered at once: the demo's worker must not send
two months of old alerts to the simulator. Deterministic (a fixed seed), and only ever run
on an empty database (demo_setup checks).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from unittest import mock

from django.db import transaction
from django.utils import timezone

from alerts import community
from alerts.models import Alert
from alerts.services import alert_escalate, alert_forward, alert_record_step
from focal_points.models import Category, Member
from focal_points.selectors import Place, focal_points_for
from messaging.models import Channel, OutboundMessage, OutboundStatus
from places.models import Commune
from reporting import triage
from reporting.access import report_for_member
from reporting.accusations import report_conflict
from reporting.models import CloseReason, OccurredPeriod, PeopleAffected, Report
from reporting.services import PlaceChoice, report_submit

DAYS = 60
SEED = 14
TEXTS = {
    Category.ARMED_ATTACK: [
        "Des hommes armes ont tire pres du marche, des blesses.",
        "Attaque d'un campement la nuit.",
    ],
    Category.ROBBERY: ["Des bandits ont pris les motos sur la route du marche.", "Vol de betail au puits."],
    Category.THREAT: ["Des inconnus ont menace le chef de village.", "Lettres de menace deposees a l'ecole."],
    Category.ARMED_PRESENCE: [
        "Une colonne de motos armees vers l'est ce matin.",
        "Hommes armes installes pres du gue.",
    ],
    Category.EXPLOSIVE: ["Engin suspect sur la piste, au km 8.", "Explosion sur la route, un vehicule touche."],
    Category.KIDNAPPING: ["Deux commercants enleves sur la route de la foire."],
    Category.FORCE_ABUSE: ["Au poste de controle, des hommes en uniforme ont pris de l'argent."],
    Category.INTERCOMMUNITY: ["Tension entre eleveurs et agriculteurs pres du champ.", "Dispute fonciere, menaces."],
    Category.DISPLACEMENT: ["Des familles arrivent du nord, sans abri.", "Village vide depuis hier, les gens partent."],
    Category.OTHER: ["Rumeurs d'attaque, les gens ont peur."],
}
WEIGHTS = {
    Category.ARMED_ATTACK: 4,
    Category.ROBBERY: 5,
    Category.THREAT: 3,
    Category.ARMED_PRESENCE: 5,
    Category.EXPLOSIVE: 2,
    Category.KIDNAPPING: 1,
    Category.FORCE_ABUSE: 1,
    Category.INTERCOMMUNITY: 3,
    Category.DISPLACEMENT: 2,
    Category.OTHER: 1,
}
SEVERITY = {
    Category.ARMED_ATTACK: "critical",
    Category.EXPLOSIVE: "critical",
    Category.KIDNAPPING: "critical",
    Category.ARMED_PRESENCE: "high",
    Category.ROBBERY: "high",
    Category.FORCE_ABUSE: "high",
}
SUMMARIES = {
    Category.ARMED_ATTACK: "Attaque armee signalee, blesses possibles. A verifier sur place.",
    Category.ROBBERY: "Vol signale sur la route. Auteurs partis.",
    Category.THREAT: "Menaces contre des habitants signalees.",
    Category.ARMED_PRESENCE: "Presence d'hommes armes signalee ce jour.",
    Category.EXPLOSIVE: "Engin explosif suspect signale sur une piste.",
    Category.KIDNAPPING: "Enlevement signale sur une route.",
    Category.FORCE_ABUSE: "Abus signale a un poste de controle.",
    Category.INTERCOMMUNITY: "Tension entre communautes signalee.",
    Category.DISPLACEMENT: "Arrivee de familles deplacees signalee.",
    Category.OTHER: "Inquietude signalee par des habitants.",
}


def _at(moment: datetime):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def _actor(report: Report, relays: list[Member], coordinator: Member) -> Member:
    """A relay of the report's commune when there is one, otherwise the coordinator."""
    for relay in relays:
        if report_for_member(member=relay, report_id=report.pk) is not None:
            return relay
    return coordinator


def history_build(*, now: datetime | None = None) -> dict[str, int]:
    # The SMS of the history are marked delivered below: publishing a send task for each
    # would only leave the demo's worker a backlog of no-op tasks (about 200) that the
    # first simulated SMS of `make run` then waits behind.
    with mock.patch("messaging.services.enqueue_after_commit"):
        return _history_build(now=now)


@transaction.atomic
def _history_build(*, now: datetime | None = None) -> dict[str, int]:
    rng = random.Random(SEED)
    now = now or timezone.now()
    coordinator = Member.objects.get(name="Mariam Traoré")
    national = Member.objects.get(name="Ibrahim Keita")
    relays = list(Member.objects.filter(role="relay", is_active=True).order_by("pk"))
    communes = list(Commune.objects.filter(cercle__region__name="Mopti").order_by("pk"))
    # Where the relays are, more reports: a network reports what it sees.
    busy = [c for c in communes if c.name in {"Dangol-Boré", "Douentza", "Mopti", "Socoura", "Hombori"}]
    categories = list(WEIGHTS)
    first_outbound = OutboundMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    counts = {"reports": 0, "forwarded": 0, "acknowledged": 0, "escalated": 0, "closed": 0}

    for day in range(DAYS, 0, -1):
        for _ in range(rng.choice([1, 1, 2, 2, 3])):
            moment = now - timedelta(days=day, hours=rng.randint(0, 12), minutes=rng.randint(0, 59))
            category = rng.choices(categories, weights=[WEIGHTS[c] for c in categories])[0]
            commune = rng.choice(busy) if rng.random() < 0.6 else rng.choice(communes)
            channel = Channel.USSD if rng.random() < 0.3 else Channel.WEB
            with _at(moment):
                report = report_submit(
                    channel=channel,
                    description="" if channel == Channel.USSD else rng.choice(TEXTS[category]),
                    category=category,
                    place=PlaceChoice(commune_id=commune.pk),
                    occurred=rng.choice([OccurredPeriod.NOW, OccurredPeriod.TODAY, OccurredPeriod.YESTERDAY]),
                    people_affected=rng.choice(PeopleAffected.values),
                ).report
            counts["reports"] += 1
            _walk(rng, report, moment, day, _actor(report, relays, coordinator), counts)

    _community_alerts(rng, now, coordinator, national)
    # Old alerts and notices are history, not work for the demo's worker.
    OutboundMessage.objects.filter(pk__gt=first_outbound, status=OutboundStatus.QUEUED).update(
        status=OutboundStatus.DELIVERED
    )
    return counts


def _walk(rng: random.Random, report: Report, received: datetime, day: int, relay: Member, counts: dict) -> None:
    """Take one report as far as its age and luck allow: recent ones are still open."""
    stage = rng.random() * min(1.0, 0.35 + day / 20)
    if stage < 0.12:
        return  # received, nobody yet
    t = received + timedelta(minutes=rng.randint(3, 90))
    with _at(t):
        triage.report_claim(member=relay, report_id=report.pk)
        triage.report_set_verification(
            member=relay, report_id=report.pk, verification=rng.choice(["verified", "verified", "unverifiable"])
        )
        severity = SEVERITY.get(report.category, rng.choice(["low", "medium"]))
        triage.report_classify(member=relay, report_id=report.pk, severity=severity)
    if stage < 0.25:
        return  # in review
    if stage < 0.4 or report.category in (Category.OTHER, Category.DISPLACEMENT):
        with _at(t + timedelta(minutes=rng.randint(10, 120))):
            triage.report_close(
                member=relay,
                report_id=report.pk,
                reason=rng.choice([CloseReason.DUPLICATE, CloseReason.FALSE, CloseReason.OUT_OF_SCOPE]),
            )
        counts["closed"] += 1
        return
    t += timedelta(minutes=rng.randint(2, 20))
    report.refresh_from_db()
    targets = focal_points_for(
        place=Place(report.commune_id, report.cercle_id, report.region_id), conflict=report_conflict(report=report)
    )
    if not targets:
        return
    with _at(t):
        triage.report_summarise(member=relay, report_id=report.pk, summary=SUMMARIES[report.category])
        alert = alert_forward(member=relay, report_id=report.pk, focal_point_ids=[targets[0].pk])[0]
    counts["forwarded"] += 1
    answering: Alert | None = alert
    if rng.random() < 0.2:
        with _at(t + timedelta(minutes=rng.randint(16, 40))):
            answering = alert_escalate(alert_id=alert.pk)
        counts["escalated"] += 1
        if answering is None:
            return
        t += timedelta(minutes=20)
    if rng.random() < 0.1:
        return  # never acknowledged
    t += timedelta(minutes=rng.choice([2, 4, 6, 9, 12, 18, 25, 40, 70]))
    member = answering.focal_point
    with _at(t):
        alert_record_step(member=member, reference=report.reference, step="acknowledged", channel="sms")
    counts["acknowledged"] += 1
    for step in ("en_route", "on_site", "done"):
        if rng.random() < 0.25:
            break
        t += timedelta(minutes=rng.randint(15, 180))
        with _at(t):
            alert_record_step(member=member, reference=report.reference, step=step, channel="sms")
    if day > 3 and rng.random() < 0.8:
        with _at(t + timedelta(hours=rng.randint(2, 30))):
            triage.report_close(member=relay, report_id=report.pk, reason=CloseReason.RESOLVED)
        counts["closed"] += 1


def _community_alerts(rng: random.Random, now: datetime, coordinator: Member, national: Member) -> None:
    """Two approved, one refused, and one waiting for a second coordinator (the demo's
    'coordination' account can approve it: the two-person rule, tried for real)."""
    douentza = list(Commune.objects.filter(cercle__name="Douentza").values_list("pk", flat=True)[:3])
    mopti = list(Commune.objects.filter(name__in=["Mopti", "Socoura"]).values_list("pk", flat=True))
    plans = [
        (40, douentza, "Route Douentza-Boni: engins explosifs signales. Evitez la piste du km 8 a 15.", True),
        (21, mopti, "Marche de Socoura: tensions signalees. Restez prudents et suivez les autorites.", True),
        (9, douentza, "Rumeur d'attaque a Boni: aucune confirmation. Ne partagez pas les rumeurs.", False),
        (0, mopti, "Hommes armes signales au nord de Socoura ce soir. Evitez les deplacements de nuit.", None),
    ]
    for days_ago, communes, text, approve in plans:
        moment = now - timedelta(days=days_ago, hours=2 if days_ago else 0, minutes=rng.randint(0, 30))
        with _at(moment):
            alert = community.community_alert_propose(member=coordinator, text=text, commune_ids=communes)
        if approve is not None:
            with _at(moment + timedelta(minutes=rng.randint(5, 40))):
                community.community_alert_decide(member=national, alert_id=alert.pk, approve=approve)
