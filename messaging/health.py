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


def check_gateways() -> tuple[bool, str]:
    """No SMS gateway phone is known to be down (no ping, or only failures). A phone that
    is down loses nothing (its SMS go by the next provider of their route), but someone
    must go and look at it."""
    from messaging.gateways import gateways_down

    down = gateways_down()
    if not down:
        return True, "gateways: none down"
    names = ", ".join(f"{d.provider}:{d.device_id or 'default'} ({d.down_reason})" for d in down)
    return False, f"gateways down: {names}"
