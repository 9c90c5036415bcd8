"""Staff views of alerts: forwarding, a focal point's alerts and figures, dashboards."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from alerts import charts, selectors, services
from alerts.models import Alert, Spike
from focal_points.auth import staff_member_required
from focal_points.models import Category, Role
from focal_points.reauth import fresh_code_required
from reporting import triage
from reporting.access import reports_visible_to
from reporting.models import StaffReadView
from reporting.trail import staff_read_record


@require_POST
@staff_member_required
@fresh_code_required(gettext_lazy("Transmettre l'alerte"))
def forward(request: HttpRequest, report_id: int) -> HttpResponse:
    ids = [int(value) for value in request.POST.getlist("focal_point") if value.isdigit()]
    try:
        created = services.alert_forward(member=request.member, report_id=report_id, focal_point_ids=ids)
    except triage.NotVisible as exc:
        raise Http404 from exc
    except triage.TriageError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Alerte transmise à {len(created)} point(s) focal(aux).")
    return redirect(f"/staff/reports/{report_id}/")


def _period(request: HttpRequest) -> tuple[datetime, datetime, int]:
    days = request.GET.get("days", "30")
    days_n = int(days) if days.isdigit() and 1 <= int(days) <= 366 else 30
    until = timezone.now()
    return until - timedelta(days=days_n), until, days_n


DASHBOARD_ROLES = {Role.COORDINATOR, Role.NATIONAL_COORDINATOR}


def _export_reason(request: HttpRequest) -> str | None:
    return gettext_lazy("Exporter en CSV") if request.GET.get("format") == "csv" else None


@require_GET
@staff_member_required
@fresh_code_required(_export_reason)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Coordinators: how long each stage takes, where, for which force and category."""
    if request.member.role not in DASHBOARD_ROLES:
        raise Http404
    since, until, days = _period(request)
    group_by = request.GET.get("by", "region")
    if group_by not in selectors.GROUPINGS:
        group_by = "region"
    reports = reports_visible_to(request.member)
    rows = selectors.response_times(reports, group_by=group_by, since=since, until=until)
    covered = sum(r.reports for r in rows)
    if request.GET.get("format") == "csv":
        staff_read_record(
            member=request.member,
            view=StaffReadView.DASHBOARD_EXPORT,
            report_count=covered,
            detail=f"by={group_by}; days={days}",
        )
        return _csv(rows, group_by)
    stage = request.GET.get("stage", "acknowledged")
    if stage not in selectors.STAGES:
        stage = "acknowledged"
    trend = selectors.trend(reports, stage=stage, since=since, until=until, days=max(1, days // 8))
    breaches = selectors.deadline_breaches(Alert.objects.filter(report__in=reports, created_at__gte=since))
    setting_rows = selectors.response_times(reports, group_by="setting", since=since, until=until)
    spikes, cercle_charts = _early_warning(reports, until=until)
    staff_read_record(
        member=request.member,
        view=StaffReadView.DASHBOARD,
        references=[alert.reference for alert in breaches[:50]]
        + [report.reference for _, _, behind in spikes for report in behind],
        report_count=covered,
        detail=f"by={group_by}; days={days}; stage={stage}",
    )
    return render(
        request,
        "staff/dashboard.html",
        {
            "rows": rows,
            "stages": [(s, selectors.STAGE_LABELS[s]) for s in selectors.STAGES],
            "group_by": group_by,
            "group_label": selectors.GROUPINGS[group_by][1].lower(),
            "groupings": [(key, label) for key, (_, label) in selectors.GROUPINGS.items()],
            "days": days,
            "stage": stage,
            "stage_chart": mark_safe(  # noqa: S308 (SVG built from numbers and escaped labels)
                charts.bar_chart([(r.label, r.stages[stage].median, r.stages[stage].p90) for r in rows])
            ),
            "setting_chart": mark_safe(  # noqa: S308
                charts.bar_chart([(r.label, r.stages[stage].median, r.stages[stage].p90) for r in setting_rows])
            ),
            "trend_chart": mark_safe(  # noqa: S308
                charts.line_chart([(start.strftime("%d/%m"), median) for start, median, _ in trend])
            ),
            "count_chart": mark_safe(  # noqa: S308
                charts.count_line([(start.strftime("%d/%m"), count) for start, _, count in trend])
            ),
            "funnel_chart": mark_safe(  # noqa: S308
                charts.funnel_bars(selectors.funnel(reports, since=since, until=until))
            ),
            "table": [
                (
                    r.label,
                    r.reports,
                    [(charts.human(r.stages[st].median), charts.human(r.stages[st].p90)) for st in selectors.STAGES],
                )
                for r in rows
            ],
            "breaches": breaches[:50],
            "spikes": spikes,
            "cercle_charts": cercle_charts,
        },
    )


SPIKE_DAYS_SHOWN = 14
CHART_DAYS = 28


def _early_warning(reports, *, until: datetime) -> tuple[list, list]:
    """The spikes of the last two weeks in the cercles this coordinator sees, each with
    the reports behind it that they may see (reporting/access.py), and a chart of daily
    counts per cercle with the spike days marked."""
    visible_cercles = reports.filter(cercle__isnull=False).values("cercle_id")
    recent = list(
        Spike.objects.filter(detected_at__gte=until - timedelta(days=SPIKE_DAYS_SHOWN), cercle_id__in=visible_cercles)
        .select_related("cercle")
        .order_by("-detected_at")[:20]
    )
    names = dict(Category.choices)
    spikes = [
        (spike, str(names.get(spike.category, spike.category)), list(selectors.spike_reports(spike, reports)[:20]))
        for spike in recent
    ]
    start_day = timezone.localtime(until).date() - timedelta(days=CHART_DAYS - 1)
    marked: dict[int, set[int]] = {}
    for spike in recent:
        day = (timezone.localtime(spike.detected_at).date() - start_day).days
        if 0 <= day < CHART_DAYS:
            marked.setdefault(spike.cercle_id, set()).add(day)
    charts_ = [
        (
            name,
            sum(counts),
            mark_safe(  # noqa: S308 (SVG built from numbers)
                charts.count_bars(counts, highlight=marked.get(cercle_id))
            ),
        )
        for name, cercle_id, counts in selectors.daily_counts_by_cercle(reports, until=until, days=CHART_DAYS)
    ]
    return spikes, charts_


def _csv(rows: list[selectors.Row], group_by: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="veille-delais-{group_by}.csv"'
    writer = csv.writer(response)
    header = [group_by, "reports"]
    for stage in selectors.STAGES:
        header += [f"{stage}_count", f"{stage}_median_minutes", f"{stage}_p90_minutes"]
    writer.writerow(header)
    for row in rows:
        line: list[object] = [row.label, row.reports]
        for stage in selectors.STAGES:
            figures = row.stages[stage]
            line += [
                figures.count,
                round(figures.median.total_seconds() / 60, 1) if figures.median else "",
                round(figures.p90.total_seconds() / 60, 1) if figures.p90 else "",
            ]
        writer.writerow(line)
    return response


@require_GET
@staff_member_required
def my_alerts(request: HttpRequest) -> HttpResponse:
    """A focal point's alerts and own figures: doing well is visible."""
    since, until, days = _period(request)
    alerts = list(Alert.objects.filter(focal_point=request.member).order_by("-created_at")[:100])
    staff_read_record(member=request.member, view=StaffReadView.ALERTS, references=[a.reference for a in alerts])
    figures = selectors.focal_point_figures(request.member.pk, since=since, until=until)
    unit = selectors.unit_figures(request.member.organisation_id, since=since, until=until)
    return render(
        request,
        "staff/my_alerts.html",
        {
            "alerts": alerts,
            "count": figures["alerts"],
            "ack_median": charts.human(figures["acknowledged"].median),
            "ack_p90": charts.human(figures["acknowledged"].p90),
            "response_median": charts.human(figures["responded"].median),
            "unit_name": request.member.organisation.name,
            "unit_count": unit["alerts"],
            "unit_ack_median": charts.human(unit["acknowledged"].median),
            "unit_ack_p90": charts.human(unit["acknowledged"].p90),
            "unit_response_median": charts.human(unit["responded"].median),
            "days": days,
        },
    )


@require_POST
@staff_member_required
def alert_step(request: HttpRequest, alert_id: int) -> HttpResponse:
    """The same answers as by SMS, from the focal point's web page."""
    alert = Alert.objects.filter(pk=alert_id, focal_point=request.member).first()
    if alert is None:
        raise Http404
    try:
        services.alert_record_step(
            member=request.member, reference=alert.reference, step=request.POST.get("step", ""), channel="web"
        )
    except services.AlertStepError as exc:
        messages.error(request, str(exc))
    return redirect("/staff/alerts/")
