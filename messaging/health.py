"""Readiness checks of the messaging app (listed in ``settings.READINESS_CHECKS``)."""

from __future__ import annotations

from django.conf import settings

from messaging import selectors


def check_inbound_backlog() -> tuple[bool, str]:
    """The oldest pending inbound message is younger than
    ``READINESS_INBOUND_MAX_AGE_SECONDS``: past that, workers are not keeping up (or not
    running) and residents' reports wait."""
    pending, oldest_age = selectors.inbound_backlog()
    limit = settings.READINESS_INBOUND_MAX_AGE_SECONDS
    if oldest_age is None:
        return True, "pending=0"
    return oldest_age <= limit, f"pending={pending} oldest={oldest_age:.0f}s limit={limit}s"
