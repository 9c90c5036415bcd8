"""The SMS provider timing out for minutes, then back: every queued SMS is handed over
once the provider answers again, none given up, none handed over twice.

The real Twilio backend runs over a transport that times out (``requests.ReadTimeout``,
as a hung API does after TWILIO_HTTP_TIMEOUT_SECONDS); the clock is moved forward by the
sweep's period, as beat would run it, through a 20-minute outage."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from unittest import mock

import pytest
import requests
from django.utils import timezone

from messaging import services, tasks
from messaging.models import OutboundMessage, OutboundStatus

pytestmark = pytest.mark.django_db

COUNT = 20
SWEEP_SECONDS = 30
OUTAGE_MINUTES = 20


def test_a_provider_outage_of_minutes_loses_no_sms(twilio_transport, settings):
    settings.SWEEP_GRACE_SECONDS = 0
    numbers = [f"+2237650{n:04d}" for n in range(COUNT)]
    for number in numbers:
        services.outbound_enqueue(to_number=number, body="Alerte R-TEST: attaque signalee", purpose="alert")

    state = {"down": True}
    accepted: Counter[str] = Counter()

    def reply(request):
        if state["down"]:
            raise requests.exceptions.ReadTimeout("read timed out")
        accepted[request.form["To"]] += 1
        return twilio_transport._default(request)

    twilio_transport.replies.extend([reply] * 100_000)
    start = timezone.now()
    clock = start
    with mock.patch("django.utils.timezone.now", side_effect=lambda: clock):
        while clock < start + timedelta(minutes=OUTAGE_MINUTES):
            tasks.sweep_outbound()
            clock += timedelta(seconds=SWEEP_SECONDS)
        assert not OutboundMessage.objects.filter(status=OutboundStatus.FAILED).exists()
        state["down"] = False
        back = clock
        while OutboundMessage.objects.filter(status=OutboundStatus.QUEUED).exists():
            assert clock < back + timedelta(minutes=5), "SMS still waiting 5 minutes after the provider came back"
            tasks.sweep_outbound()
            clock += timedelta(seconds=SWEEP_SECONDS)

    statuses = Counter(OutboundMessage.objects.values_list("status", flat=True))
    assert statuses == {OutboundStatus.SENT: COUNT}
    # Each SMS accepted by the provider exactly once: none lost, none twice.
    assert accepted == Counter({number: 1 for number in numbers})


def test_an_outage_longer_than_the_outage_window_still_gives_up(twilio_transport, settings):
    settings.SWEEP_GRACE_SECONDS = 0
    settings.SMS_OUTAGE_RETRY_MINUTES = 10
    message = services.outbound_enqueue(to_number="+22376500001", body="Alerte", purpose="alert")
    twilio_transport.replies.extend([requests.exceptions.ReadTimeout("read timed out")] * 1000)
    start = timezone.now()
    clock = start
    with mock.patch("django.utils.timezone.now", side_effect=lambda: clock):
        while clock < start + timedelta(minutes=30):
            tasks.sweep_outbound()
            clock += timedelta(seconds=SWEEP_SECONDS)
    message.refresh_from_db()
    assert message.status == OutboundStatus.FAILED
    assert message.error_code == "timeout"
