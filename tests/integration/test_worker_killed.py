"""A worker killed with SIGKILL in the middle of processing: the message comes back
(acks_late + the broker's visibility timeout) and becomes exactly one report."""

from __future__ import annotations

import time

import psycopg
import pytest
import redis

from messaging import tasks
from messaging.models import InboundMessage, InboundStatus
from reporting.models import Report
from tests.integration.conftest import post_sms, sid, wait_until, worker_database_url

pytestmark = pytest.mark.integration

NUMBER = "+22376123456"
VISIBILITY_TIMEOUT = 5  # CELERY_VISIBILITY_TIMEOUT given to the workers


def handoff_task() -> str:
    """The task that carries an inbound id to the worker (messaging/handoff.py): the drain
    of the Redis list, or the per-SMS task."""
    from django.conf import settings

    return "drain_inbound" if settings.INBOUND_HANDOFF == "list" else "process_inbound"


def lock_waiters(conn: psycopg.Connection) -> int:
    """Backends of the test database waiting for a row lock (the worker, blocked)."""
    row = conn.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
    ).fetchone()
    return int(row[0]) if row else 0


def oldest_unacked_age(client: redis.Redis) -> float | None:
    entries = client.zrange("unacked_index", 0, 0, withscores=True)
    return time.time() - entries[0][1] if entries else None


def test_a_message_whose_worker_was_killed_mid_task_becomes_exactly_one_report(workers, no_grace):
    import os

    assert post_sms(NUMBER, "coups de feu a Boni cette nuit", sid(2)).status_code == 200
    message = InboundMessage.objects.get()
    broker = redis.Redis.from_url(os.environ["REDIS_URL"])
    monitor = psycopg.connect(worker_database_url(), autocommit=True)
    holder = psycopg.connect(worker_database_url())
    try:
        # Hold the row from another connection: the worker will block inside
        # inbound_process, half-way through, deterministically.
        holder.execute("SELECT id FROM messaging_inboundmessage WHERE id = %s FOR UPDATE", [message.pk])
        first = workers.start("w1")
        wait_until(lambda: lock_waiters(monitor) > 0, timeout=30, what=f"the worker to block\n{workers.logs()}")
        assert f"Task messaging.tasks.{handoff_task()}[" in first.output()

        first.kill()
        # The killed worker's transaction dies with its connection when the lock is
        # released: nothing it started may be committed.
        holder.rollback()
        wait_until(lambda: lock_waiters(monitor) == 0, timeout=30, what="the dead worker's backend to go")
        assert InboundMessage.objects.get().status == InboundStatus.PENDING
        assert Report.objects.count() == 0

        # The task is still unacknowledged in Redis (a drain's claimed ids wait under its
        # task id). A worker restores such messages once they are older than the
        # visibility timeout (first check when it starts).
        age = oldest_unacked_age(broker)
        assert age is not None, "the killed worker's message should be unacknowledged in Redis"
        time.sleep(max(0.0, VISIBILITY_TIMEOUT + 1 - age))
        workers.start("w2")

        wait_until(
            lambda: InboundMessage.objects.filter(pk=message.pk, status=InboundStatus.PROCESSED).exists(),
            timeout=40,
            what=f"the redelivered message to be processed\n{workers.logs()}",
        )
    finally:
        holder.close()
        monitor.close()
        broker.close()

    processed = InboundMessage.objects.get()
    assert processed.attempts == 1  # the killed attempt was rolled back with its transaction
    report = Report.objects.get()
    assert report.message_count == 1
    # A sweep after the fact finds nothing left to do.
    assert tasks.sweep_inbound() == {"processed": 0, "errors": 0}
    assert Report.objects.count() == 1
