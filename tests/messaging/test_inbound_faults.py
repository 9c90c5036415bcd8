"""Nothing lost: the inbound path under faults, on SQLite and on PostgreSQL.

Broker down at ingest, the same message delivered twice, a database error in the middle
of processing, a message that keeps failing. In every case the webhook answers 200, the
input stays stored, and exactly one report comes out of it once the fault is gone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import pytest
from django.db import DatabaseError, connection
from kombu.exceptions import OperationalError

from messaging import services, tasks
from messaging.models import ContactVaultEntry, InboundMessage, InboundStatus, OutboundMessage
from reporting import services as reporting_services
from reporting.models import Report, ReportEvent
from veille.phones import number_variants

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _one_task_per_sms(settings) -> None:
    """These faults are those of the per-SMS task (the embedded default's hand-off, and
    the one the list's drain hands a failing id to); the Redis list's own faults (Redis
    down at the webhook, a killed drain, a doubled id) are in test_handoff.py."""
    settings.INBOUND_HANDOFF = "task"


NUMBER = "+22376123456"  # the `phone` fixture's number
BODY = "attaque au marche de Boni, 3 blesses"


@pytest.fixture
def broker_down() -> Iterator[mock.Mock]:
    """Publishing fails as kombu fails when Redis refuses the connection."""
    refused = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with mock.patch.object(tasks.process_inbound, "apply_async", side_effect=refused) as publish:
        yield publish


@pytest.fixture
def run_commits(django_capture_on_commit_callbacks) -> Callable[[Callable[[], Any]], Any]:
    """Run ``work`` and then what it left for after commit (the eager tasks it queued)."""

    def run(work: Callable[[], Any]) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return work()

    return run


@pytest.fixture
def no_grace(settings) -> None:
    # The sweep leaves alone what the normal path may still be doing; here nothing is.
    settings.SWEEP_GRACE_SECONDS = 0


def first_call_then(first: Callable[..., Any], target: Callable[..., Any]) -> Callable[..., Any]:
    """A stand-in that behaves as ``first`` on the first call and as ``target`` after."""
    calls = {"n": 0}

    def side_effect(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        return (first if calls["n"] == 1 else target)(*args, **kwargs)

    return side_effect


def failing_once(exc: Exception, target: Callable[..., Any]) -> Callable[..., Any]:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise exc

    return first_call_then(fail, target)


# --- Broker down at ingest -----------------------------------------------------------


def test_it_stores_the_message_and_answers_200_when_the_broker_is_down(broker_down, phone, gazetteer, outbox, caplog):
    caplog.set_level(logging.WARNING, logger="messaging.services")

    response = phone.send(BODY)

    assert response.status_code == 200
    assert b"<Response/>" in response.content
    broker_down.assert_called_once()
    message = InboundMessage.objects.get()
    assert message.status == InboundStatus.PENDING
    assert message.attempts == 0
    assert message.payload["body"] == BODY
    assert Report.objects.count() == 0
    assert "left for the sweep" in caplog.text
    for variant in number_variants(NUMBER):
        assert variant not in caplog.text


def test_the_sweep_turns_a_message_stored_while_the_broker_was_down_into_one_report(
    broker_down, phone, gazetteer, outbox, run_commits, no_grace
):
    phone.send(BODY)

    first = run_commits(tasks.sweep_inbound)
    second = run_commits(tasks.sweep_inbound)

    assert first == {"processed": 1, "errors": 0}
    assert second == {"processed": 0, "errors": 0}
    message = InboundMessage.objects.get()
    assert message.status == InboundStatus.PROCESSED
    assert message.attempts == 1
    assert "reply_to" not in message.payload
    report = Report.objects.get()
    assert report.description == BODY
    assert [sms.to for sms in outbox] == [NUMBER]


def test_the_sweep_leaves_fresh_messages_to_the_normal_path(
    broker_down, phone, gazetteer, outbox, run_commits, settings
):
    settings.SWEEP_GRACE_SECONDS = 60
    phone.send(BODY)

    assert run_commits(tasks.sweep_inbound) == {"processed": 0, "errors": 0}
    assert InboundMessage.objects.get().status == InboundStatus.PENDING


def test_two_sweeps_never_run_at_once(broker_down, phone, gazetteer, outbox, run_commits, no_grace):
    phone.send(BODY)

    with tasks.single_run("sweep_inbound") as acquired:
        assert acquired
        assert run_commits(tasks.sweep_inbound) == {"processed": 0, "errors": 0}
    assert run_commits(tasks.sweep_inbound) == {"processed": 1, "errors": 0}
    assert Report.objects.count() == 1


# --- The same message delivered twice ------------------------------------------------


def test_the_same_message_delivered_twice_makes_one_row_and_one_report(phone, gazetteer, outbox):
    sid = "SM" + "e1" * 16

    first = phone.send(BODY, sid=sid)
    second = phone.send(BODY, sid=sid)

    assert first.status_code == second.status_code == 200
    assert InboundMessage.objects.get().status == InboundStatus.PROCESSED
    assert Report.objects.get().message_count == 1
    assert len(outbox) == 1  # one receipt, not two


def test_a_redelivery_while_the_first_copy_waits_for_the_sweep_is_still_one_report(
    broker_down, phone, gazetteer, outbox, run_commits, no_grace
):
    sid = "SM" + "e2" * 16
    phone.send(BODY, sid=sid)
    phone.send(BODY, sid=sid)

    run_commits(tasks.sweep_inbound)

    assert broker_down.call_count == 1  # the copy was recognised before anything was queued
    assert InboundMessage.objects.count() == 1
    assert Report.objects.get().message_count == 1


def test_the_store_returns_the_first_row_for_a_redelivery(broker_down, db):
    first, created = services.inbound_store(
        provider="twilio", provider_message_id="SM" + "e3" * 16, sender=NUMBER, body="a"
    )
    again, created_again = services.inbound_store(
        provider="twilio", provider_message_id="SM" + "e3" * 16, sender=NUMBER, body="b"
    )

    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert again.payload["body"] == "a"


# --- A database error during processing ----------------------------------------------


def _mocked_error() -> Callable[..., Any]:
    # The message names a number: it must not reach the row.
    return failing_once(
        DatabaseError(f"deadlock detected while writing {BODY} for {NUMBER}"), reporting_services.report_route
    )


def _real_sql_error() -> Callable[..., Any]:
    # A statement the database itself refuses: on PostgreSQL it also aborts the
    # transaction, which only a rollback (to the savepoint) makes usable again.
    def broken(*args: Any, **kwargs: Any) -> Any:
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM veille_no_such_table")
        raise AssertionError("the statement above must fail")

    return first_call_then(broken, reporting_services.report_route)


FAILURES = {"mocked DatabaseError": _mocked_error, "real failing SQL statement": _real_sql_error}


@pytest.mark.parametrize("make_failure", FAILURES.values(), ids=FAILURES)
def test_a_database_error_rolls_everything_back_and_the_next_attempt_processes_once(
    make_failure: Callable[[], Callable[..., Any]], broker_down, phone, gazetteer, outbox, run_commits
):
    phone.send(BODY)
    inbound_id = InboundMessage.objects.get().pk

    # report_route runs after the report and its first event were written: a failure
    # there leaves a half report unless the whole processing transaction rolls back.
    with mock.patch.object(reporting_services, "report_route", side_effect=make_failure()):
        with pytest.raises(DatabaseError) as raised:
            run_commits(lambda: services.inbound_process(inbound_id=inbound_id))

        message = InboundMessage.objects.get()
        assert message.status == InboundStatus.PENDING
        assert message.attempts == 1
        assert message.last_error == type(raised.value).__name__
        assert NUMBER not in message.last_error and "Boni" not in message.last_error
        assert message.payload["reply_to"] == NUMBER  # still there: the reply is not lost
        assert Report.objects.count() == 0
        assert ReportEvent.objects.count() == 0
        assert ContactVaultEntry.objects.count() == 0
        assert OutboundMessage.objects.count() == 0

        assert run_commits(lambda: services.inbound_process(inbound_id=inbound_id)) == "processed"

    assert run_commits(lambda: services.inbound_process(inbound_id=inbound_id)) == "already-done"
    message = InboundMessage.objects.get()
    assert (message.status, message.attempts, message.last_error) == (InboundStatus.PROCESSED, 2, "")
    assert Report.objects.count() == 1
    assert ContactVaultEntry.objects.get().number == NUMBER
    assert [sms.to for sms in outbox] == [NUMBER]


def test_a_processing_error_never_fails_the_webhook(phone, gazetteer, outbox):
    with mock.patch.object(reporting_services, "report_submit", side_effect=DatabaseError("x")):
        response = phone.send(BODY)  # eager: the task runs inline, after commit

    assert response.status_code == 200
    message = InboundMessage.objects.get()
    assert (message.status, message.attempts, message.last_error) == (InboundStatus.PENDING, 1, "DatabaseError")
    assert Report.objects.count() == 0


def test_the_task_retries_after_a_database_error(broker_down, phone, gazetteer, outbox, run_commits):
    phone.send(BODY)
    inbound_id = InboundMessage.objects.get().pk
    error = DatabaseError("could not serialize access")

    with mock.patch.object(
        reporting_services, "report_route", side_effect=failing_once(error, reporting_services.report_route)
    ):
        # throw=False: the retry chain runs as a worker would run it (eagerly, without
        # waiting for the countdown).
        result = run_commits(lambda: tasks.process_inbound.apply(args=[inbound_id], throw=False))

    assert result.get() == "processed"
    message = InboundMessage.objects.get()
    assert (message.status, message.attempts, message.last_error) == (InboundStatus.PROCESSED, 2, "")
    assert Report.objects.count() == 1
    assert len(outbox) == 1


def test_the_sweep_retries_after_a_database_error(broker_down, phone, gazetteer, outbox, run_commits, no_grace):
    phone.send(BODY)
    error = DatabaseError("server closed the connection unexpectedly")

    with mock.patch.object(reporting_services, "report_submit", side_effect=error):
        assert run_commits(tasks.sweep_inbound) == {"processed": 0, "errors": 1}
    assert InboundMessage.objects.get().last_error == "DatabaseError"
    assert run_commits(tasks.sweep_inbound) == {"processed": 1, "errors": 0}

    assert Report.objects.count() == 1


@pytest.fixture
def retries_run_through() -> Iterator[None]:
    """Eager retries re-apply with the app's default, which propagates the Retry: let
    the whole retry chain run as a worker would run it instead."""
    from veille.celery import app

    before = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    try:
        yield
    finally:
        app.conf.task_eager_propagates = before


def test_the_task_gives_up_after_max_attempts(
    broker_down, phone, gazetteer, outbox, run_commits, settings, retries_run_through
):
    settings.INBOUND_MAX_ATTEMPTS = 3
    settings.SWEEP_GRACE_SECONDS = 0
    phone.send(BODY)
    inbound_id = InboundMessage.objects.get().pk

    with mock.patch.object(reporting_services, "report_submit", side_effect=DatabaseError("disk full")):
        result = tasks.process_inbound.apply(args=[inbound_id], throw=False)

        assert result.state == "FAILURE"
        message = InboundMessage.objects.get()
        assert (message.status, message.attempts, message.last_error) == (InboundStatus.FAILED, 3, "DatabaseError")
        # Failed rows are kept (work not done) but no longer swept or processed.
        assert run_commits(tasks.sweep_inbound) == {"processed": 0, "errors": 0}
        assert services.inbound_process(inbound_id=inbound_id) == "already-done"

    message.refresh_from_db()
    assert message.attempts == 3
    assert message.payload["body"] == BODY
    assert Report.objects.count() == 0


def test_the_sweep_gives_up_after_max_attempts(phone, gazetteer, outbox, run_commits, settings):
    settings.INBOUND_MAX_ATTEMPTS = 3
    settings.SWEEP_GRACE_SECONDS = 0

    with mock.patch.object(reporting_services, "report_submit", side_effect=DatabaseError("disk full")):
        phone.send(BODY)  # attempt 1, inline
        sweeps = [run_commits(tasks.sweep_inbound) for _ in range(3)]

    assert sweeps == [{"processed": 0, "errors": 1}, {"processed": 0, "errors": 1}, {"processed": 0, "errors": 0}]
    message = InboundMessage.objects.get()
    assert (message.status, message.attempts) == (InboundStatus.FAILED, 3)


def test_the_service_alone_gives_up_after_max_attempts(broker_down, phone, gazetteer, settings):
    settings.INBOUND_MAX_ATTEMPTS = 2
    phone.send(BODY)
    inbound_id = InboundMessage.objects.get().pk

    with mock.patch.object(reporting_services, "report_submit", side_effect=DatabaseError("x")):
        for _ in range(2):
            with pytest.raises(DatabaseError):
                services.inbound_process(inbound_id=inbound_id)

    message = InboundMessage.objects.get()
    assert (message.status, message.attempts) == (InboundStatus.FAILED, 2)


# --- Idempotence ---------------------------------------------------------------------


def test_processing_an_already_processed_message_is_a_no_op(phone, gazetteer, outbox, run_commits):
    phone.send(BODY)
    message = InboundMessage.objects.get()
    assert message.status == InboundStatus.PROCESSED

    outcomes = [run_commits(lambda: tasks.process_inbound.apply(args=[message.pk]).get()) for _ in range(3)]

    assert outcomes == ["already-done"] * 3
    again = InboundMessage.objects.get()
    assert (again.attempts, again.processed_at) == (message.attempts, message.processed_at)
    assert Report.objects.get().message_count == 1
    assert len(outbox) == 1


def test_processing_a_missing_message_is_a_no_op(db):
    assert services.inbound_process(inbound_id=987654) == "missing"
