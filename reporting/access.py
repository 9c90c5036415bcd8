"""Staff access to reports (reads): which reports may this staff member see?

Visibility is decided here, once, and every staff view and service goes through it:
a relay sees the reports of the areas they cover (gender-based violence only if trained
for it), a coordinator those of their regions, the national coordination all of them,
oversight, mediators and support services only what was routed to them. Focal points see
reports only through alerts (the relay's summary), never here.
"""

from __future__ import annotations

import difflib
from datetime import timedelta

from django.db.models import Q, QuerySet

from focal_points.models import Category, Member, Role
from focal_points.selectors import covered_by_areas
from reporting.models import Report, ReportRecipient, ReportStatus

AREA_ROLES = {Role.RELAY, Role.COORDINATOR}


def reports_visible_to(member: Member | None) -> QuerySet[Report]:
    if member is None or not member.is_active or not member.organisation.is_active:
        return Report.objects.none()
    if member.role == Role.NATIONAL_COORDINATOR:
        return Report.objects.all()
    # A subquery rather than a join: no DISTINCT over the whole table.
    routed = Q(pk__in=ReportRecipient.objects.filter(member=member).values("report_id"))
    if member.role not in AREA_ROLES:
        return Report.objects.filter(routed)
    covered = covered_by_areas(member, commune="commune_id", cercle="cercle_id", region="region_id")
    visible = Report.objects.filter(covered | routed)
    if member.role == Role.RELAY and not member.gbv_trained:
        visible = visible.exclude(category=Category.GBV)
    return visible


def report_for_member(*, member: Member | None, report_id: int) -> Report | None:
    """The report if this member may see it, else None (the caller answers 404)."""
    return reports_visible_to(member).filter(pk=report_id).first()


MATCH_WINDOW = timedelta(hours=24)
# Below this a proposal is noise: a different category with no words to compare.
MATCH_THRESHOLD = 0.5


def _same_place(a: Report, b: Report) -> bool:
    """Same commune; or same cercle when one of them gave no commune (USSD reporters may
    stop at the cercle)."""
    if a.commune_id and b.commune_id:
        return a.commune_id == b.commune_id
    return bool(a.cercle_id) and a.cercle_id == b.cercle_id


def match_score(a: Report, b: Report) -> float:
    """0..1: how likely two reports of the same place describe one incident. A USSD
    report has no text: then category and time decide, and words count for nothing
    rather than for a zero that would bury every USSD report."""
    same_category = a.category == b.category or Category.UNCLASSIFIED in {a.category, b.category}
    closeness = max(0.0, 1 - abs((a.received_at - b.received_at).total_seconds()) / MATCH_WINDOW.total_seconds())
    text_a, text_b = (a.description or "").lower(), (b.description or "").lower()
    if text_a and text_b:
        similarity = difflib.SequenceMatcher(None, text_a, text_b).ratio()
        score = 0.4 * same_category + 0.4 * similarity + 0.2 * closeness
    else:
        score = 0.6 * same_category + 0.4 * closeness
    return round(score, 2)


def _match_candidates(member: Member, *, since, until, communes: set[int], cercles: set[int]) -> QuerySet[Report]:
    return (
        reports_visible_to(member)
        .exclude(status=ReportStatus.CLOSED)
        .filter(received_at__gte=since, received_at__lte=until)
        .filter(Q(commune_id__in=communes) | Q(cercle_id__in=cercles))
    )


def _unlinked(a: Report, b: Report) -> bool:
    return a.pk != b.pk and not (a.incident_id and a.incident_id == b.incident_id)


def report_likely_matches(*, report: Report, member: Member, limit: int = 5) -> list[tuple[Report, float]]:
    """Reports that may describe the same incident: same commune (or cercle), within a
    day, a related category, similar words when both have some. Scored 0..1, best first."""
    if not (report.commune_id or report.cercle_id):
        return []
    candidates = _match_candidates(
        member,
        since=report.received_at - MATCH_WINDOW,
        until=report.received_at + MATCH_WINDOW,
        communes={report.commune_id} if report.commune_id else set(),
        cercles={report.cercle_id} if report.cercle_id else set(),
    ).exclude(pk=report.pk)
    scored = [
        (other, match_score(report, other))
        for other in candidates.order_by("-received_at")[:50]
        if _same_place(report, other) and _unlinked(report, other)
    ]
    scored = [item for item in scored if item[1] >= MATCH_THRESHOLD]
    scored.sort(key=lambda item: item[1], reverse=True)
    return scored[:limit]


def reports_likely_matches(*, reports: list[Report], member: Member) -> dict[int, list[tuple[Report, float]]]:
    """The proposals for a page of the inbox, in one query: for each open report of the
    page, the visible open reports that may be the same incident, best first."""
    placed = [r for r in reports if (r.commune_id or r.cercle_id) and r.status != ReportStatus.CLOSED]
    if not placed:
        return {}
    pool = list(
        _match_candidates(
            member,
            since=min(r.received_at for r in placed) - MATCH_WINDOW,
            until=max(r.received_at for r in placed) + MATCH_WINDOW,
            communes={r.commune_id for r in placed if r.commune_id},
            cercles={r.cercle_id for r in placed if r.cercle_id},
        ).order_by("-received_at")[:500]
    )
    proposals: dict[int, list[tuple[Report, float]]] = {}
    for report in placed:
        scored = [
            (other, match_score(report, other))
            for other in pool
            if _unlinked(report, other)
            and _same_place(report, other)
            and abs(other.received_at - report.received_at) <= MATCH_WINDOW
        ]
        scored = sorted((item for item in scored if item[1] >= MATCH_THRESHOLD), key=lambda i: i[1], reverse=True)
        if scored:
            proposals[report.pk] = scored[:3]
    return proposals


def members_whose_trail_is_visible_to(member: Member) -> QuerySet[Member]:
    """Coordinators read the trail of the members of their regions; the national
    coordination, everyone's. Nobody else reads trails."""
    if member.role == Role.NATIONAL_COORDINATOR:
        return Member.objects.all()
    if member.role != Role.COORDINATOR:
        return Member.objects.none()
    regions = [a.region_id for a in member.areas.all() if a.region_id]
    cercles_regions = Q(areas__region_id__in=regions) | Q(areas__cercle__region_id__in=regions)
    return Member.objects.filter(cercles_regions | Q(areas__commune__cercle__region_id__in=regions)).distinct()
