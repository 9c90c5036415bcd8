"""How many SQL statements processing one SMS report takes.

The worker's cost per report is mostly round trips to the database; this pins the count
so that a repeated lookup (an opt-out or vault read done twice, a per-recipient UPDATE)
cannot come back unnoticed. Raise a budget only for a new guarantee, never for a habit.
"""

from __future__ import annotations

import pytest

from focal_points import directory
from messaging import services
from messaging.models import InboundStatus, OutboundEvent, OutboundMessage
from places.selectors import place_match
from reporting.models import Report, ReportRecipient

pytestmark = pytest.mark.django_db

NUMBER = "+22376123456"

# Measured (in the test's transaction, savepoints included): 21 for a report whose
# commune is recognised (two relays told), 24 for one whose place is unknown (the
# national coordinator told, the place asked). Before the query work: 47 and 45; before
# the routing directory was kept per process (focal_points/directory.py) and a report's
# notices queued together (messaging.services.outbound_enqueue_each): 33 and 30; before
# the report's events went in one INSERT, its recipients were written with notified_at
# set, the commune was kept from the place check and a resident's phone was known from
# the directory (no member query): 26 and 27.
BUDGETS = {
    "attaque au marche de boni, 3 blesses": 21,
    "des hommes armes sont passes hier soir": 24,
}


@pytest.mark.parametrize("body", BUDGETS)
def test_processing_one_sms_report_stays_within_its_query_budget(
    body: str, deployment, django_assert_max_num_queries
) -> None:
    # Stored as the webhook stores it; the test's transaction never commits, so no task
    # runs it: the processing below is the only one.
    inbound, created = services.inbound_store(
        provider="twilio", provider_message_id="SM" + "0" * 32, sender=NUMBER, body=body
    )
    assert created
    place_match("boni")  # a worker builds its place index once, not per report
    # ...and reads the routing directory once, kept until it changes (the deployment,
    # written in this test's transaction, stands for committed here).
    directory.forget()
    directory.directory()

    with django_assert_max_num_queries(BUDGETS[body]):
        assert services.inbound_process(inbound_id=inbound.pk) == "processed"

    inbound.refresh_from_db()
    assert inbound.status == InboundStatus.PROCESSED
    report = Report.objects.get()
    recipients = list(ReportRecipient.objects.filter(report=report))
    assert recipients and all(r.notified_at is not None for r in recipients)
    # Every queued SMS has its "queued" event row.
    assert OutboundMessage.objects.count() == OutboundEvent.objects.filter(status="queued").count() > len(recipients)
