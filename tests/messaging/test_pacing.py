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


def test_a_lost_front_never_grants_a_slot_twice(settings):
    from django.core.cache import cache

    settings.SMS_SEND_RATE_PER_SECOND = 10
    clock = Clock(5_000_000.0)
    waits = [pacing.reserve_slot(now=clock, owner=n) for n in range(20)]
    cache.delete_many([f"{pacing.FRONT_PREFIX}{p}" for p in pacing.PRIORITIES])  # a flushed cache
    waits += [pacing.reserve_slot(now=clock, owner=n) for n in range(20, 30)]

    assert len(set(waits)) == 30  # every message its own slot
    assert waits[:20] == pytest.approx([n / 10 for n in range(20)])


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


def test_a_message_far_behind_a_backlog_is_scheduled_once_for_its_slot(settings, outbox):
    """No spinning: with 2,000 slots (20 s at 100/s) taken ahead of it, a message learns
    its slot in one reservation and is queued for that time; it is not handed out again
    before it (the old 600-slot horizon sent it round every 6 s, looking for a slot)."""
    from datetime import UTC, datetime
    from unittest import mock

    settings.SMS_SEND_RATE_PER_SECOND = 100
    clock = Clock(7_000_000.0)
    for owner in range(2000):
        pacing.reserve(clock, owner=f"other-{owner}", rate=100, priority=5)
    message = services.outbound_enqueue(to_number="+22376000001", body="a", purpose="t")
    reserve = pacing.reserve
    with (
        mock.patch.object(pacing, "reserve", lambda *a, **kw: reserve(clock, **kw)),
        mock.patch("django.utils.timezone.now", lambda: datetime.fromtimestamp(clock.now, UTC)),
    ):
        assert services.outbound_send(message_id=message.pk) == "paced"
        message.refresh_from_db()
        assert message.next_attempt_at.timestamp() == pytest.approx(clock.now + 20.0, abs=0.05)
        clock.now = message.next_attempt_at.timestamp()  # its eta task runs then
        assert services.outbound_send(message_id=message.pk) == "sent"
    details = list(message.events.values_list("detail", flat=True))
    assert details.count("paced") == 1 and "locmem" in details  # once round the queue, then sent


def test_relay_notices_go_before_every_receipt_already_reserved(settings):
    """Priority holds beyond the near slots: 100 notices queued after 300 receipts all
    go first (on the old code, past the first 64 they went behind every receipt)."""
    from messaging.models import Priority

    clock = Clock(7_100_000.0)
    for owner in range(300):
        pacing.reserve(clock, owner=f"receipt-{owner}", lane="x", rate=10, priority=Priority.REPLY)
    notices = [
        pacing.reserve(clock, owner=f"notice-{n}", lane="x", rate=10, priority=Priority.NORMAL).slot for n in range(100)
    ]
    start = int(clock.now * 10)

    assert sorted(notices) == list(range(start, start + 100))  # the first 100 slots, in order
    # The receipts they displaced find out when they come to send, and reserve again behind.
    assert not pacing.holds(owner="receipt-0", slot=start, lane="x", priority=Priority.REPLY)
    again = pacing.reserve(clock, owner="receipt-0", lane="x", rate=10, priority=Priority.REPLY)
    assert again.slot >= start + 300


def test_an_urgent_alert_goes_before_relay_notices_and_receipts(settings):
    from messaging.models import Priority

    clock = Clock(7_200_000.0)
    for owner in range(50):
        pacing.reserve(clock, owner=f"notice-{owner}", lane="y", rate=10, priority=Priority.NORMAL)
        pacing.reserve(clock, owner=f"receipt-{owner}", lane="y", rate=10, priority=Priority.REPLY)

    alert = pacing.reserve(clock, owner="alert", lane="y", rate=10, priority=Priority.URGENT)
    late_notice = pacing.reserve(clock, owner="notice-late", lane="y", rate=10, priority=Priority.NORMAL)
    receipt = pacing.reserve(clock, owner="receipt-late", lane="y", rate=10, priority=Priority.REPLY)

    assert alert.wait == 0.0
    assert alert.slot < late_notice.slot < receipt.slot
    assert late_notice.slot == int(clock.now * 10) + 50  # behind the 50 notices (the alert took the first)


def test_a_wait_is_bounded_whatever_the_rate(settings, outbox):
    """A tiny rate and a long backlog make a wait of days: it is capped, and the message
    is looked at again after SMS_PACED_RECHECK_SECONDS with its slot kept (an unbounded
    wait once overflowed ``timezone.now() + timedelta(seconds=wait)``)."""
    settings.SMS_SEND_RATE_PER_SECOND = 0.01  # one SMS every 100 s
    settings.SMS_PACED_RECHECK_SECONDS = 120
    for owner in range(5):
        pacing.reserve(owner=f"o-{owner}", rate=0.01)
    message = services.outbound_enqueue(to_number="+22376000002", body="a", purpose="t")

    assert services.outbound_send(message_id=message.pk) == "paced"
    message.refresh_from_db()
    from django.utils import timezone

    assert (message.next_attempt_at - timezone.now()).total_seconds() <= 121
    assert pacing.reserve(owner=message.pk, rate=0.01).wait >= 400  # still its own slot, 500 s out
