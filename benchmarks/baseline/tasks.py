"""The reference for P4: a bare task that hands one SMS to the configured backend.

It does what the shortest possible notification path does (one SELECT, the backend's
``send``, one UPDATE stamping the hand-off) and nothing else: no decryption, no routing,
no pacing, no event rows. Its latency is the floor of this broker, worker and database.
"""

from __future__ import annotations

from celery import shared_task
from django.db import connection
from django.utils import timezone

from messaging.backends import get_backend


@shared_task(acks_late=True)
def bare_notify(row_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM bench_baseline WHERE id = %s", [row_id])
        (body,) = cursor.fetchone()
        get_backend().send(to="+22370000000", body=body[:60])
        cursor.execute("UPDATE bench_baseline SET handed_at = %s WHERE id = %s", [timezone.now(), row_id])
