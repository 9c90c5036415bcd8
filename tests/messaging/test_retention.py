from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging import services, tasks
from messaging.models import (
    ContactVaultEntry,
    InboundMessage,
    InboundStatus,
    OptOut,
    OutboundEvent,
    OutboundMessage,
    OutboundStatus,
)

pytestmark = pytest.mark.django_db


def test_it_purges_expired_vault_entries_only():
    services.vault_store(pseudonym="p1:old", number="+22376000001")
    services.vault_store(pseudonym="p1:new", number="+22376000002")
    ContactVaultEntry.objects.filter(pseudonym="p1:old").update(expires_at=timezone.now() - timedelta(seconds=1))

    assert tasks.purge_contact_vault() == 1

    assert list(ContactVaultEntry.objects.values_list("pseudonym", flat=True)) == ["p1:new"]
    assert services.vault_lookup(pseudonym="p1:old") is None


def test_it_purges_old_processed_messages_but_keeps_work_not_done(settings):
    long_ago = timezone.now() - timedelta(days=settings.INBOUND_RETENTION_DAYS + 1)
    for n, status in enumerate([InboundStatus.PROCESSED, InboundStatus.FAILED, InboundStatus.PENDING]):
        InboundMessage.objects.create(
            provider="twilio",
            provider_message_id=f"SM{n}",
            sender_pseudonym="p1:x",
            payload={},
            status=status,
            received_at=long_ago,
        )
    queued = OutboundMessage.objects.create(
        recipient="+22376000001", recipient_pseudonym="p1:x", body="b", purpose="t", status=OutboundStatus.QUEUED
    )
    sent = OutboundMessage.objects.create(
        recipient="+22376000001", recipient_pseudonym="p1:x", body="b", purpose="t", status=OutboundStatus.DELIVERED
    )
    OutboundMessage.objects.filter(pk__in=[queued.pk, sent.pk]).update(created_at=timezone.now() - timedelta(days=90))

    tasks.purge_old_messages()

    assert set(InboundMessage.objects.values_list("status", flat=True)) == {InboundStatus.FAILED, InboundStatus.PENDING}
    assert list(OutboundMessage.objects.values_list("pk", flat=True)) == [queued.pk]


# --- Retention as docs/data-kept.md states it, with the clock moved past each limit ---

NUMBER = "+22376123456"


def explode(sms) -> bool:
    raise RuntimeError("handler broke")


def test_a_vault_entry_goes_contact_vault_days_after_the_last_message(clock, settings):
    services.vault_store(pseudonym="p1:a", number=NUMBER)
    clock.move(days=settings.CONTACT_VAULT_DAYS - 1)
    services.vault_store(pseudonym="p1:a", number=NUMBER)  # a new message: the clock restarts

    clock.move(days=settings.CONTACT_VAULT_DAYS, minutes=-1)
    assert tasks.purge_contact_vault() == 0
    assert services.vault_lookup(pseudonym="p1:a") == NUMBER

    clock.move(minutes=2)
    assert tasks.purge_contact_vault() == 1
    assert not ContactVaultEntry.objects.exists()


def _inbound(**fields) -> InboundMessage:
    return InboundMessage.objects.create(
        provider="twilio",
        provider_message_id=f"SM{InboundMessage.objects.count()}",
        sender_pseudonym="p1:x",
        payload={"body": "attaque", "num_media": 0},
        received_at=timezone.now(),
        **fields,
    )


def test_processed_input_goes_inbound_retention_days_after_it_was_processed(clock, settings):
    """Processed days after arrival (broker down for a weekend): kept its full week."""
    arrived = _inbound()
    clock.move(days=3)
    InboundMessage.objects.filter(pk=arrived.pk).update(status=InboundStatus.PROCESSED, processed_at=timezone.now())

    clock.move(days=settings.INBOUND_RETENTION_DAYS, minutes=-1)
    tasks.purge_old_messages()
    assert InboundMessage.objects.filter(pk=arrived.pk).exists()

    clock.move(minutes=2)
    tasks.purge_old_messages()
    assert not InboundMessage.objects.filter(pk=arrived.pk).exists()


