"""Redis unreachable while SMS arrive: the webhook still answers in time and stores the
input; once the broker is back, the sweep on a real worker makes the reports."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from messaging import tasks
from messaging.models import InboundMessage, InboundStatus
from reporting.models import Report
from tests.integration.conftest import broker_unreachable, post_sms, sid, wait_until

pytestmark = pytest.mark.integration

# Twilio gives up on a webhook after 15 s (and calls the fallback URL, or drops the SMS).
TWILIO_TIMEOUT_SECONDS = 15


def timed_posts(count: int, prefix: str) -> tuple[list[int], float]:
    """Post ``count`` SMS; return their status codes and the slowest answer in seconds."""
    codes: list[int] = []
    slowest = 0.0
    for n in range(count):
        started = time.monotonic()
        codes.append(post_sms(f"+2237612345{n}", f"attaque a Boni, message {n}", sid(n, prefix)).status_code)
        slowest = max(slowest, time.monotonic() - started)
    return codes, slowest


def test_the_webhook_answers_at_once_when_the_broker_refuses_connections(transactional_db, gazetteer, eager_off):
    with broker_unreachable():
        codes, slowest = timed_posts(2, "c")

    assert codes == [200, 200]
    assert InboundMessage.objects.filter(status=InboundStatus.PENDING).count() == 2
    assert slowest < 1, f"the webhook took {slowest:.2f}s to answer with the broker down"


@contextmanager
def hung_broker() -> Iterator[str]:
    """A port that accepts TCP connections (the kernel's backlog) and never answers: a
    frozen Redis, or a firewall that drops packets after the handshake."""
    from veille.celery import app

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    before = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{listener.getsockname()[1]}/12"
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield app.conf.broker_url
    finally:
        app.conf.broker_url = before
        app._pool = None
        app.amqp._producer_pool = None
        listener.close()


def test_a_hung_broker_never_makes_twilio_give_up(transactional_db, gazetteer, eager_off):
    with hung_broker():
        codes, slowest = timed_posts(1, "d")

    assert codes == [200]
    assert InboundMessage.objects.get().status == InboundStatus.PENDING
    # Bounded by the broker's socket timeout (5 s), well inside Twilio's limit.
    assert slowest < TWILIO_TIMEOUT_SECONDS / 2, f"the webhook took {slowest:.1f}s with a hung broker"


def test_sms_stored_while_the_broker_is_down_are_processed_by_the_sweep_later(workers, caplog):
    worker = workers.start("w1")

    with broker_unreachable():
        codes, slowest = timed_posts(3, "b")

    assert codes == [200, 200, 200]
    assert slowest < TWILIO_TIMEOUT_SECONDS / 2
    assert "broker unavailable" in caplog.text
    assert InboundMessage.objects.count() == 3
    assert set(InboundMessage.objects.values_list("status", flat=True)) == {InboundStatus.PENDING}
    assert Report.objects.count() == 0
    # Nothing was queued, in either hand-off (messaging/handoff.py).
    assert "messaging.tasks.process_inbound[" not in worker.output()
    assert "messaging.tasks.drain_inbound[" not in worker.output()

    # The broker is back: the periodic sweep (queued by hand here, as beat queues it)
    # runs on the worker and processes what was left.
    tasks.sweep_inbound.apply_async()

    wait_until(
        lambda: not InboundMessage.objects.exclude(status=InboundStatus.PROCESSED).exists(),
        timeout=30,
        what=f"the sweep to process the stored messages\n{workers.logs()}",
    )
    assert Report.objects.count() == 3
    wait_until(lambda: "'processed': 3" in worker.output(), timeout=10, what="the sweep's summary in the log")
    assert "messaging.tasks.sweep_inbound" in worker.output()
