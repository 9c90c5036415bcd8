"""The trail of staff reads: every page that lists or sums up reports is recorded (the
report page writes its own ``read`` event), and coordinators export the whole trail.

Rows are only inserted; nothing here updates or deletes one. The retention purge
(``reporting.services.reports_purge``) is the only deletion and records its counts.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from focal_points.models import Member
from reporting.models import ReportEvent, StaffRead

MAX_REFERENCES = 500  # the map lists at most 500 reports


def staff_read_record(
    *, member: Member, view: str, references: Iterable[str] = (), report_count: int | None = None, detail: str = ""
) -> StaffRead:
    """Record that ``member`` saw a page about reports: the references it showed and how
    many reports it covered."""
    refs = [ref for ref in references if ref][:MAX_REFERENCES]
    return StaffRead.objects.create(
        member=member,
        view=view,
        detail=detail[:200],
        references=" ".join(refs),
        report_count=len(refs) if report_count is None else report_count,
    )


@dataclass(frozen=True)
class TrailRow:
    at: datetime
    member: str
    role: str
    what: str  # an event kind or a page
    references: str
    detail: str


def trail_rows(*, members: QuerySet[Member], since: datetime, until: datetime) -> list[TrailRow]:
    """Every recorded action and read of these members in the period, oldest first."""
    events = (
        ReportEvent.objects.filter(member__in=members, at__gte=since, at__lt=until)
        .select_related("member", "report")
        .order_by("at", "pk")
    )
    reads = StaffRead.objects.filter(member__in=members, at__gte=since, at__lt=until).select_related("member")
    rows = [
        TrailRow(e.at, e.member.name, e.member.role, e.kind, f"R-{e.report.reference}", e.detail) for e in events
    ] + [
        TrailRow(
            r.at,
            r.member.name,
            r.member.role,
            f"page:{r.view}",
            " ".join(f"R-{ref}" for ref in r.references.split()),
            f"{r.report_count} report(s)" + (f"; {r.detail}" if r.detail else ""),
        )
        for r in reads
    ]
    rows.sort(key=lambda row: row.at)
    return rows


def trail_csv(rows: list[TrailRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["at_utc", "member", "role", "what", "references", "detail"])
    for row in rows:
        # A leading = + - @ would be a formula in a spreadsheet: names are typed by people.
        cells = [row.at.isoformat(), row.member, row.role, row.what, row.references, row.detail]
        writer.writerow([f"'{c}" if c[:1] in {"=", "+", "-", "@"} else c for c in cells])
    return out.getvalue()
