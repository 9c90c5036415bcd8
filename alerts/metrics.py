"""Prometheus collectors of the alerts app (listed in ``settings.METRICS_COLLECTORS``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from prometheus_client.core import GaugeMetricFamily, Metric

from alerts import selectors


def collect() -> Iterable[Metric]:
    overdue = selectors.unacknowledged_past_deadline()
    family = GaugeMetricFamily(
        "veille_alerts_unacknowledged_past_deadline",
        "Alerts still unacknowledged past their severity's escalation deadline (escalated or not).",
        labels=["severity"],
    )
    for severity in settings.ESCALATION_MINUTES:
        family.add_metric([severity], overdue.get(severity, 0))
    yield family
    yield GaugeMetricFamily(
        "veille_alert_escalations_last_hour",
        "Alerts escalated to the next level in the last hour.",
        value=selectors.escalations_since(seconds=3600),
    )
