"""The public figures page (/transparence/, /en/transparence/, /bm/transparence/) and its
CSV and JSON. Reads frozen releases only (``TransparencyRelease``): nothing here counts a
report. Public pages carry the reporter-side privacy headers (veille/privacy.py) and set
no cookie (no session, no CSRF token: GET only)."""

from __future__ import annotations

import csv
import json

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from alerts.models import TransparencyRelease
from alerts.transparency import CATEGORY_GROUPS, GROUP_LABELS, force_label
from reporting.views import _page

RELEASES_SHOWN = 24


def _minutes(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 60:
        return f"{value:.0f} min"
    return f"{value / 60:.1f} h"


@require_GET
def transparency(request: HttpRequest) -> HttpResponse:
    """One table of reports (regions by category group) and one of response times per
    month. The response table lists only the region and force pairs with a figure shown:
    all the others are the same dashes (JSON and CSV list them all)."""
    months = []
    for release in TransparencyRelease.objects.order_by("-month")[:RELEASES_SHOWN]:
        reports, responses = [], []
        for region in release.figures["regions"]:
            groups = [region["reports_by_group"].get(group) for group in CATEGORY_GROUPS]
            reports.append({"name": region["region"], "total": region["reports_total"], "groups": groups})
            for force in region["forces"]:
                if force["alerts"] is None:
                    continue
                share = force["within_deadline_share"]
                responses.append(
                    {
                        "region": region["region"],
                        "force": force_label(force["force"]),
                        "alerts": force["alerts"],
                        "ack": _minutes(force["acknowledged_median_minutes"]),
                        "response": _minutes(force["responded_median_minutes"]),
                        "share": "—" if share is None else f"{share * 100:.0f} %",
                    }
                )
        months.append(
            {"month": release.month, "min_cell": release.min_cell, "reports": reports, "responses": responses}
        )
    groups = [(f"{n}", GROUP_LABELS[group]) for n, group in enumerate(CATEGORY_GROUPS, start=1)]
    return _page(request, "reporting/transparency.html", {"months": months, "groups": groups})


@require_GET
def transparency_json(request: HttpRequest) -> HttpResponse:
    data = [release.figures for release in TransparencyRelease.objects.order_by("month")]
    response = HttpResponse(
        json.dumps({"releases": data}, ensure_ascii=False, indent=1), content_type="application/json"
    )
    response["Content-Disposition"] = 'inline; filename="veille-transparence.json"'
    return response


@require_GET
def transparency_csv(request: HttpRequest) -> HttpResponse:
    """One line per figure: month, region, what, key, value (empty where hidden)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="veille-transparence.csv"'
    writer = csv.writer(response)
    writer.writerow(["month", "region", "figure", "key", "value"])
    for release in TransparencyRelease.objects.order_by("month"):
        month = release.figures["month"]
        for region in release.figures["regions"]:
            name = region["region"]
            writer.writerow([month, name, "reports_total", "", _blank(region["reports_total"])])
            for group in CATEGORY_GROUPS:
                writer.writerow([month, name, "reports_by_group", group, _blank(region["reports_by_group"].get(group))])
            if "reports_from_displaced" in region:  # releases frozen before issue 19 lack it
                writer.writerow([month, name, "reports_from_displaced", "", _blank(region["reports_from_displaced"])])
            for force in region["forces"]:
                for key in (
                    "alerts",
                    "acknowledged_median_minutes",
                    "responded_median_minutes",
                    "within_deadline_share",
                ):
                    writer.writerow([month, name, key, force["force"], _blank(force[key])])
    return response


def _blank(value: object) -> object:
    return "" if value is None else value
