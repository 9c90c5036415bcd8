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


def report_likely_matches(*, report: Report, member: Member, limit: int = 5) -> list[tuple[Report, float]]:
    """Reports that may describe the same incident: same commune (or cercle), within a
    day, a related category, similar words. Scored 0..1, best first."""
    if not (report.commune_id or report.cercle_id):
        return []
    window = timedelta(hours=24)
    candidates = (
        reports_visible_to(member)
        .exclude(pk=report.pk)
        .exclude(status=ReportStatus.CLOSED)
        .filter(received_at__gte=report.received_at - window, received_at__lte=report.received_at + window)
    )
    if report.commune_id:
        candidates = candidates.filter(commune_id=report.commune_id)
    else:
        candidates = candidates.filter(cercle_id=report.cercle_id)
    if report.incident_id:
        candidates = candidates.exclude(incident_id=report.incident_id)
    text = (report.description or "").lower()
    scored: list[tuple[Report, float]] = []
    for other in candidates[:50]:
        same_category = other.category == report.category or Category.UNCLASSIFIED in {other.category, report.category}
        similarity = difflib.SequenceMatcher(None, text, (other.description or "").lower()).ratio() if text else 0
        hours_apart = abs((other.received_at - report.received_at).total_seconds()) / 3600
        score = 0.4 * same_category + 0.4 * similarity + 0.2 * max(0.0, 1 - hours_apart / 24)
        scored.append((other, round(score, 2)))
    scored.sort(key=lambda item: item[1], reverse=True)
    return scored[:limit]


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
