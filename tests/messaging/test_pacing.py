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


def test_a_paced_message_comes_back_to_its_own_slot(settings):
    settings.SMS_SEND_RATE_PER_SECOND = 10
    clock = Clock(3_000_000.0)
    assert pacing.reserve_slot(now=clock, owner=1) == 0.0
    own = pacing.reserve_slot(now=clock, owner=2)
    for other in range(3, 50):
        pacing.reserve_slot(now=clock, owner=other)  # the slots after it are taken

    clock.now += 0.05  # it returns a little before its slot
    assert pacing.reserve_slot(now=clock, owner=2) == pytest.approx(own - 0.05)


def test_an_owner_whose_slot_passed_takes_a_new_one(settings):
    settings.SMS_SEND_RATE_PER_SECOND = 10
    clock = Clock(4_000_000.0)
    pacing.reserve_slot(now=clock, owner=7)
    pacing.reserve_slot(now=clock, owner=8)
    clock.now += 5.0  # the worker came back late: slot gone by

    assert pacing.reserve_slot(now=clock, owner=7) == 0.0


def test_a_lagging_hint_never_grants_a_slot_twice(settings):
    from django.core.cache import cache

    settings.SMS_SEND_RATE_PER_SECOND = 10
    clock = Clock(5_000_000.0)
    waits = [pacing.reserve_slot(now=clock, owner=n) for n in range(20)]
    cache.set(pacing.HINT_KEY, int(clock.now * 10) + 3)  # a slow worker wrote an old hint
    waits += [pacing.reserve_slot(now=clock, owner=n) for n in range(20, 30)]

    assert len(set(waits)) == 30
    assert sorted(waits) == pytest.approx([n / 10 for n in range(30)])


def test_a_broadcast_reserves_in_a_few_cache_calls_each(settings):
    """Reserving slot n must not try the n slots before it (a 1,000-SMS broadcast would
    make half a million cache calls)."""
    from unittest import mock

    from django.core.cache import cache

    settings.SMS_SEND_RATE_PER_SECOND = 100
    clock = Clock(6_000_000.0)
    with mock.patch.object(cache, "add", wraps=cache.add) as add:
        for owner in range(500):
            pacing.reserve_slot(now=clock, owner=owner)
    assert add.call_count <= 2 * 500
