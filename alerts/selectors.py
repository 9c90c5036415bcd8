"""Response times: each report's clock, read from its event rows, and the figures built
from them (median and 90th percentile of each stage by region, cercle, force, category,
urban or rural, over a period).

Stages, each measured from the report's arrival:
    triaged       first triage action by a relay (claim, verification, classification...)
    forwarded     first alert sent to a focal point
    acknowledged  first acknowledgement by a focal point
    responded     first "en route" or "on site"
    closed        the report closed
    informed      the reporter was told (SMS reporters who asked for it)
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from alerts.models import Alert, AlertEvent, AlertEventKind, AlertStatus
from reporting.models import Report, ReportEvent, ReportEventKind

STAGES = ["triaged", "forwarded", "acknowledged", "responded", "closed", "informed"]
STAGE_LABELS = {
    "triaged": "Tri",
    "forwarded": "Transmission",
    "acknowledged": "Accusé de réception",
    "responded": "Réponse (en route / sur place)",
    "closed": "Clôture",
    "informed": "Auteur informé",
}
TRIAGE_KINDS = [
    ReportEventKind.CLAIMED,
    ReportEventKind.VERIFIED,
    ReportEventKind.CLASSIFIED,
    ReportEventKind.SUMMARISED,
    ReportEventKind.LINKED,
    ReportEventKind.REDACTED,
    ReportEventKind.CLOSED,
]


def _first_report_event(kinds: list[str]) -> Subquery:
    return Subquery(ReportEvent.objects.filter(report=OuterRef("pk"), kind__in=kinds).order_by("at").values("at")[:1])


def _first_alert_event(kinds: list[str]) -> Subquery:
    return Subquery(
        AlertEvent.objects.filter(alert__report=OuterRef("pk"), kind__in=kinds).order_by("at").values("at")[:1]
    )


def with_clock(reports: QuerySet[Report]) -> QuerySet[Report]:
    """Annotate each report with the time of each stage (None where not reached)."""
    return reports.annotate(
        triaged_at=_first_report_event(TRIAGE_KINDS),
        forwarded_at=Min("alerts__created_at"),
        acknowledged_at=_first_alert_event([AlertEventKind.ACKNOWLEDGED]),
        responded_at=_first_alert_event([AlertEventKind.EN_ROUTE, AlertEventKind.ON_SITE]),
        closed_at=_first_report_event([ReportEventKind.CLOSED]),
        informed_at=_first_report_event([ReportEventKind.INFORMED]),
        escalations=Count("alerts__events", filter=Q(alerts__events__kind=AlertEventKind.ESCALATED), distinct=True),
        first_force=Subquery(
            Alert.objects.filter(report=OuterRef("pk"), escalation_level=0)
            .order_by("created_at")
            .values("focal_point__organisation__force")[:1]
        ),
    )


@dataclass
class StageFigures:
    count: int = 0
    median: timedelta | None = None
    p90: timedelta | None = None


@dataclass
class Row:
    label: str
    reports: int = 0
    stages: dict[str, StageFigures] = field(default_factory=dict)


def _percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile: a value that actually occurred."""
    index = max(0, min(len(sorted_values) - 1, math.ceil(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


def stage_figures(durations: list[float]) -> StageFigures:
    if not durations:
        return StageFigures()
    values = sorted(durations)
    return StageFigures(
        count=len(values),
        median=timedelta(seconds=statistics.median(values)),
        p90=timedelta(seconds=_percentile(values, 0.9)),
    )


GROUPINGS = {
    "region": ("region__name", "Région"),
    "cercle": ("cercle__name", "Cercle"),
    "category": ("category", "Catégorie"),
    "force": ("first_force", "Force"),
    "setting": ("commune__setting", "Milieu"),
    # A fact the reporter gave about themselves (issue 19): counted, never a category.
    "displaced": ("reporter_displaced", "Auteur déplacé"),
}


def _label_names(group_by: str) -> dict[str, str]:
    """Readable names for grouped codes (categories, forces, urban/rural)."""
    from focal_points.models import Category, Force
    from places.models import Setting

    if group_by == "displaced":
        # A false flag reads "—" like an empty group: unticked is "not said", not "not displaced".
        return {True: "auteur déplacé", "—": "non précisé"}
    choices = {"category": Category.choices, "force": Force.choices, "setting": Setting.choices}.get(group_by, [])
    return {value: str(label) for value, label in choices}


def response_times(reports: QuerySet[Report], *, group_by: str, since: datetime, until: datetime) -> list[Row]:
    """Median and 90th percentile of every stage, per group, for reports received in the
    period. Durations are computed in Python: SQLite has no percentile function, and a
    period's reports fit in memory."""
    field_name, _ = GROUPINGS[group_by]
    clocked = with_clock(reports.filter(received_at__gte=since, received_at__lt=until))
    values = clocked.values("received_at", field_name, *[f"{stage}_at" for stage in STAGES])
    durations: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    counts: dict[str, int] = defaultdict(int)
    for row in values:
        label = row[field_name] or "—"
        counts[label] += 1
        for stage in STAGES:
            at = row[f"{stage}_at"]
            if at is not None:
                durations[label][stage].append(max(0.0, (at - row["received_at"]).total_seconds()))
    rows = []
    names = _label_names(group_by)
    for label in sorted(counts, key=str):
        rows.append(
            Row(
                label=str(names.get(label, label)),
                reports=counts[label],
                stages={stage: stage_figures(durations[label][stage]) for stage in STAGES},
            )
        )
    return rows


def deadline_breaches(alerts: QuerySet[Alert]) -> QuerySet[Alert]:
    """Alerts that escalated because nobody acknowledged them in time."""
    return alerts.filter(events__kind=AlertEventKind.ESCALATED).select_related("focal_point__organisation").distinct()


def funnel(reports: QuerySet[Report], *, since: datetime, until: datetime) -> list[tuple[str, str, int]]:
    """(stage, label, reports that reached it) for the reports received in the period,
    from reception to the reporter informed: where reports stop on their way."""
    rows = list(
        with_clock(reports.filter(received_at__gte=since, received_at__lt=until)).values(
            *[f"{stage}_at" for stage in STAGES]
        )
    )
    steps = [("received", "Réception", len(rows))]
    steps += [(stage, STAGE_LABELS[stage], sum(1 for row in rows if row[f"{stage}_at"])) for stage in STAGES]
    return steps


def trend(reports: QuerySet[Report], *, stage: str, since: datetime, until: datetime, days: int = 7) -> list[tuple]:
    """(period start, median time of one stage, reports received) per period of ``days``."""
    points = []
    start = since
    while start < until:
        end = min(start + timedelta(days=days), until)
        clocked = with_clock(reports.filter(received_at__gte=start, received_at__lt=end)).values(
            "received_at", f"{stage}_at"
        )
        rows = list(clocked)
        durations = [(r[f"{stage}_at"] - r["received_at"]).total_seconds() for r in rows if r[f"{stage}_at"]]
        points.append((start, stage_figures(durations).median, len(rows)))
        start = end
    return points


def focal_point_figures(member_id: int, *, since: datetime, until: datetime) -> dict[str, StageFigures]:
    """A focal point's own figures: time from alert to acknowledgement and to response."""
    return _alert_figures(Alert.objects.filter(focal_point_id=member_id), since=since, until=until)


def unit_figures(organisation_id: int, *, since: datetime, until: datetime) -> dict[str, StageFigures]:
    """The same figures for every alert sent to a unit's members."""
    return _alert_figures(Alert.objects.filter(focal_point__organisation_id=organisation_id), since=since, until=until)


def _alert_figures(alerts: QuerySet[Alert], *, since: datetime, until: datetime) -> dict[str, StageFigures]:
    alerts = alerts.filter(created_at__gte=since, created_at__lt=until).annotate(
        ack_at=Subquery(
            AlertEvent.objects.filter(alert=OuterRef("pk"), kind=AlertEventKind.ACKNOWLEDGED).values("at")[:1]
        ),
        response_at=Subquery(
            AlertEvent.objects.filter(alert=OuterRef("pk"), kind__in=[AlertEventKind.EN_ROUTE, AlertEventKind.ON_SITE])
            .order_by("at")
            .values("at")[:1]
        ),
    )
    ack, response = [], []
    for alert in alerts.values("created_at", "ack_at", "response_at"):
        if alert["ack_at"]:
            ack.append((alert["ack_at"] - alert["created_at"]).total_seconds())
        if alert["response_at"]:
            response.append((alert["response_at"] - alert["created_at"]).total_seconds())
    return {"acknowledged": stage_figures(ack), "responded": stage_figures(response), "alerts": alerts.count()}


# --- Monitoring (alerts/metrics.py) ---------------------------------------------------


def unacknowledged_past_deadline(*, now: datetime | None = None) -> dict[str, int]:
    """Alerts still in "sent" past their severity's deadline, by severity: escalation
    hands them on, but until someone acknowledges, nobody has said they are on it."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    for severity, minutes in settings.ESCALATION_MINUTES.items():
        counts[severity] = Alert.objects.filter(
            status=AlertStatus.SENT, severity=severity, created_at__lte=now - timedelta(minutes=minutes)
        ).count()
    return counts


def escalations_since(*, seconds: float) -> int:
    since = timezone.now() - timedelta(seconds=seconds)
    return AlertEvent.objects.filter(kind=AlertEventKind.ESCALATED, at__gte=since).count()


# --- Early warning (alerts/spike_method.py) -------------------------------------------

SPIKE_WINDOWS = {
    # window: (its length, how many equal windows before it make the baseline)
    "day": (timedelta(days=1), 28),
    "week": (timedelta(days=7), 4),
}


@dataclass(frozen=True)
class SpikeCandidate:
    cercle_id: int
    category: str
    window: str
    window_start: datetime
    window_end: datetime
    observed: int
    baseline_mean: float
    threshold: int


def spike_candidates(*, now: datetime | None = None) -> list[SpikeCandidate]:
    """Every cercle and category whose count over the last day or week passes the Poisson
    threshold against the equal windows of the four weeks before. One query: the arrival
    times of the reports of the last five weeks (counts, nothing else)."""
    from alerts import spike_method

    now = now or timezone.now()
    earliest = min(now - length * (periods + 1) for length, periods in SPIKE_WINDOWS.values())
    rows = list(
        Report.objects.filter(cercle__isnull=False, received_at__gte=earliest, received_at__lt=now).values_list(
            "cercle_id", "category", "received_at"
        )
    )
    found = []
    for window, (length, periods) in SPIKE_WINDOWS.items():
        buckets: dict[tuple[int, str], list[int]] = {}
        for cercle_id, category, received_at in rows:
            index = int((now - received_at) // length)  # 0: the window judged, 1..: the baseline
            if index <= periods:
                buckets.setdefault((cercle_id, category), [0] * (periods + 1))[index] += 1
        for (cercle_id, category), counts in sorted(buckets.items()):
            if counts[0] < settings.SPIKE_MIN_COUNT:
                continue
            verdict = spike_method.judge(
                counts[0], counts[1:], alpha=settings.SPIKE_ALPHA, min_count=settings.SPIKE_MIN_COUNT
            )
            if verdict.is_spike:
                found.append(
                    SpikeCandidate(
                        cercle_id=cercle_id,
                        category=category,
                        window=window,
                        window_start=now - length,
                        window_end=now,
                        observed=verdict.observed,
                        baseline_mean=verdict.mean,
                        threshold=verdict.threshold,
                    )
                )
    return found


def spike_reports(spike, reports: QuerySet[Report]) -> QuerySet[Report]:
    """The reports behind a spike, among those the reader may see."""
    return reports.filter(
        cercle_id=spike.cercle_id,
        category=spike.category,
        received_at__gte=spike.window_start,
        received_at__lt=spike.window_end,
    ).order_by("-received_at")


def daily_counts_by_cercle(
    reports: QuerySet[Report], *, until: datetime, days: int = 28, limit: int = 12
) -> list[tuple[str, int, list[int]]]:
    """(cercle name, cercle id, counts per local day, oldest first) for the cercles with
    the most reports over the days before ``until``: the per-cercle charts."""
    start_day = timezone.localtime(until).date() - timedelta(days=days - 1)
    series: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0] * days)
    since = timezone.make_aware(datetime.combine(start_day, datetime.min.time()))
    for cercle_id, name, received_at in reports.filter(
        cercle__isnull=False, received_at__gte=since, received_at__lt=until
    ).values_list("cercle_id", "cercle__name", "received_at"):
        index = (timezone.localtime(received_at).date() - start_day).days
        if 0 <= index < days:
            series[(name, cercle_id)][index] += 1
    ranked = sorted(series.items(), key=lambda item: (-sum(item[1]), item[0][0]))[:limit]
    return [(name, cercle_id, counts) for (name, cercle_id), counts in ranked]
