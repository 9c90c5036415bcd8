"""Periodic jobs of the reporting app."""

from __future__ import annotations

from celery import shared_task

from reporting.services import web_submissions_purge
from reporting.ussd.services import ussd_sessions_purge


@shared_task
def purge_ussd_sessions() -> int:
    return ussd_sessions_purge()


@shared_task
def purge_web_submissions() -> int:
    return web_submissions_purge()
