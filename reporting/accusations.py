"""The conflict-of-interest rule, kept for good: which forces a report accuses, read from
its whole history, and the two-person clearing of an accusation.

Every accusation is a ``ReportAccusation`` row, written whenever one is made: the
resident choosing "abuse by forces", a relay naming a force or moving a report into that
category. Rows are only inserted. Routing reads all of them, so a later edit of the
report's fields (clearing the force, reclassifying as an armed attack) changes nothing
about who may receive it. An accusation is lifted only by an ``AccusationClearance`` that
a coordinator other than the requester approves; both steps are event rows.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from focal_points.models import Category, Member, Role
from focal_points.selectors import Conflict
from reporting.access import report_for_member
from reporting.models import (
    AccusationClearance,
    AccusationSource,
    ClearanceStatus,
    Report,
    ReportAccusation,
    ReportEvent,
    ReportEventKind,
)
from veille.timeutil import now_minute

# Who decides a clearance: a coordinator, never the person who asked for it.
APPROVER_ROLES = {Role.COORDINATOR, Role.NATIONAL_COORDINATOR}


class ClearanceError(Exception):
    """A clearance that cannot be decided; the message is shown to the coordinator."""


class ClearanceNotVisible(ClearanceError):
    """The member may not see the report: views answer 404."""


def _active(report: Report) -> list[ReportAccusation]:
    """Accusations not lifted by an approved clearance decided after them (a force accused
    again after a clearance is accused again)."""
    cleared: dict[str, list] = {}
    for clearance in report.clearances.filter(status=ClearanceStatus.APPROVED):
        cleared.setdefault(clearance.force, []).append(clearance.decided_at)
    return [
        accusation
        for accusation in report.accusations.all()
        if not any(decided >= accusation.at for decided in cleared.get(accusation.force, []))
    ]


def report_conflict(*, report: Report) -> Conflict:
    """What routing must know, as plain data. The current fields count too (belt and
    braces: a field set some other way is still an accusation)."""
    active = _active(report)
    forces = {a.force for a in active if a.force}
    if report.accused_force:
        forces.add(report.accused_force)
    unnamed = report.category == Category.FORCE_ABUSE or any(not a.force for a in active)
    return Conflict(forces=frozenset(forces), unnamed_force_complaint=unnamed)


def accused_forces(*, report: Report) -> set[str]:
    return {a.force for a in _active(report) if a.force}


def accusation_record(*, report: Report, force: str, source: str, member: Member | None = None) -> bool:
    """Record an accusation unless the same one is already active. Returns whether a row
    was written. The resident's own choice is stored to the minute, like her arrival."""
    if any(a.force == force for a in _active(report)):
        return False
    ReportAccusation.objects.create(
        report=report,
        force=force,
        source=source,
        member=member,
        at=now_minute() if source == AccusationSource.RESIDENT else timezone.now(),
    )
    if member is not None:
        ReportEvent.objects.create(
            report=report,
            kind=ReportEventKind.ACCUSED,
            actor=member.user,
            member=member,
            channel="web",
            detail=f"accused: {force or 'force abuse'}",
        )
    return True


def clearance_request(
    *, report: Report, member: Member, force: str, new_category: str = "", new_force: str = ""
) -> AccusationClearance:
    """Ask to clear an accusation (``force``; empty for leaving the category "abuse by
    forces" for ``new_category``). One pending request per accusation: asking again
    updates what is asked for."""
    clearance, _ = AccusationClearance.objects.update_or_create(
        report=report,
        force=force,
        status=ClearanceStatus.PENDING,
        defaults={"new_category": new_category, "new_force": new_force, "requested_by": member},
    )
    what = f"category -> {new_category}" if not force else f"force {force} -> {new_force or '-'}"
    ReportEvent.objects.create(
        report=report,
        kind=ReportEventKind.CLEARANCE_ASKED,
        actor=member.user,
        member=member,
        channel="web",
        detail=what,
    )
    return clearance


def clearances_pending(*, report_id: int) -> list[AccusationClearance]:
    return list(
        AccusationClearance.objects.filter(report_id=report_id, status=ClearanceStatus.PENDING).select_related(
            "requested_by"
        )
    )


@transaction.atomic
def clearance_decide(*, member: Member, report_id: int, clearance_id: int, approve: bool) -> AccusationClearance:
    """A second coordinator approves or refuses. Approving a category clearance moves the
    report to the category asked for (and routes it again); approving a force clearance
    replaces the force on the report. Refusing changes nothing but the record."""
    from reporting import services  # intake imports this module: routing again, lazily

    if report_for_member(member=member, report_id=report_id) is None:
        raise ClearanceNotVisible("report not found")
    clearance = AccusationClearance.objects.select_for_update().filter(pk=clearance_id, report_id=report_id).first()
    if clearance is None:
        raise ClearanceNotVisible("report not found")
    if member.role not in APPROVER_ROLES:
        raise ClearanceError("seul·e un·e coordinateur·rice peut décider d'un retrait de mise en cause")
    if clearance.requested_by_id == member.pk:
        raise ClearanceError("un·e second·e coordinateur·rice doit décider : pas la personne qui l'a demandé")
    if clearance.status != ClearanceStatus.PENDING:
        raise ClearanceError("cette demande est déjà décidée")
    report = Report.objects.select_for_update().get(pk=clearance.report_id)
    clearance.status = ClearanceStatus.APPROVED if approve else ClearanceStatus.REFUSED
    clearance.decided_by = member
    clearance.decided_at = timezone.now()
    clearance.save(update_fields=["status", "decided_by", "decided_at"])
    ReportEvent.objects.create(
        report=report,
        kind=ReportEventKind.CLEARANCE_APPROVED if approve else ReportEventKind.CLEARANCE_REFUSED,
        actor=member.user,
        member=member,
        channel="web",
        detail=f"asked by {clearance.requested_by.name}",
    )
    if not approve:
        return clearance
    if not clearance.force:
        report.category = clearance.new_category
        report.save(update_fields=["category"])
        ReportEvent.objects.create(
            report=report,
            kind=ReportEventKind.CLASSIFIED,
            actor=member.user,
            member=member,
            channel="web",
            detail=f"category: {clearance.new_category} (approved clearance)",
        )
        services.report_route(report=report)
    elif report.accused_force == clearance.force:
        report.accused_force = clearance.new_force
        report.save(update_fields=["accused_force"])
    return clearance
