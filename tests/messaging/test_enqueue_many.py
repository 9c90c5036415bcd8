"""Broadcasts queue in bulk: one transaction, opted-out and repeated numbers skipped, an
event row and a task per message, nothing published if the transaction rolls back."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import transaction

from messaging import services
from messaging.models import OptOut, OutboundEvent, OutboundMessage, OutboundStatus, Priority
from veille.phones import pseudonym_for

pytestmark = pytest.mark.django_db


def numbers(count: int) -> list[str]:
    return [f"+2237{index:07d}" for index in range(count)]


def test_queues_every_recipient_with_its_event_and_task(django_capture_on_commit_callbacks) -> None:
    with (
        mock.patch("messaging.tasks.send_outbound.apply_async") as publish,
        django_capture_on_commit_callbacks(execute=True),
    ):
        created = services.outbound_enqueue_many(
            messages=[(number, "Veille: mine signalee sur la route") for number in numbers(1200)],
            purpose="community_alert",
            priority=Priority.BULK,
        )
    assert len(created) == 1200
    assert OutboundMessage.objects.filter(status=OutboundStatus.QUEUED, priority=Priority.BULK).count() == 1200
    assert OutboundEvent.objects.filter(status=OutboundStatus.QUEUED).count() == 1200
    published = sorted(call.kwargs["args"][0] for call in publish.call_args_list)
    assert published == sorted(message.pk for message in created)
    assert {call.kwargs["priority"] for call in publish.call_args_list} == {Priority.BULK}
    # Stored encrypted and pseudonymised like a single enqueue.
    first = OutboundMessage.objects.get(pk=created[0].pk)
    assert first.recipient == "+22370000000"
    assert first.recipient_pseudonym == pseudonym_for("+22370000000")


def test_skips_opted_out_and_repeated_numbers() -> None:
    OptOut.objects.create(pseudonym=pseudonym_for("+22370000001"))
    with mock.patch("messaging.tasks.send_outbound.apply_async"):
        created = services.outbound_enqueue_many(
            messages=[
                ("+22370000000", "a"),
                ("+223 70 00 00 00", "a"),  # the same number, written differently
                ("+22370000001", "a"),
                ("+22370000002", "a"),
            ],
            purpose="community_alert",
        )
    assert sorted(message.recipient for message in OutboundMessage.objects.filter(pk__in=[m.pk for m in created])) == [
        "+22370000000",
        "+22370000002",
    ]


def test_nothing_published_when_the_caller_rolls_back() -> None:
    with mock.patch("messaging.tasks.send_outbound.apply_async") as publish:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                services.outbound_enqueue_many(messages=[("+22370000000", "a")], purpose="community_alert")
                raise RuntimeError("the caller failed after queueing")
    publish.assert_not_called()
    assert not OutboundMessage.objects.exists()


def test_sent_through_the_queue(outbox, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.outbound_enqueue_many(messages=[(n, "Veille: alerte") for n in numbers(3)], purpose="community_alert")
    assert sorted(sms.to for sms in outbox) == numbers(3)
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {OutboundStatus.SENT}


def test_publishes_one_dispatch_task_per_chunk(django_capture_on_commit_callbacks) -> None:
    with (
        mock.patch("messaging.tasks.dispatch_outbound.apply_async") as dispatch,
        django_capture_on_commit_callbacks(execute=True),
    ):
        created = services.outbound_enqueue_many(
            messages=[(number, "Veille: alerte") for number in numbers(250)],
            purpose="community_alert",
            priority=Priority.BULK,
        )
    chunks = [call.kwargs["args"][0] for call in dispatch.call_args_list]
    assert [len(chunk) for chunk in chunks] == [100, 100, 50]
    assert [pk for chunk in chunks for pk in chunk] == [message.pk for message in created]
    assert {call.kwargs["priority"] for call in dispatch.call_args_list} == {Priority.BULK}
