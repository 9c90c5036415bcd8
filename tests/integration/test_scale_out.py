"""Two worker processes against one queue: the pace and the priorities hold across them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.integration.conftest import Workers, wait_until

pytestmark = pytest.mark.integration


def _max_in_one_second(times: list) -> int:
    best, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= timedelta(seconds=1):
            first += 1
        best = max(best, last - first + 1)
    return best


def test_two_workers_keep_the_pace_and_send_notices_before_receipts(workers: Workers):
    from messaging import services
    from messaging.models import OutboundMessage, OutboundStatus, Priority

    workers.env["SMS_SEND_RATE_PER_SECOND"] = "10"
    # Receipts queued first (a burst of reports), then the relays' notices: with two
    # processes sending, the notices still go before the receipts that wait, and the two
    # together never pass the provider's rate.
    receipts = [
        services.outbound_enqueue(
            to_number=f"+2236610{n:04d}", body="Veille: recu", purpose="resident_receipt", priority=Priority.REPLY
        )
        for n in range(30)
    ]
    for name in ("w1", "w2"):
        workers.start(name, wait_ready=False)
    notices = [
        services.outbound_enqueue(
            to_number=f"+2237620{n:04d}", body="Veille R-AAAA", purpose="relay_notice", priority=Priority.NORMAL
        )
        for n in range(10)
    ]

    wait_until(
        lambda: OutboundMessage.objects.filter(status=OutboundStatus.DELIVERED).count() == 40,
        timeout=90,
        what=f"everything to be sent\n{workers.logs()}",
    )
    times = sorted(OutboundMessage.objects.values_list("sent_at", flat=True))
    assert _max_in_one_second(times) <= 10 + 1, "the two workers together went above the rate"
    last_notice = max(OutboundMessage.objects.filter(pk__in=[m.pk for m in notices]).values_list("sent_at", flat=True))
    receipts_after = OutboundMessage.objects.filter(pk__in=[m.pk for m in receipts], sent_at__gt=last_notice).count()
    # The receipts a worker had already taken when the notices arrived may go first; the
    # rest wait behind every notice.
    assert receipts_after >= 15, f"only {receipts_after} of 30 receipts went after the last notice"
    assert len(workers.started) == 2 and all(w.alive() for w in workers.started), workers.logs()
