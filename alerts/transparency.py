"""Public figures (/transparence/): per region and month, reports by category group,
median times to acknowledgement and to response per force, and the share acknowledged
within the deadline. Never below region level; every figure from fewer than
``TRANSPARENCY_MIN_CELL`` reports hidden, with complementary suppression; each month
computed once, after ``TRANSPARENCY_DELAY_DAYS``, and frozen (``TransparencyRelease``).

What can be recovered, and why not:
- The category table publishes, per region, each group's count and the region's total:
  one equation per row (total = sum of its cells). No national or per-group total is
  published, so rows share no equation. A hidden cell is therefore recoverable only if it
  is alone hidden in its row, or if the hidden cells of the row sum to 0 (all would then
  be 0). ``suppress_row`` hides the smallest shown cells until neither holds, or hides
  everything but a total of at least K.
- Times and shares per force are medians and ratios published with their own count
  (shown only at K or more); no published figure sums them, so nothing differences them.
- Reports from displaced authors are one more figure per region, hidden below K and
  when the total minus it is below K (``displaced_figure``); no other figure sums it.
- A month is frozen once published: a late report changes no published figure, and a
  later release covers another month, so two releases share no cell.
"""

from __future__ import annotations

import statistics
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alerts.models import TransparencyRelease
from alerts.selectors import with_clock
from focal_points.models import Force
from places.models import Region
from reporting.models import Report

CATEGORY_GROUPS: dict[str, tuple[str, ...]] = {
    "armed_violence": ("armed_attack", "armed_presence", "explosive", "kidnapping"),
    "crime_threats": ("robbery", "threat"),
    "protection": ("gbv", "force_abuse"),
    "community": ("intercommunity", "displacement"),
    "other": ("other", "unclassified"),
}
GROUP_LABELS = {
    "armed_violence": _("Violences armées (attaques, groupes armés, engins explosifs, enlèvements)"),
    "crime_threats": _("Vols et menaces"),
    "protection": _("Violences basées sur le genre et abus"),
    "community": _("Tensions et déplacements"),
    "other": _("Autres et à classer"),
}
GROUP_OF = {category: group for group, categories in CATEGORY_GROUPS.items() for category in categories}


def suppress_row(cells: dict[str, int], total: int, k: int) -> tuple[dict[str, int | None], int | None]:
    """One region's counts by group with small cells hidden (None), and the complementary
    cells hidden so that no hidden cell follows from the total and the shown cells."""
    if total < k:
        return dict.fromkeys(cells), None
    hidden = {key for key, value in cells.items() if value < k}
    while hidden:
        shown = sorted((value, key) for key, value in cells.items() if key not in hidden)
        hidden_sum = sum(cells[key] for key in hidden)
        if len(hidden) >= 2 and hidden_sum > 0:
            break
        if not shown:
            break  # all hidden, only a total of at least k shown
        hidden.add(shown[0][1])
    return {key: (None if key in hidden else value) for key, value in cells.items()}, total


def displaced_figure(displaced: int, total: int | None, k: int) -> int | None:
    """Reports whose author said they are displaced, in a region and month: shown only
    with a shown total, at K or more, and when the rest (total minus it: reports whose
    author did not say so) is also at K or more, since the total would give it away.
    It shares no equation with the category cells (a report is in one group and either
    side), so it reveals none of them."""
    if total is None or displaced < k or total - displaced < k:
        return None
    return displaced


def _median_minutes(values: list[float], k: int) -> float | None:
    return round(statistics.median(values) / 60, 1) if len(values) >= k else None


