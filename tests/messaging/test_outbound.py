"""Outbound SMS: queued, never sent inline, retried with backoff, given up on, cancelled
for opted-out recipients, released when a worker died mid-send; every status change an
event row."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import ClassVar
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from messaging import services, tasks
from messaging.backends import BaseSmsBackend, PermanentSendError, SendResult, TransientSendError
from messaging.models import OptOut, OutboundEvent, OutboundMessage, OutboundStatus, Priority
from veille.phones import pseudonym_for

pytestmark = pytest.mark.django_db

NUMBER = "+22376123456"
BODY = "Veille: message recu. Code de suivi: K7M2"
Q, SENDING, SENT, FAILED, CANCELLED = (
    OutboundStatus.QUEUED,
    OutboundStatus.SENDING,
    OutboundStatus.SENT,
    OutboundStatus.FAILED,
    OutboundStatus.CANCELLED,
)


class ScriptedBackend(BaseSmsBackend):
    """Answers each send with the next scripted outcome (an exception to raise, or None
    for success) and records what it was asked to send."""

    name = "scripted"
    script: ClassVar[list[Exception | None]] = []
    calls: ClassVar[list[tuple[str, str]]] = []

    def send(self, *, to: str, body: str) -> SendResult:
        ScriptedBackend.calls.append((to, body))
        outcome = ScriptedBackend.script.pop(0) if ScriptedBackend.script else None
        if outcome is not None:
            raise outcome
        return SendResult(provider_message_id=f"SM{len(ScriptedBackend.calls):032x}")


@pytest.fixture
def backend(settings) -> Iterator[type[ScriptedBackend]]:
    settings.SMS_BACKEND = f"{__name__}.ScriptedBackend"
    settings.SMS_MAX_SEND_ATTEMPTS = 3
    ScriptedBackend.script, ScriptedBackend.calls = [], []
    yield ScriptedBackend
    ScriptedBackend.script, ScriptedBackend.calls = [], []


@pytest.fixture
def eager_off() -> Iterator[None]:
    from veille.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = before


def queued(priority: int = Priority.NORMAL) -> OutboundMessage:
    """A queued message whose task was not run (no commit happens inside a test)."""
    message = services.outbound_enqueue(to_number=NUMBER, body=BODY, purpose="receipt", priority=priority)
    assert message is not None
    return message


def events(message: OutboundMessage) -> list[str]:
    return list(OutboundEvent.objects.filter(message=message).values_list("status", flat=True))


def assert_close(moment: datetime | None, expected: datetime, slack: timedelta = timedelta(seconds=5)) -> None:
    assert moment is not None
    assert abs(moment - expected) <= slack, f"{moment} is not within {slack} of {expected}"


def make_due(message: OutboundMessage) -> None:
    """The backoff delay has passed."""
    OutboundMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


# --- Queueing ------------------------------------------------------------------------


def test_it_never_sends_inline_and_queues_the_id_only(backend, eager_off, django_capture_on_commit_callbacks):
    with mock.patch.object(tasks.send_outbound, "apply_async") as publish:
        with django_capture_on_commit_callbacks(execute=True):
            message = queued(priority=Priority.URGENT)
            publish.assert_not_called()  # not before the row is committed

    publish.assert_called_once_with(args=(message.pk,), priority=int(Priority.URGENT))
    assert backend.calls == []
    message.refresh_from_db()
    assert message.status == Q
    assert message.attempts == 0
    assert events(message) == [Q]


def test_with_eager_tasks_the_send_still_waits_for_the_commit(backend, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = queued()
        assert backend.calls == []

    assert backend.calls == [(NUMBER, BODY)]
    message.refresh_from_db()
    assert message.status == SENT
    assert events(message) == [Q, SENDING, SENT]


def test_it_stores_recipient_and_body_encrypted(backend):
    from django.db import connection

    message = queued()

    with connection.cursor() as cursor:
        cursor.execute("SELECT recipient, body FROM messaging_outboundmessage WHERE id = %s", [message.pk])
        recipient, body = (bytes(value) for value in cursor.fetchone())
    assert b"76123456" not in recipient
    assert b"Code de suivi" not in body
    assert message.recipient_pseudonym == pseudonym_for(NUMBER)


# --- Transient and permanent errors --------------------------------------------------


def test_a_transient_error_is_retried_with_growing_backoff_then_given_up(backend):
    # 20429 (too many requests) is about this sender's traffic, not a provider outage:
    # the attempt cap holds (outages: tests/messaging/test_provider_outage.py).
    backend.script = [TransientSendError("20429"), TransientSendError("503"), TransientSendError("20429")]
    message = queued()

    assert services.outbound_send(message_id=message.pk) == "retry"
    message.refresh_from_db()
    assert (message.status, message.attempts, message.error_code) == (Q, 1, "20429")
    assert_close(message.next_attempt_at, timezone.now() + timedelta(seconds=10))

    # Not due yet: nothing is sent, nothing changes.
    assert services.outbound_send(message_id=message.pk) == "not-due"
    assert len(backend.calls) == 1

    make_due(message)
    assert services.outbound_send(message_id=message.pk) == "retry"
    message.refresh_from_db()
    assert (message.status, message.attempts, message.error_code) == (Q, 2, "503")
    assert_close(message.next_attempt_at, timezone.now() + timedelta(seconds=20))

    make_due(message)
    assert services.outbound_send(message_id=message.pk) == "failed"
    message.refresh_from_db()
    assert (message.status, message.attempts, message.error_code) == (FAILED, 3, "20429")
    assert len(backend.calls) == 3
    assert events(message) == [Q, SENDING, Q, SENDING, Q, SENDING, FAILED]
    details = list(OutboundEvent.objects.filter(message=message).values_list("detail", flat=True))
    assert details[-1] == "gave up: 20429"

    # A failed message stays failed.
    assert services.outbound_send(message_id=message.pk) == "already-done"
    assert len(backend.calls) == 3


def test_the_backoff_is_capped(backend):
    assert [services._backoff(n).total_seconds() for n in (1, 2, 3, 4, 8, 20)] == [10, 20, 40, 80, 1280, 1800]


def test_a_transient_error_then_success_sends_once(backend):
    backend.script = [TransientSendError("503"), None]
    message = queued()

    services.outbound_send(message_id=message.pk)
    make_due(message)
    assert services.outbound_send(message_id=message.pk) == "sent"

    message.refresh_from_db()
    assert (message.status, message.attempts) == (SENT, 2)
    assert message.provider_message_id == f"SM{2:032x}"
    assert message.sent_at is not None
    assert events(message) == [Q, SENDING, Q, SENDING, SENT]


def test_the_task_schedules_the_retry_at_the_backoff_time(backend):
    backend.script = [TransientSendError("503")]
    message = queued()

    with mock.patch.object(tasks.send_outbound, "apply_async") as schedule:
        assert tasks.send_outbound.apply(args=[message.pk]).get() == "retry"

    message.refresh_from_db()
    schedule.assert_called_once()
    kwargs = schedule.call_args.kwargs
    assert list(kwargs["args"]) == [message.pk]
    assert kwargs["eta"] == message.next_attempt_at
    assert kwargs.get("priority", message.priority) == message.priority


def test_the_sweep_leaves_a_just_due_message_to_its_own_task(backend, settings):
    """A retry or a paced message just due has its ETA task on the way: the sweep takes
    it only once it is overdue by the grace period (its task lost)."""
    settings.SWEEP_GRACE_SECONDS = 60
    backend.script = [TransientSendError("503")]
    message = queued()
    services.outbound_send(message_id=message.pk)
    message.refresh_from_db()
    due = message.next_attempt_at

    with at(due + timedelta(seconds=30)):
        assert tasks.sweep_outbound() == {"queued": 0, "released": 0, "errors": 0}
    with at(due + timedelta(seconds=61)):
        assert tasks.sweep_outbound() == {"queued": 1, "released": 0, "errors": 0}

    message.refresh_from_db()
    assert message.status == SENT
    assert len(backend.calls) == 2


def test_a_reporter_s_message_is_not_taken_for_lost_for_its_time_kept_to_the_minute(backend, settings):
    """Queued at 10:00:59, a receipt's creation time reads 10:00:00: a minute later it
    is one second old, not sixty, and its own task is still on the way."""
    settings.SWEEP_GRACE_SECONDS = 60
    queued_at = datetime(2026, 12, 2, 10, 0, 59, tzinfo=UTC)
    with at(queued_at):
        services.vault_store(pseudonym=pseudonym_for(NUMBER), number=NUMBER)
        receipt = services.outbound_enqueue_to_pseudonym(
            pseudonym=pseudonym_for(NUMBER), body=BODY, purpose="resident_receipt", priority=Priority.REPLY
        )
    assert receipt is not None and receipt.created_at == queued_at.replace(second=0)

    with at(queued_at + timedelta(seconds=30)):
        assert tasks.sweep_outbound()["queued"] == 0  # 30 s old: its task has it
    with at(queued_at + timedelta(seconds=61)):
        assert tasks.sweep_outbound()["queued"] == 1  # past the grace: taken for lost

    receipt.refresh_from_db()
    assert receipt.status == SENT


def test_the_sweep_sends_a_retry_once_it_is_due(backend, settings):
    settings.SWEEP_GRACE_SECONDS = 0
    backend.script = [TransientSendError("503")]
    message = queued()
    services.outbound_send(message_id=message.pk)

    assert tasks.sweep_outbound() == {"queued": 0, "released": 0, "errors": 0}  # not due yet
    make_due(message)
    assert tasks.sweep_outbound() == {"queued": 1, "released": 0, "errors": 0}

    message.refresh_from_db()
    assert message.status == SENT
    assert len(backend.calls) == 2


@pytest.mark.parametrize("code", ["21211", "21610", "21614"])
def test_a_permanent_error_fails_at_once(code: str, backend):
    backend.script = [PermanentSendError(code)]
    message = queued()

    with mock.patch.object(tasks.send_outbound, "apply_async") as schedule:
        assert tasks.send_outbound.apply(args=[message.pk]).get() == "failed"

    schedule.assert_not_called()
    message.refresh_from_db()
    assert (message.status, message.attempts, message.error_code) == (FAILED, 1, code)
    assert message.next_attempt_at is None
    assert events(message) == [Q, SENDING, FAILED]


# --- Opt-out -------------------------------------------------------------------------


def test_nothing_is_queued_for_an_opted_out_number(backend):
    OptOut.objects.create(pseudonym=pseudonym_for(NUMBER))

    assert services.outbound_enqueue(to_number="76 12 34 56", body=BODY, purpose="receipt") is None
    assert OutboundMessage.objects.count() == 0


def test_a_message_queued_before_the_opt_out_is_cancelled_when_its_turn_comes(backend):
    message = queued()
    OptOut.objects.create(pseudonym=pseudonym_for(NUMBER))

    assert services.outbound_send(message_id=message.pk) == "cancelled"

    message.refresh_from_db()
    assert message.status == CANCELLED
    assert backend.calls == []
    assert events(message) == [Q, CANCELLED]
    assert OutboundEvent.objects.filter(message=message).last().detail == "opted out"


def test_opting_out_cancels_queued_messages_with_an_event(backend):
    message = queued()

    services.opt_out(pseudonym=pseudonym_for(NUMBER))

    message.refresh_from_db()
    assert message.status == CANCELLED
    assert events(message) == [Q, CANCELLED]


# --- Worker lost mid-send ------------------------------------------------------------


class WorkerKilled(BaseException):
    """What a worker killed in the middle of a send looks like from inside: the code
    after the claim never runs."""


def at(moment: datetime):
    """Run the block as if it were ``moment`` (row timestamps included)."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


