"""Exports partners use: HXL-tagged CSV and GeoJSON of the reports a member may see.

What leaves is what a partner needs to count and map, never what could identify a
reporter: no reporter's text (only the relay's neutral summary), no phone or pseudonym,
the day only (not the hour), places at the cercle's seat at the finest."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from reporting.models import PeopleAffected, Report

# Humanitarian Exchange Language: one header row for people, one hashtag row for tools.
HXL_COLUMNS = [
    ("Référence", "#event+id"),
    ("Catégorie", "#event+type"),
    ("Gravité", "#severity"),
    ("Résumé neutre", "#description"),
    ("Région", "#adm1+name"),
    ("Cercle", "#adm2+name"),
    ("Commune", "#adm3+name"),
    ("Date (jour)", "#date"),
    ("Personnes touchées (min)", "#affected+min"),
    ("Personnes touchées (max)", "#affected+max"),
    # "1" when the reporter said they are displaced (an internally displaced person), ""
    # when not said; where they live now is never asked. A fact about the reporter.
    ("Auteur déplacé (1 = oui)", "#indicator+idps"),
    ("Statut", "#status"),
    ("Organisation", "#org"),
]
# The reporter's range, as bounds; "20+" has no upper bound, unknown has none at all.
AFFECTED_RANGE: dict[str, tuple[str, str]] = {
    PeopleAffected.UNKNOWN: ("", ""),
    PeopleAffected.NONE: ("0", "0"),
    PeopleAffected.ONE: ("1", "1"),
    PeopleAffected.FEW: ("2", "5"),
    PeopleAffected.SEVERAL: ("6", "20"),
    PeopleAffected.MANY: ("21", ""),
}


@dataclass(frozen=True)
class ExportRow:
    reference: str
    category: str
    severity: str
    summary: str
    region: str
    cercle: str
    commune: str
    day: str
    affected_min: str
    affected_max: str
    reporter_displaced: str
    status: str
    organisation: str
    position: tuple[float, float] | None  # (longitude, latitude)

    def cells(self) -> list[str]:
        return [
            self.reference,
            self.category,
            self.severity,
            self.summary,
            self.region,
            self.cercle,
            self.commune,
            self.day,
            self.affected_min,
            self.affected_max,
            self.reporter_displaced,
            self.status,
            self.organisation,
        ]


def _seat(report: Report) -> tuple[float, float] | None:
    """The cercle's seat (the finest the gazetteer holds for a partner), else the region's."""
    for place in (report.cercle, report.region):
        if place is not None and place.seat_latitude is not None and place.seat_longitude is not None:
            return place.seat_longitude, place.seat_latitude
    return None


def export_rows(reports: QuerySet[Report]) -> list[ExportRow]:
    rows = []
    queryset = reports.select_related("region", "cercle", "commune", "claimed_by__organisation").order_by(
        "received_at", "pk"
    )
    for report in queryset:
        low, high = AFFECTED_RANGE.get(report.people_affected, ("", ""))
        claimer = report.claimed_by
        rows.append(
            ExportRow(
                reference=f"R-{report.reference}",
                category=report.category,
                severity=report.severity,
                summary=(report.summary or "").strip(),
                region=report.region.name if report.region else "",
                cercle=report.cercle.name if report.cercle else "",
                commune=report.commune.name if report.commune else "",
                day=timezone.localtime(report.received_at).date().isoformat(),
                affected_min=low,
                affected_max=high,
                reporter_displaced="1" if report.reporter_displaced else "",
                status=report.status,
                organisation=claimer.organisation.name if claimer else "",
                position=_seat(report),
            )
        )
    return rows


def _safe(cell: str) -> str:
    # A leading = + - @ would be a formula in a spreadsheet: summaries are typed by people.
    return f"'{cell}" if cell[:1] in {"=", "+", "-", "@"} else cell


def hxl_csv(rows: list[ExportRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([label for label, _ in HXL_COLUMNS])
    writer.writerow([tag for _, tag in HXL_COLUMNS])
    for row in rows:
        writer.writerow([_safe(cell) for cell in row.cells()])
    return out.getvalue()


def geojson(rows: list[ExportRow]) -> str:
    features = []
    for row in rows:
        properties = {tag.lstrip("#"): cell for (_, tag), cell in zip(HXL_COLUMNS, row.cells(), strict=True)}
        geometry = {"type": "Point", "coordinates": list(row.position)} if row.position else None
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
