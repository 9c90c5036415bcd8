"""Prometheus collectors of the messaging app (listed in ``settings.METRICS_COLLECTORS``)."""

from __future__ import annotations

import os
from collections.abc import Iterable

from django.conf import settings
from prometheus_client.core import GaugeMetricFamily, Metric

from messaging import handoff, selectors
from messaging.models import InboundStatus, OutboundStatus

FAILURE_WINDOW_SECONDS = 3600


def queue_depths() -> dict[str, int]:
    """Tasks waiting in the broker, by priority step (Redis) or in all (the embedded
    broker keeps one file per message and no priority: its files are counted)."""
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    url = str(settings.CELERY_BROKER_URL)
    if url.startswith("filesystem://"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
        suffix = f".{queue}.msg"
        with os.scandir(folder) as entries:
            return {"all": sum(1 for entry in entries if entry.name.endswith(suffix))}
    import redis

    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    sep = options.get("sep", "\x06\x16")
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
    try:
        pipe = client.pipeline(transaction=False)
        steps = list(options.get("priority_steps", [0]))
        for step in steps:
            # kombu's key for a priority step: the queue's name alone for 0.
            pipe.llen(f"{queue}{sep}{step}" if step else queue)
        return {str(step): int(n) for step, n in zip(steps, pipe.execute(), strict=True)}
    finally:
        client.close()


def collect() -> Iterable[Metric]:
    depth = GaugeMetricFamily(
        "veille_queue_depth", "Tasks waiting in the broker, by priority (0 first).", labels=["queue", "priority"]
    )
    for priority, n in queue_depths().items():
        depth.add_metric([settings.CELERY_TASK_DEFAULT_QUEUE, priority], n)
    yield depth

    pending, oldest = selectors.inbound_backlog()
    yield GaugeMetricFamily("veille_inbound_pending", "Inbound messages stored but not processed yet.", value=pending)
    yield GaugeMetricFamily(
        "veille_inbound_oldest_pending_age_seconds",
        "Age of the oldest pending inbound message (0 when none; minute precision).",
        value=oldest or 0,
    )
    by_status = selectors.inbound_counts_by_status()
    inbound = GaugeMetricFamily("veille_inbound_messages", "Inbound messages kept, by status.", labels=["status"])
    for status in InboundStatus.values:
        inbound.add_metric([status], by_status.get(status, 0))
    yield inbound

    outbound = GaugeMetricFamily(
        "veille_outbound_messages", "Outbound SMS kept, by status and provider.", labels=["status", "provider"]
    )
    counts = selectors.outbound_counts()
    providers = {provider for _, provider in counts} or {"none"}
    for status in OutboundStatus.values:
        for provider in sorted(providers):
            outbound.add_metric([status, provider], counts.get((status, provider), 0))
    yield outbound

    failures = GaugeMetricFamily(
        "veille_outbound_send_failures_last_hour",
        "Send failures in the last hour, by provider; kind=retry will be tried again, kind=final gave up.",
        labels=["provider", "kind"],
    )
    failed = selectors.outbound_failures_since(seconds=FAILURE_WINDOW_SECONDS)
    for provider in sorted(providers | {p for p, _ in failed}):
        for kind in ("retry", "final"):
            failures.add_metric([provider, kind], failed.get((provider, kind), 0))
    yield failures


def collect_handoff() -> Iterable[Metric]:
    """The inbound hand-off list (``INBOUND_HANDOFF=list``; nothing in task mode). Its own
    collector: the list lives in the broker's Redis, and a scrape that cannot read it says
    so in ``veille_metrics_collector_errors`` rather than hide the other figures."""
    state = handoff.list_state()
    if state is None:
        return
    yield GaugeMetricFamily(
        "veille_inbound_handoff_waiting",
        "Inbound SMS ids in the hand-off list, stored and not yet claimed by a drain.",
        value=state.waiting,
    )
    yield GaugeMetricFamily(
        "veille_inbound_handoff_claimed",
        "Inbound SMS ids claimed by drains still running (or killed, until redelivered).",
        value=state.claimed,
    )
    yield GaugeMetricFamily(
        "veille_inbound_handoff_drain_scheduled",
        "1 while a drain of the hand-off list is published or running.",
        value=int(state.drain_scheduled),
    )
