"""A send path that never hangs forever: a backend that cannot be built fails its
messages with the reason (and the relay hears), an unexpected error in a backend is
retried a bounded number of times, a send that never finishes is given up after the
attempt cap, and the sweep's one bad row never stops the others."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from messaging import services, tasks
from messaging.backends import BaseSmsBackend, SendResult
from messaging.models import OutboundMessage, OutboundStatus
from tests.messaging.test_outbound import NUMBER, ScriptedBackend, at, claim_and_die, make_due, queued

pytestmark = pytest.mark.django_db


@pytest.fixture
def backend(settings):
    settings.SMS_BACKEND = "tests.messaging.test_outbound.ScriptedBackend"
    settings.SMS_MAX_SEND_ATTEMPTS = 3
    ScriptedBackend.script, ScriptedBackend.calls = [], []
    yield ScriptedBackend
    ScriptedBackend.script, ScriptedBackend.calls = [], []


class ConstructorFails(BaseSmsBackend):
    """A backend whose constructor breaks, as Twilio's did with an unknown argument."""

    name = "broken"

    def __init__(self) -> None:
        raise TypeError("Client.__init__() got an unexpected keyword argument 'timeout'")

    def send(self, *, to: str, body: str) -> SendResult:  # pragma: no cover - never built
        raise AssertionError


def test_a_backend_that_cannot_be_built_fails_the_message_with_its_reason(settings, caplog):
    settings.SMS_BACKEND = f"{__name__}.ConstructorFails"
    message = queued()

    assert services.outbound_send(message_id=message.pk) == "failed"

    message.refresh_from_db()
    assert (message.status, message.error_code) == (OutboundStatus.FAILED, "backend")
    detail = message.events.get(status=OutboundStatus.FAILED).detail
    assert detail == "backend unavailable: TypeError: Client.__init__() got an unexpected keyword argument 'timeout'"
    assert "unexpected keyword argument 'timeout'" in caplog.text
    # Not left in "sending" for the stuck-send release to put back forever.
    assert services.outbound_release_stuck(older_than=timedelta(0)) == 0


def test_the_relay_is_told_when_an_alert_cannot_leave_because_of_the_backend(
    deployment, settings, django_capture_on_commit_callbacks
):
    from alerts.models import AlertEventKind
    from alerts.services import alert_forward
    from focal_points.models import Member
    from tests.alerts.test_forward import ids, triaged

    report = triaged("Dangol-Boré", "armed_attack", "Aminata Guindo")
    aminata = Member.objects.get(name="Aminata Guindo")
    settings.SMS_BACKEND = f"{__name__}.ConstructorFails"
    with django_capture_on_commit_callbacks(execute=True):
        (alert,) = alert_forward(member=aminata, report_id=report.pk, focal_point_ids=ids("Adjudant Coulibaly"))

    alert.refresh_from_db()
    assert alert.outbound.status == OutboundStatus.FAILED
    assert alert.events.filter(kind=AlertEventKind.DELIVERY_FAILED).exists()  # shown on the report page
    # The notice to the relay is queued too (and fails the same way until the setting is fixed).
    notice = OutboundMessage.objects.filter(purpose="alert_failed").get()
    assert notice.status == OutboundStatus.FAILED


class Crashes(BaseSmsBackend):
    name = "crashes"

    def send(self, *, to: str, body: str) -> SendResult:
        raise KeyError("sid")  # a provider library that changed its answer's shape


def test_an_unexpected_error_in_a_backend_is_retried_then_given_up(settings, caplog):
    settings.SMS_BACKEND = f"{__name__}.Crashes"
    settings.SMS_MAX_SEND_ATTEMPTS = 2
    message = queued()

    assert services.outbound_send(message_id=message.pk) == "retry"
    message.refresh_from_db()
    assert (message.status, message.error_code) == (OutboundStatus.QUEUED, "error: KeyError")
    make_due(message)
    assert services.outbound_send(message_id=message.pk) == "failed"

    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboundStatus.FAILED, 2)
    assert "the crashes backend raised" in caplog.text


def test_a_send_that_never_finishes_is_given_up_after_the_attempt_cap(backend):
    message = queued()
    for _ in range(3):
        claim_and_die(backend, message)
        with at(timezone.now() + timedelta(minutes=6)):
            assert services.outbound_release_stuck(older_than=timedelta(minutes=5)) == 1
        message.refresh_from_db()
        if message.status == OutboundStatus.QUEUED:
            make_due(message)

    assert (message.status, message.attempts, message.error_code) == (OutboundStatus.FAILED, 3, "stuck")
    assert message.events.last().detail == "gave up: no outcome after 3 attempts"


def test_one_bad_row_never_stops_the_sweep(backend, settings):
    settings.SWEEP_GRACE_SECONDS = 0
    first, broken, last = queued(), queued(), queued()
    # A row that cannot be read (ciphertext damaged on disk): decrypting it raises.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE messaging_outboundmessage SET body = %s WHERE id = %s", ["v1:garbage", broken.pk])

    with at(timezone.now() + timedelta(minutes=2)):
        done = tasks.sweep_outbound()

    assert done == {"queued": 2, "released": 0, "errors": 1}
    assert [to for to, _ in backend.calls] == [NUMBER, NUMBER]
    first.refresh_from_db()
    last.refresh_from_db()
    assert (first.status, last.status) == (OutboundStatus.SENT, OutboundStatus.SENT)