def month_figures(month: date, *, k: int) -> dict:
    """The suppressed figures of one month (local time), per region."""
    start = timezone.make_aware(datetime.combine(month, datetime.min.time()))
    next_month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    end = timezone.make_aware(datetime.combine(next_month, datetime.min.time()))
    reports = Report.objects.filter(region__isnull=False, received_at__gte=start, received_at__lt=end)
    rows = with_clock(reports).values(
        "region__name",
        "category",
        "severity",
        "received_at",
        "forwarded_at",
        "acknowledged_at",
        "responded_at",
        "first_force",
        "reporter_displaced",
    )
    regions: dict[str, dict] = {}
    for row in rows:
        region = regions.setdefault(
            row["region__name"], {"groups": dict.fromkeys(CATEGORY_GROUPS, 0), "total": 0, "forces": {}, "displaced": 0}
        )
        region["total"] += 1
        region["displaced"] += row["reporter_displaced"]
        region["groups"][GROUP_OF.get(row["category"], "other")] += 1
        if row["forwarded_at"] is None or not row["first_force"]:
            continue
        force = region["forces"].setdefault(row["first_force"], {"alerts": 0, "ack": [], "response": [], "in_time": 0})
        force["alerts"] += 1
        if row["acknowledged_at"]:
            seconds = max(0.0, (row["acknowledged_at"] - row["forwarded_at"]).total_seconds())
            force["ack"].append(seconds)
            deadline = settings.ESCALATION_MINUTES.get(row["severity"], settings.ESCALATION_MINUTES["low"])
            force["in_time"] += seconds <= deadline * 60
        if row["responded_at"]:
            force["response"].append(max(0.0, (row["responded_at"] - row["forwarded_at"]).total_seconds()))
    published = []
    # Every region and every force, each month: a row's mere presence would tell that
    # someone reported there (a figure from fewer than K reports).
    empty = {"alerts": 0, "ack": [], "response": [], "in_time": 0}
    for name in Region.objects.order_by("name").values_list("name", flat=True):
        region = regions.get(name) or {"groups": dict.fromkeys(CATEGORY_GROUPS, 0), "total": 0, "forces": {}}
        groups, total = suppress_row(region["groups"], region["total"], k)
        displaced = displaced_figure(region.get("displaced", 0), total, k)
        forces = []
        for code in Force.values:
            figures = region["forces"].get(code, empty)
            enough = figures["alerts"] >= k
            forces.append(
                {
                    "force": code,
                    "alerts": figures["alerts"] if enough else None,
                    "acknowledged_median_minutes": _median_minutes(figures["ack"], k),
                    "responded_median_minutes": _median_minutes(figures["response"], k),
                    "within_deadline_share": (round(figures["in_time"] / figures["alerts"], 3) if enough else None),
                }
            )
        published.append(
            {
                "region": name,
                "reports_total": total,
                "reports_by_group": groups,
                "reports_from_displaced": displaced,
                "forces": forces,
            }
        )
    return {"month": month.strftime("%Y-%m"), "min_cell": k, "regions": published}


def publishable_months(*, now: datetime) -> list[date]:
    """Months whose end is at least the delay ago, from the first report's month on."""
    first = Report.objects.order_by("received_at").values_list("received_at", flat=True).first()
    if first is None:
        return []
    latest_end = timezone.localtime(now).date() - timedelta(days=settings.TRANSPARENCY_DELAY_DAYS)
    month = timezone.localtime(first).date().replace(day=1)
    months = []
    while True:
        next_month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
        if next_month > latest_end:  # the month ends (next_month) after the delay's limit
            return months
        months.append(month)
        month = next_month


def transparency_publish(*, now: datetime | None = None) -> list[date]:
    """Freeze the figures of every publishable month not yet published."""
    now = now or timezone.now()
    done = set(TransparencyRelease.objects.values_list("month", flat=True))
    created = []
    for month in publishable_months(now=now):
        if month in done:
            continue
        k = settings.TRANSPARENCY_MIN_CELL
        TransparencyRelease.objects.get_or_create(
            month=month, defaults={"published_at": now, "min_cell": k, "figures": month_figures(month, k=k)}
        )
        created.append(month)
    return created


def force_label(code: str) -> str:
    return str(dict(Force.choices).get(code, code))
