"""Reads of the messaging app for monitoring: counts and ages, never content."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Min, Q
from django.utils import timezone

from messaging.models import InboundMessage, InboundStatus, OutboundEvent, OutboundMessage, OutboundStatus


def inbound_backlog() -> tuple[int, float | None]:
    """(pending count, age in seconds of the oldest pending message or None)."""
    row = InboundMessage.objects.filter(status=InboundStatus.PENDING).aggregate(
        n=Count("pk"), oldest=Min("received_at")
    )
    if not row["n"]:
        return 0, None
    # received_at is kept to the minute: the age is exact to within a minute.
    return row["n"], max(0.0, (timezone.now() - row["oldest"]).total_seconds())


def inbound_counts_by_status() -> dict[str, int]:
    rows = InboundMessage.objects.values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


def outbound_counts() -> dict[tuple[str, str], int]:
    """Outbound SMS by (status, provider) among the rows kept (OUTBOUND_RETENTION_DAYS)."""
    rows = OutboundMessage.objects.values("status", "provider").annotate(n=Count("pk"))
    return {(row["status"], row["provider"] or "none"): row["n"] for row in rows}


def outbound_failures_since(*, seconds: float) -> dict[tuple[str, str], int]:
    """Send failures of the last ``seconds``, by (provider, kind): ``retry`` for a transient
    failure that will be tried again, ``final`` for one that gave up or was refused."""
    since = timezone.now() - timedelta(seconds=seconds)
    events = OutboundEvent.objects.filter(at__gte=since).filter(
        Q(status=OutboundStatus.FAILED) | Q(status=OutboundStatus.QUEUED, detail__startswith="retry")
    )
    rows = events.values("status", "message__provider").annotate(n=Count("pk"))
    counts: dict[tuple[str, str], int] = {}
    for row in rows:
        kind = "final" if row["status"] == OutboundStatus.FAILED else "retry"
        key = (row["message__provider"] or "none", kind)
        counts[key] = counts.get(key, 0) + row["n"]
    return counts
