"""A signed SMS through the webhook, the real broker and a real worker, to a report and
a receipt handed to the SMS backend."""

from __future__ import annotations

import pytest

from messaging.models import InboundMessage, InboundStatus, OutboundMessage, OutboundStatus
from reporting.models import Report
from tests.integration.conftest import post_sms, sid, wait_until

pytestmark = pytest.mark.integration

NUMBER = "+22376123456"


def test_it_turns_a_webhook_sms_into_a_report_and_a_delivered_receipt_through_a_real_worker(workers):
    worker = workers.start("w1")

    response = post_sms(NUMBER, "attaque au marche de Boni, 3 blesses", sid(1))

    assert response.status_code == 200
    assert b"<Response/>" in response.content
    # The answer does not wait for the worker: the row is stored, processing is queued.
    message = InboundMessage.objects.get()
    wait_until(
        lambda: InboundMessage.objects.filter(pk=message.pk, status=InboundStatus.PROCESSED).exists(),
        timeout=30,
        what=f"the worker to process the message\n{workers.logs()}",
    )
    report = Report.objects.get()
    assert report.commune.name == "Dangol-Boré"
    assert report.description == "attaque au marche de Boni, 3 blesses"
    receipt = wait_until(
        lambda: OutboundMessage.objects.filter(
            purpose="resident_receipt", status__in=[OutboundStatus.SENT, OutboundStatus.DELIVERED]
        ).first(),
        timeout=30,
        what=f"the receipt to be sent\n{workers.logs()}",
    )
    assert receipt.recipient == NUMBER
    assert receipt.provider_message_id.startswith("SMconsole")
    assert list(receipt.events.values_list("status", flat=True)) == ["queued", "sending", "delivered"]
    # The console backend masks the recipient; the worker's log never shows the number.
    log = worker.output()
    assert "[SMS to ...56] Veille: message recu." in log
    for variant in ("+22376123456", "22376123456", "76123456", "76 12 34 56"):
        assert variant not in log
