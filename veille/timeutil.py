"""Coarse times for staff screens: precision that cannot single out a reporter."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def coarsen_to_hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def coarsen_to_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def now_minute() -> datetime:
    """Report arrival times are kept only to the minute (see docs/data-kept.md)."""
    return coarsen_to_minute(timezone.now())
