from datetime import UTC, datetime, timedelta
from unittest import mock
import pytest
from messaging import pacing, services
from messaging.models import OutboundMessage, OutboundStatus
from tests.messaging.test_outbound import backend, queued, ScriptedBackend  # noqa

pytestmark = pytest.mark.django_db

def test_sim(backend, settings):
    settings.SMS_SEND_RATE_PER_SECOND = 1.0
    settings.SMS_MAX_INLINE_WAIT_SECONDS = 5
    settings.SMS_MAX_SEND_ATTEMPTS = 100
    clock = {"t": 1_900_000_000.0}
    real = pacing.reserve_slot
    msgs = [queued() for _ in range(30)]
    sleeps = []
    with mock.patch.object(pacing, "reserve_slot", lambda: real(now=lambda: clock["t"])), \
         mock.patch("django.utils.timezone.now", lambda: datetime.fromtimestamp(clock["t"], UTC)), \
         mock.patch("messaging.services.time.sleep", lambda s: sleeps.append(s)):
        outcomes = []
        for second in range(300):
            for m in OutboundMessage.objects.filter(status=OutboundStatus.QUEUED):
                outcomes.append(services.outbound_send(message_id=m.pk))
            clock["t"] += 1
    from collections import Counter
    print(Counter(outcomes), Counter(OutboundMessage.objects.values_list("status", flat=True)), len(backend.calls))
    print(list(OutboundMessage.objects.values_list("attempts", flat=True)))
