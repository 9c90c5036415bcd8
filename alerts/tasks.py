"""Escalation on the scheduler. Deadlines are computed from the alerts' stored times at
every run, so they survive a restart of the worker or the scheduler."""

from __future__ import annotations

from celery import shared_task

from alerts import services
from messaging.tasks import single_run


@shared_task
def escalate_overdue() -> int:
    escalated = 0
    with single_run("escalate_overdue", timeout=120) as acquired:
        if not acquired:
            return 0
        for alert_id in services.alerts_overdue():
            if services.alert_escalate(alert_id=alert_id) is not None:
                escalated += 1
    return escalated


@shared_task
def detect_spikes() -> int:
    """Early warning: new spikes recorded and sent to the coordinators of their area."""
    with single_run("detect_spikes", timeout=300) as acquired:
        if not acquired:
            return 0
        return len(services.spikes_detect())


@shared_task
def publish_transparency() -> int:
    """Public figures: freeze every month that has become publishable."""
    from alerts import transparency

    with single_run("publish_transparency", timeout=600) as acquired:
        if not acquired:
            return 0
        return len(transparency.transparency_publish())
