"""The gateway's address is read once, for the allow-list, and kept nowhere: not in the
database, not in a log, not on the console; nor is the callback secret logged."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import pytest

from reporting.models import Report
from tests.conftest import africastalking_url
from tests.test_anonymity import raw_database_bytes

pytestmark = pytest.mark.django_db(transaction=True)

GATEWAY_ADDR = "198.51.100.77"
OUTSIDE_ADDR = "203.0.113.199"
PHONE = "+22365432198"


def test_no_address_is_stored_or_logged(client, gazetteer, settings, caplog, capfd):
    settings.VEILLE_ADDRESS_ALLOWLISTS = {"/channels/ussd/africastalking/": ["198.51.100.0/24"]}
    caplog.set_level(logging.DEBUG)
    url = africastalking_url()

    def post(text: str, addr: str, path: str = url):
        body = urlencode({"sessionId": "ATUid_addr", "serviceCode": "*123#", "phoneNumber": PHONE, "text": text})
        return client.post(
            path,
            body,
            content_type="application/x-www-form-urlencoded",
            REMOTE_ADDR=addr,
            HTTP_X_FORWARDED_FOR=addr,
        )

    inputs = ["1", "1", "1", "7", "4", "2", "1", "1", "2", "1"]
    screens = [post("*".join(inputs[:n]), GATEWAY_ADDR).content.decode() for n in range(len(inputs) + 1)]
    refused = [post("1", OUTSIDE_ADDR), post("1", GATEWAY_ADDR, path=url.replace("/channels/", "/channels//"))]
    refused.append(post("1", OUTSIDE_ADDR, path="/channels/ussd/africastalking/guess/"))

    # Not vacuous: the allowed address walked a whole report, the other was refused.
    assert screens[-1].startswith("END Merci"), screens
    assert Report.objects.count() == 1
    assert all(response.status_code in (403, 404) for response in refused)

    raw = raw_database_bytes()
    assert len(raw) > 10_000
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    out, err = capfd.readouterr()
    for secret in (GATEWAY_ADDR, OUTSIDE_ADDR, "198.51.100", "203.0.113"):
        assert secret.encode() not in raw, f"{secret} found in the raw database"
        assert secret not in logged, f"{secret} found in the logs"
        assert secret not in out + err, f"{secret} found on the console"
    assert settings.AFRICASTALKING_CALLBACK_SECRET not in logged + out + err


def test_the_log_filter_masks_the_callback_secret_wherever_it_appears(settings):
    from veille.privacy import RedactLogRecords

    path = africastalking_url().replace("/channels/", "/chanels/")  # a typo in the gateway's set-up
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s", (path,), None)

    RedactLogRecords().filter(record)

    assert settings.AFRICASTALKING_CALLBACK_SECRET not in record.getMessage()
    assert record.getMessage() == "Not Found: /chanels/ussd/africastalking/[secret]/"