def test_a_failed_row_keeps_its_work_but_loses_the_number_contact_vault_days_after_it_failed(clock, settings):
    settings.INBOUND_SMS_HANDLERS = ["tests.messaging.test_retention.explode"]
    settings.INBOUND_MAX_ATTEMPTS = 1
    message, _ = services.inbound_store(provider="twilio", provider_message_id="SMf", sender=NUMBER, body="attaque")
    clock.move(days=2)
    with pytest.raises(RuntimeError):
        services.inbound_process(inbound_id=message.pk)
    message.refresh_from_db()
    assert message.status == InboundStatus.FAILED
    assert message.processed_at == timezone.now()  # when it was given up: retention counts from here
    assert message.payload["reply_to"] == NUMBER

    clock.move(days=settings.CONTACT_VAULT_DAYS, minutes=-1)
    tasks.purge_old_messages()
    message.refresh_from_db()
    assert message.payload["reply_to"] == NUMBER  # an operator may still fix and reprocess it

    clock.move(minutes=2)
    tasks.purge_old_messages()
    message.refresh_from_db()
    assert "reply_to" not in message.payload
    assert message.payload["body"] == "attaque"  # the report itself is work not done: kept
    assert message.status == InboundStatus.FAILED


def test_an_outbound_sms_goes_outbound_retention_days_after_it_was_sent_not_queued(clock, settings, outbox):
    queued = services.outbound_enqueue(to_number=NUMBER, body="Veille: recu", purpose="t")
    clock.move(days=20)  # queued for long (the provider was down)
    assert services.outbound_send(message_id=queued.pk) == "sent"

    clock.move(days=settings.OUTBOUND_RETENTION_DAYS, minutes=-1)
    tasks.purge_old_messages()
    assert OutboundMessage.objects.filter(pk=queued.pk).exists()

    clock.move(minutes=2)
    tasks.purge_old_messages()
    assert not OutboundMessage.objects.filter(pk=queued.pk).exists()
    assert not OutboundEvent.objects.filter(message_id=queued.pk).exists()


def test_an_outbound_sms_that_failed_late_goes_outbound_retention_days_after_it_failed(clock, settings, outbox):
    message = services.outbound_enqueue(to_number=NUMBER, body="Veille: recu", purpose="t")
    services.outbound_send(message_id=message.pk)
    message.refresh_from_db()
    OutboundMessage.objects.filter(pk=message.pk).update(status=OutboundStatus.SENT, provider_message_id="SMlate")
    clock.move(days=10)
    assert services.outbound_status_update(
        provider="locmem", provider_message_id="SMlate", status=OutboundStatus.UNDELIVERED
    )

    clock.move(days=settings.OUTBOUND_RETENTION_DAYS, minutes=-1)
    tasks.purge_old_messages()
    assert OutboundMessage.objects.filter(pk=message.pk).exists()

    clock.move(minutes=2)
    tasks.purge_old_messages()
    assert not OutboundMessage.objects.filter(pk=message.pk).exists()


@pytest.mark.parametrize("task_name", ["purge_contact_vault", "purge_old_messages"])
def test_a_purge_takes_a_lock_like_the_sweeps(clock, settings, task_name):
    from django.core.cache import cache

    services.vault_store(pseudonym="p1:a", number=NUMBER)
    _inbound(status=InboundStatus.PROCESSED, processed_at=timezone.now())
    clock.move(days=max(settings.CONTACT_VAULT_DAYS, settings.INBOUND_RETENTION_DAYS) + 1)
    before = ContactVaultEntry.objects.count() + InboundMessage.objects.count()

    assert cache.add(f"lock:{task_name}", "another run", 60)  # another run holds it
    getattr(tasks, task_name)()
    assert ContactVaultEntry.objects.count() + InboundMessage.objects.count() == before

    cache.delete(f"lock:{task_name}")
    getattr(tasks, task_name)()
    assert ContactVaultEntry.objects.count() + InboundMessage.objects.count() == before - 1
    assert not cache.get(f"lock:{task_name}")  # released after the run


def test_opt_outs_are_in_the_admin_read_only_by_pseudonym_only(admin_otp_client):
    services.vault_store(pseudonym="p1:optout-pseudonym", number=NUMBER)
    services.opt_out(pseudonym="p1:optout-pseudonym")
    optout = OptOut.objects.get()

    listing = admin_otp_client.get("/admin/messaging/optout/")
    page = admin_otp_client.get(f"/admin/messaging/optout/{optout.pk}/change/")

    assert listing.status_code == 200 and page.status_code == 200
    for response in (listing, page):
        text = response.content.decode()
        assert "p1:optout-pseudonym" in text
        for variant in ("+22376123456", "22376123456", "76123456", "76 12 34 56"):
            assert variant not in text
    assert admin_otp_client.get("/admin/messaging/optout/add/").status_code == 403
    assert admin_otp_client.post(f"/admin/messaging/optout/{optout.pk}/delete/", {"post": "yes"}).status_code == 403
    assert OptOut.objects.filter(pk=optout.pk).exists()
    assert 'name="pseudonym"' not in page.content.decode()  # nothing editable