def claim_and_die(backend: type[ScriptedBackend], message: OutboundMessage) -> None:
    """A worker claims ``message`` through the service, then dies before it finishes."""
    backend.script = [WorkerKilled()]
    with pytest.raises(WorkerKilled):
        services.outbound_send(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == SENDING


def test_the_sweep_releases_a_message_stuck_in_sending_and_sends_it(backend, settings):
    settings.SWEEP_GRACE_SECONDS = 0
    message = queued()
    claim_and_die(backend, message)

    with at(timezone.now() + timedelta(minutes=6)):
        assert tasks.sweep_outbound() == {"queued": 1, "released": 1, "errors": 0}

    message.refresh_from_db()
    assert (message.status, message.attempts) == (SENT, 2)
    assert backend.calls == [(NUMBER, BODY), (NUMBER, BODY)]
    assert events(message) == [Q, SENDING, Q, SENDING, SENT]
    details = OutboundEvent.objects.filter(message=message).values_list("detail", flat=True)
    assert "released after worker loss" in details


def test_the_sweep_leaves_a_message_a_live_worker_is_sending(backend, settings):
    settings.SWEEP_GRACE_SECONDS = 0
    message = queued()
    claim_and_die(backend, message)

    with at(timezone.now() + timedelta(minutes=1)):
        assert tasks.sweep_outbound() == {"queued": 0, "released": 0, "errors": 0}

    message.refresh_from_db()
    assert message.status == SENDING
    assert len(backend.calls) == 1


def test_a_message_queued_long_ago_but_claimed_just_now_is_not_released(backend):
    # Queued during a broker outage half an hour ago, claimed by a live worker now: the
    # old "queued" event must not make the fresh claim look stuck (it would be sent twice).
    with at(timezone.now() - timedelta(minutes=30)):
        message = queued()
    claim_and_die(backend, message)

    assert services.outbound_release_stuck(older_than=timedelta(minutes=5)) == 0

    message.refresh_from_db()
    assert message.status == SENDING


def test_a_message_claimed_again_after_a_retry_is_not_released(backend):
    # Attempt 1, twenty minutes ago, failed transiently; attempt 2 is being sent now.
    with at(timezone.now() - timedelta(minutes=20)):
        message = queued()
        backend.script = [TransientSendError("503")]
        assert services.outbound_send(message_id=message.pk) == "retry"
    make_due(message)
    claim_and_die(backend, message)

    assert services.outbound_release_stuck(older_than=timedelta(minutes=5)) == 0

    message.refresh_from_db()
    assert (message.status, message.attempts) == (SENDING, 2)


# --- Every status change is an event -------------------------------------------------


def test_every_status_change_leaves_an_event(backend, settings):
    settings.SWEEP_GRACE_SECONDS = 0
    backend.script = [TransientSendError("503"), None, PermanentSendError("21211")]
    retried, failed, cancelled = queued(), queued(), queued()
    services.outbound_send(message_id=retried.pk)
    make_due(retried)
    services.outbound_send(message_id=retried.pk)
    services.outbound_send(message_id=failed.pk)
    OptOut.objects.create(pseudonym=pseudonym_for(NUMBER))
    services.outbound_send(message_id=cancelled.pk)

    for message in OutboundMessage.objects.all():
        history = events(message)
        assert history[0] == Q
        assert history[-1] == message.status
        assert all(a != b for a, b in itertools.pairwise(history)), history
    assert [events(m) for m in (retried, failed, cancelled)] == [
        [Q, SENDING, Q, SENDING, SENT],
        [Q, SENDING, FAILED],
        [Q, CANCELLED],
    ]


# --- Pacing --------------------------------------------------------------------------


def test_a_backlog_longer_than_the_inline_wait_drains_at_the_provider_rate(backend, settings):
    from messaging import pacing

    settings.SMS_SEND_RATE_PER_SECOND = 1.0
    settings.SMS_MAX_INLINE_WAIT_SECONDS = 2
    settings.SMS_MAX_SEND_ATTEMPTS = 1000
    clock = {"t": 1_900_000_000.0}
    reserve = pacing.reserve
    backlog = [queued() for _ in range(12)]

    # A simulated minute: each second, every due message is handed to outbound_send, as
    # its eta task would be. At one SMS a second, twelve messages need twelve seconds.
    with (
        mock.patch.object(pacing, "reserve", lambda **kw: reserve(now=lambda: clock["t"], **kw)),
        mock.patch("django.utils.timezone.now", lambda: datetime.fromtimestamp(clock["t"], UTC)),
        mock.patch("messaging.services.time.sleep"),
    ):
        for _ in range(60):
            now = datetime.fromtimestamp(clock["t"], UTC)
            due = OutboundMessage.objects.filter(status=Q).exclude(next_attempt_at__gt=now)
            for message_id in due.values_list("pk", flat=True):
                services.outbound_send(message_id=message_id)
            clock["t"] += 1

    assert len(backend.calls) == len(backlog)
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {SENT}


def test_pacing_does_not_use_up_send_attempts(backend, settings):
    from messaging import pacing

    settings.SMS_MAX_SEND_ATTEMPTS = 2
    backend.script = [TransientSendError("503")]
    message = queued()

    with mock.patch.object(
        pacing, "reserve", side_effect=[pacing.Reservation(60.0, 1, ""), pacing.Reservation(0.0, 2, "")]
    ):
        assert services.outbound_send(message_id=message.pk) == "paced"
        make_due(message)
        outcome = services.outbound_send(message_id=message.pk)

    assert outcome == "retry"  # the provider failed once: that is one attempt, not the last


def test_a_task_delivered_a_moment_early_still_sends(backend):
    """The worker's timer may fire a few milliseconds before ``next_attempt_at``."""
    message = queued()
    OutboundMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() + timedelta(seconds=0.3))

    assert services.outbound_send(message_id=message.pk) == "sent"


