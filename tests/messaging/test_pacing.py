"""Pacing: never above the configured rate, across workers sharing the cache."""

from __future__ import annotations

import pytest

from messaging import pacing, services
from messaging.models import OutboundMessage, OutboundStatus

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def test_slots_are_one_per_interval_at_the_configured_rate(settings):
    settings.SMS_SEND_RATE_PER_SECOND = 2  # one slot every 0.5 s
    clock = Clock(1_000_000.0)

    waits = [pacing.reserve_slot(now=clock) for _ in range(6)]

    assert waits == [0.0, 0.5, 1.0, 1.5, 2.0, 2.5]


def test_a_later_sender_gets_the_next_free_slot(settings):
    settings.SMS_SEND_RATE_PER_SECOND = 1
    clock = Clock(2_000_000.0)
    pacing.reserve_slot(now=clock)
    clock.now += 0.2

    assert pacing.reserve_slot(now=clock) == pytest.approx(0.8)


def test_a_far_slot_requeues_instead_of_blocking_a_worker(settings, outbox):
    settings.SMS_SEND_RATE_PER_SECOND = 1
    settings.SMS_MAX_INLINE_WAIT_SECONDS = 0.5
    message = services.outbound_enqueue(to_number="+22376000001", body="a", purpose="t")
    for _ in range(3):
        pacing.reserve_slot()  # other workers took the next slots

    outcome = services.outbound_send(message_id=message.pk)

    message.refresh_from_db()
    assert outcome == "paced"
    assert message.status == OutboundStatus.QUEUED and message.next_attempt_at is not None
    assert outbox == []
    assert list(message.events.values_list("detail", flat=True))[-1] == "paced"


def test_the_measured_send_rate_stays_under_the_limit(settings, outbox):
    import time

    settings.SMS_SEND_RATE_PER_SECOND = 20
    ids = [services.outbound_enqueue(to_number=f"+2237600{n:04d}", body="x", purpose="t").pk for n in range(10)]
    started = time.monotonic()
    for message_id in ids:
        assert services.outbound_send(message_id=message_id) == "sent"
    elapsed = time.monotonic() - started

    # One message per 50 ms slot, slots aligned on the clock: the first may go at the end
    # of its slot, so 10 messages span at least 8 full slots.
    assert elapsed >= 0.40
    assert OutboundMessage.objects.filter(status=OutboundStatus.SENT).count() == 10
