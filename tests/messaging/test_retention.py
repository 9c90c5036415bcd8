from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging import services, tasks
from messaging.models import ContactVaultEntry, InboundMessage, InboundStatus, OutboundMessage, OutboundStatus

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