def test_a_task_delivered_long_before_its_time_is_queued_again_for_it(backend):
    message = queued()
    due = timezone.now() + timedelta(minutes=2)
    OutboundMessage.objects.filter(pk=message.pk).update(next_attempt_at=due)

    with mock.patch.object(tasks.send_outbound, "apply_async") as publish:
        assert tasks.send_outbound.run(message.pk) == "not-due"

    publish.assert_called_once()
    assert publish.call_args.kwargs["eta"] == due
    assert backend.calls == []


# A send's statements, from the queued row to "sent" with its two event rows. PostgreSQL
# writes each status change and its event in one statement (messaging/services.py,
# ``_claim_in_one_statement`` and ``_save_status_in_one_statement``): the claim in its
# savepoint (3) and the "sent" change (1); SQLite goes through the ORM (the locking read,
# then an UPDATE and an INSERT per change, in the savepoint: 7).
SEND_BUDGET = {"postgresql": 4, "sqlite": 7}


def test_a_send_stays_within_its_statement_budget(settings, django_assert_max_num_queries) -> None:
    settings.SMS_BACKEND = "messaging.backends.locmem.LocmemBackend"
    message = queued()
    with django_assert_max_num_queries(SEND_BUDGET[connection.vendor]):
        assert services.outbound_send(message_id=message.pk) == "sent"
    message.refresh_from_db()
    assert message.status == OutboundStatus.SENT and message.attempts == 1
    assert message.provider == "locmem" and message.provider_message_id
    assert events(message) == ["queued", "sending", "sent"]


def test_a_send_the_one_statement_claim_passes_over_is_explained(settings) -> None:
    """Opted out, not due or already sent: the claim statement leaves the row alone and
    the full look gives the reason, as before."""
    settings.SMS_BACKEND = "messaging.backends.locmem.LocmemBackend"
    later = queued()
    OutboundMessage.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + timedelta(minutes=5))
    assert services.outbound_send(message_id=later.pk) == "not-due"
    stopped = queued()
    # Recorded as the opt-out of another process would be, after the message was queued.
    OptOut.objects.create(pseudonym=stopped.recipient_pseudonym)
    assert services.outbound_send(message_id=stopped.pk) == "cancelled"
    assert services.outbound_send(message_id=stopped.pk) == "already-done"
    assert services.outbound_send(message_id=999_999) == "missing"
    assert events(later) == ["queued"] and events(stopped) == ["queued", "cancelled"]
