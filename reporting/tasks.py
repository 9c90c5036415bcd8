"""Periodic jobs of the reporting app."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from reporting.services import reports_purge, web_submissions_purge
from reporting.ussd.services import ussd_sessions_purge


@shared_task
def purge_ussd_sessions() -> int:
    return ussd_sessions_purge()


@shared_task
def purge_web_submissions() -> int:
    return web_submissions_purge()


@shared_task
def purge_closed_reports() -> int:
    """Retention: closed reports (text, photos, events, alerts) go after
    ``REPORT_RETENTION_DAYS``; open ones are never purged."""
    return reports_purge(older_than_days=settings.REPORT_RETENTION_DAYS)
