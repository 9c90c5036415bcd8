"""Reads for community alerts: which communes a coordinator may warn, which alerts they
may see and decide, and how many subscribed residents each would reach.

A regional coordinator covers the communes of their areas (a whole region, a cercle or
a single commune, as ``focal_points.Area`` models them); the national coordination
covers every commune; nobody else covers any. The same rule serves the page and the
services, so a form cannot offer what the service would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, QuerySet
from django.utils import timezone

from alerts.models import CommunityAlert, CommunityAlertStatus, Subscription
from focal_points.models import Member, Role
from focal_points.selectors import covered_by_areas
from places.models import Commune

COORDINATOR_ROLES = {Role.COORDINATOR, Role.NATIONAL_COORDINATOR}


def communes_covered_by(member: Member) -> QuerySet[Commune]:
    if member.role == Role.NATIONAL_COORDINATOR:
        return Commune.objects.all()
    if member.role != Role.COORDINATOR:
        return Commune.objects.none()
    return Commune.objects.filter(
        covered_by_areas(member, commune="pk", cercle="cercle_id", region="cercle__region_id")
    )


def community_alerts_visible_to(member: Member) -> QuerySet[CommunityAlert]:
    """Alerts whose every commune the member covers: a regional coordinator neither sees
    nor decides a warning that would also reach residents outside their areas."""
    if member.role == Role.NATIONAL_COORDINATOR:
        return CommunityAlert.objects.all()
    if member.role != Role.COORDINATOR:
        return CommunityAlert.objects.none()
    outside = Commune.objects.exclude(pk__in=communes_covered_by(member).values("pk"))
    return CommunityAlert.objects.exclude(communes__in=outside)


def subscriber_counts(communes: QuerySet[Commune]) -> dict[int, int]:
    """Subscribed residents per commune (a resident counts once per commune)."""
    rows = (
        Subscription.objects.filter(commune__in=communes)
        .values("commune_id")
        .annotate(n=Count("pseudonym", distinct=True))
        .values_list("commune_id", "n")
    )
    return dict(rows)


def reach(alert: CommunityAlert) -> int:
    """Residents an alert would reach: subscribed to any of its communes, each once (as
    the service sends). Residents who opted out of SMS are still counted here."""
    return Subscription.objects.filter(commune__in=alert.communes.all()).values("pseudonym").distinct().count()


@dataclass(frozen=True)
class CommuneChoice:
    pk: int
    name: str
    subscribers: int


@dataclass(frozen=True)
class CercleGroup:
    name: str
    region: str
    communes: list[CommuneChoice]


def commune_choices(member: Member) -> tuple[list[CercleGroup], int]:
    """The communes a member may warn that have at least one subscriber, grouped by
    cercle; and how many covered communes have none (nobody there would get the SMS)."""
    covered = communes_covered_by(member)
    counts = subscriber_counts(covered)
    groups: dict[int, CercleGroup] = {}
    for commune in (
        covered.filter(pk__in=list(counts))
        .select_related("cercle__region")
        .order_by("cercle__region__name", "cercle__name", "name")
    ):
        group = groups.setdefault(
            commune.cercle_id, CercleGroup(name=commune.cercle.name, region=commune.cercle.region.name, communes=[])
        )
        group.communes.append(CommuneChoice(commune.pk, commune.name, counts[commune.pk]))
    return list(groups.values()), covered.count() - len(counts)


def community_alerts_for_page(member: Member, *, recent: int = 20) -> tuple[list[CommunityAlert], list[CommunityAlert]]:
    """Pending alerts (oldest first: they wait longest) and the latest decided ones, with
    their communes, people and trail loaded."""
    alerts = community_alerts_visible_to(member).select_related("created_by", "approved_by")
    alerts = alerts.prefetch_related("communes", "events__member")
    pending = list(alerts.filter(status=CommunityAlertStatus.PENDING).order_by("created_at", "pk")[:50])
    decided = list(alerts.exclude(status=CommunityAlertStatus.PENDING).order_by("-decided_at", "-pk")[:recent])
    now = timezone.now()
    for alert in pending:
        alert.reach = reach(alert)  # type: ignore[attr-defined]
        alert.just_now = now - alert.created_at < timedelta(minutes=1)  # type: ignore[attr-defined]
    return pending, decided
