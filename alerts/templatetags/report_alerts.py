"""``{% report_alerts report as lines %}``: the alerts of a report, for its page."""

from __future__ import annotations

from django import template

from alerts.report_alerts import AlertLine, report_alert_lines

register = template.Library()


@register.simple_tag
def report_alerts(report) -> list[AlertLine]:
    return report_alert_lines(report_id=report.pk)
