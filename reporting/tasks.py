"""Periodic jobs of the reporting app. Each takes a lock, like the sweeps: two runs never
delete side by side."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from messaging.tasks import PURGE_LOCK_SECONDS, single_run
from reporting.services import reports_purge, web_submissions_purge
from reporting.ussd.services import ussd_sessions_purge


@shared_task
def purge_ussd_sessions() -> int:
    with single_run("purge_ussd_sessions", timeout=PURGE_LOCK_SECONDS) as acquired:
        return ussd_sessions_purge() if acquired else 0


@shared_task
def purge_web_submissions() -> int:
    with single_run("purge_web_submissions", timeout=PURGE_LOCK_SECONDS) as acquired:
        return web_submissions_purge() if acquired else 0


@shared_task
def purge_closed_reports() -> int:
    """Retention: closed reports (text, photos, events, alerts) go after
    ``REPORT_RETENTION_DAYS``; open ones are never purged."""
    with single_run("purge_closed_reports", timeout=PURGE_LOCK_SECONDS) as acquired:
        return reports_purge(older_than_days=settings.REPORT_RETENTION_DAYS) if acquired else 0
