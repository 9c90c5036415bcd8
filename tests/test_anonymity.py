"""The door holds: after reports came in on all three channels, neither the senders'
numbers (in any written form) nor the reports' words are anywhere in clear: not in the
raw database (the SQLite file and its WAL, or every row of every PostgreSQL table, read
as an attacker holding a dump would) and not in the logs."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.db import connection

from tests.conftest import TwilioPhone, africastalking_url
from veille.phones import number_variants

pytestmark = pytest.mark.django_db(transaction=True)

SMS_NUMBER = "+22376123456"
USSD_NUMBER = "+22365432198"
TYPED_NUMBER = "+22366778899"  # a number a reporter typed inside a report's text
SMS_WORDS = "Zorglub attaque le marche de Hombori"
WEB_WORDS = "Quetzalcoatl a vu des hommes armes"


def secrets() -> list[bytes]:
    found = [SMS_WORDS, WEB_WORDS, "Zorglub", "Quetzalcoatl"]
    for number in (SMS_NUMBER, USSD_NUMBER, TYPED_NUMBER):
        found += number_variants(number)
    return [s.encode() for s in found]


def raw_database_bytes() -> bytes:
    """Everything the database holds, as bytes an attacker would search."""
    if connection.vendor == "sqlite":
        path = Path(connection.settings_dict["NAME"])
        return b"".join(p.read_bytes() for p in [path, Path(f"{path}-wal")] if p.exists())
    chunks: list[bytes] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, (bytes, memoryview)):
                        chunks.append(bytes(value))
                    elif value is not None:
                        chunks.append(str(value).encode())
    return b"\n".join(chunks)


def test_no_number_and_no_report_text_in_clear_anywhere(client, gazetteer, outbox, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    # SMS (processed by the eager worker after the webhook's transaction commits).
    sms_phone = TwilioPhone(client, SMS_NUMBER)
    assert sms_phone.send(f"{SMS_WORDS}, rappelez le 66 77 88 99").status_code == 200
    # USSD: a whole report through the Africa's Talking adapter.
    inputs: list[str] = []
    commune_screen = ""
    for value in ["", "1", "1", "1"]:
        if value:
            inputs.append(value)
        commune_screen = client.post(
            africastalking_url(),
            urlencode(
                {
                    "sessionId": "ATUid_anon",
                    "serviceCode": "*123#",
                    "phoneNumber": USSD_NUMBER,
                    "networkCode": "61002",
                    "text": "*".join(inputs),
                }
            ),
            content_type="application/x-www-form-urlencoded",
        ).content.decode()
    for value in ["8", "1", "1", "2", "1"]:  # region unknown, today, no one, not displaced, confirm
        inputs.append(value)
        last = client.post(
            africastalking_url(),
            urlencode(
                {
                    "sessionId": "ATUid_anon",
                    "serviceCode": "*123#",
                    "phoneNumber": USSD_NUMBER,
                    "networkCode": "61002",
                    "text": "*".join(inputs),
                }
            ),
            content_type="application/x-www-form-urlencoded",
        ).content.decode()
    assert last.startswith("END "), (commune_screen, last)
    # Web: the form, with a number typed in the description.
    page = client.get("/report/").content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    web = client.post(
        "/report/",
        {
            "token": token,
            "category": "armed_presence",
            "place": "",
            "description": f"{WEB_WORDS}, mon numero 66.77.88.99",
        },
    )
    assert web.status_code == 200

    from reporting.models import Report

    assert Report.objects.count() == 3
    assert sorted(Report.objects.values_list("channel", flat=True)) == ["sms", "ussd", "web"]
    # The reports are readable through the application, so the test below is not vacuous.
    assert any(SMS_WORDS in (r.description or "") for r in Report.objects.all())
    assert any("[numero masque]" in (r.description or "") for r in Report.objects.all())

    raw = raw_database_bytes()
    assert len(raw) > 10_000
    for secret in secrets():
        assert secret not in raw, f"{secret!r} found in the raw database"

    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records).encode()
    out, err = capfd.readouterr()
    for secret in secrets():
        assert secret not in logged, f"{secret!r} found in the logs"
        assert secret not in (out + err).encode(), f"{secret!r} found on the console"
