"""Bursts on PostgreSQL: twenty copies of one message at once, twenty messages from one
sender at once, processed by two workers in parallel."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from django.db.models import Sum

from messaging.models import InboundMessage, InboundStatus
from reporting.models import Report
from tests.integration.conftest import Workers, post_sms, sid, wait_until
from veille.phones import pseudonym_for

pytestmark = pytest.mark.integration

THREADS = 20


def all_at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run every call in its own thread, released together by a barrier."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except Exception as exc:  # reported by the assertions below, never swallowed
            results[index] = exc
        finally:
            connections.close_all()  # each thread had its own connection

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def start_two(workers: Workers) -> None:
    for name in ("w1", "w2"):
        workers.start(name, wait_ready=False)
    for worker in workers.started:
        wait_until(lambda w=worker: " ready." in w.output() or not w.alive(), timeout=30, what=f"{worker.name} ready")
        assert worker.alive(), worker.output()[-3000:]


def all_processed(timeout: float, workers: Workers) -> None:
    wait_until(
        lambda: not InboundMessage.objects.exclude(status=InboundStatus.PROCESSED).exists(),
        timeout=timeout,
        what=f"every inbound message to be processed\n{workers.logs()}",
    )


def test_twenty_copies_of_one_message_at_once_make_one_row_and_one_report(workers):
    start_two(workers)
    message_sid = sid(7, "c")

    results = all_at_once([lambda: post_sms("+22376123456", "attaque a Boni", message_sid)] * THREADS)

    assert [getattr(r, "status_code", r) for r in results] == [200] * THREADS
    assert InboundMessage.objects.count() == 1
    all_processed(30, workers)
    assert Report.objects.count() == 1
    assert Report.objects.get().message_count == 1
    # One task was queued for it, not twenty.
    logs = "\n".join(w.output() for w in workers.started)
    task = "drain_inbound" if settings.INBOUND_HANDOFF == "list" else "process_inbound"
    assert len(re.findall(rf"Task messaging\.tasks\.{task}\[[^]]+\] received", logs)) == 1


def test_twenty_messages_from_one_sender_at_once_are_each_counted_once(workers):
    start_two(workers)
    number = "+22376999888"
    calls = [
        (lambda n=n: post_sms(number, f"hommes armes vers Boni, detail {n}", sid(100 + n, "d"))) for n in range(THREADS)
    ]

    results = all_at_once(calls)

    assert [getattr(r, "status_code", r) for r in results] == [200] * THREADS
    assert InboundMessage.objects.count() == THREADS
    all_processed(60, workers)
    reports = Report.objects.filter(sender_pseudonym=pseudonym_for(number))
    # Every message is in exactly one report. Two workers may each open a report before
    # either commits (nothing to join yet); after that, messages join the open one.
    assert reports.aggregate(total=Sum("message_count"))["total"] == THREADS
    assert 1 <= reports.count() <= 2
    texts = "\n".join(r.description or "" for r in reports)
    assert sorted(int(line.rsplit(" ", 1)[1]) for line in texts.splitlines()) == list(range(THREADS))
