"""Metrics that need the real broker. Task latency measured by a real worker process is
served by the web process (the publish stamp travels in the message headers, the
histogram lives in the shared Redis cache, not in one process's memory); the queue depth
is read per priority list in Redis."""

from __future__ import annotations

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from messaging.models import InboundMessage, InboundStatus
from tests.integration.conftest import post_sms, sid, wait_until

pytestmark = pytest.mark.integration

TOKEN = "metrics-token-0123456789abcdef"


def test_a_worker_s_task_latency_shows_in_the_web_process_metrics(workers, settings):
    settings.METRICS_TOKEN = TOKEN
    workers.start("w1")
    assert post_sms("+22376123450", "attaque a Boni", sid(1, "e")).status_code == 200
    wait_until(
        lambda: InboundMessage.objects.filter(status=InboundStatus.PROCESSED).exists(),
        timeout=30,
        what="the worker to process the SMS",
    )

    # The task that carried the SMS: the drain of the hand-off list, or the per-SMS task.
    task = "messaging.tasks.drain_inbound" if settings.INBOUND_HANDOFF == "list" else "messaging.tasks.process_inbound"

    def count() -> float:
        text = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == "veille_task_latency_seconds_count" and sample.labels.get("task") == task:
                    return sample.value
        return 0

    assert wait_until(count, timeout=10, what="the latency sample") >= 1, workers.logs()


def test_queue_depth_is_counted_per_priority_in_redis(transactional_db, eager_off, settings):
    from messaging import tasks
    from tests.integration.conftest import flush_redis

    settings.METRICS_TOKEN = TOKEN
    flush_redis()
    try:
        # No worker: the tasks wait in Redis, each in its priority's list.
        tasks.send_outbound.apply_async(args=[0], priority=9)
        tasks.send_outbound.apply_async(args=[0], priority=9)
        tasks.send_outbound.apply_async(args=[0], priority=0)
        text = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
        depth = {
            sample.labels["priority"]: sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
            if sample.name == "veille_queue_depth"
        }
        assert depth["0"] == 1 and depth["9"] == 2 and depth["5"] == 0, depth
    finally:
        flush_redis()
