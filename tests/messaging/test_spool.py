"""The webhook keeps an SMS in the spool when the database cannot take it, answers 200
(Twilio would not retry an error), and the inbound sweep stores it once, later."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError

from messaging import spool, tasks
from messaging.models import InboundMessage
from tests.conftest import TwilioPhone

pytestmark = pytest.mark.django_db

SID = "SM" + "ab" * 16


@pytest.fixture(autouse=True)
def spool_dir(settings, tmp_path):
    settings.INBOUND_SPOOL_DIR = tmp_path / "spool"
    return settings.INBOUND_SPOOL_DIR


@pytest.fixture
def no_grace(settings) -> None:
    settings.SWEEP_GRACE_SECONDS = 0


def database_down():
    return mock.patch("messaging.services.inbound_store", side_effect=OperationalError("connection refused"))


def test_the_webhook_spools_and_answers_200_when_the_database_is_down(client, spool_dir, settings):
    phone = TwilioPhone(client, "+22376123456")
    with database_down():
        response = phone.send("Attaque au marche de Boni", sid=SID)
    assert response.status_code == 200
    files = list(spool_dir.iterdir())
    assert len(files) == 1
    raw = files[0].read_bytes()
    # Encrypted: neither the text, the number nor the provider's id is readable on disk.
    assert b"Boni" not in raw and b"76123456" not in raw and SID.encode() not in files[0].name.encode() + raw


def test_the_sweep_stores_the_spooled_sms_once(client, spool_dir, no_grace):
    phone = TwilioPhone(client, "+22376123456")
    with database_down():
        phone.send("Attaque au marche de Boni", sid=SID)
        phone.send("Attaque au marche de Boni", sid=SID)  # Twilio's redelivery
    assert spool.spool_count() == 1

    tasks.sweep_inbound()

    assert InboundMessage.objects.filter(provider_message_id=SID).count() == 1
    assert InboundMessage.objects.get(provider_message_id=SID).payload["body"] == "Attaque au marche de Boni"
    assert spool.spool_count() == 0
    tasks.sweep_inbound()
    assert InboundMessage.objects.filter(provider_message_id=SID).count() == 1


def test_a_spooled_sms_that_also_reached_the_database_is_not_stored_twice(client, spool_dir, no_grace):
    phone = TwilioPhone(client, "+22376123456")
    with database_down():
        phone.send("Attaque au marche de Boni", sid=SID)
    phone.send("Attaque au marche de Boni", sid=SID)  # redelivered once the database is back
    tasks.sweep_inbound()
    assert InboundMessage.objects.filter(provider_message_id=SID).count() == 1
    assert spool.spool_count() == 0


def test_the_drain_stops_while_the_database_is_still_down(spool_dir):
    spool.spool_write(provider="twilio", provider_message_id=SID, sender="+22376123456", body="x", num_media=0)
    with database_down():
        assert spool.spool_drain() == 0
    assert spool.spool_count() == 1


def test_an_unreadable_spool_file_is_set_aside_not_deleted(spool_dir):
    spool_dir.mkdir(parents=True)
    (spool_dir / ("0" * 40 + spool.SUFFIX)).write_bytes(b"garbage")
    assert spool.spool_drain() == 0
    assert [p.suffix for p in spool_dir.iterdir()] == [".bad"]
