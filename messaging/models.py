"""Messages in and out, and the contact vault.

This app knows no report: it stores what arrives (encrypted, before anyone answers the
provider), hands it to the handlers listed in ``settings.INBOUND_SMS_HANDLERS``, and sends
what the other apps queue. Phone numbers appear here only as keyed pseudonyms or inside
ciphertext.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from veille.fields import EncryptedJSONField, EncryptedTextField
from veille.timeutil import now_minute


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    USSD = "ussd", _("USSD")
    WEB = "web", _("Web")


class InboundStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    PROCESSED = "processed", _("Traité")
    FAILED = "failed", _("Échec définitif")


class InboundMessage(models.Model):
    """The raw input of a provider webhook, stored before the provider gets its answer.

    ``payload`` keeps only the fields processing needs (body, media count), encrypted;
    location fields and the sender's number are never in it.
    """

    provider = models.CharField(max_length=32)
    provider_message_id = models.CharField(max_length=64)
    sender_pseudonym = models.CharField(max_length=100, db_index=True)
    payload = EncryptedJSONField()
    status = models.CharField(max_length=12, choices=InboundStatus.choices, default=InboundStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Minute precision: enough for ordering and joining, too coarse to match carrier logs.
    received_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.CharField(max_length=100, blank=True)
    last_error = models.CharField(
        max_length=200, blank=True, help_text=_("Type d'erreur seulement, jamais le contenu.")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "provider_message_id"], name="inbound_unique_provider_id")
        ]
        indexes = [models.Index(fields=["status", "received_at"], name="inbound_status_received")]

    def __str__(self) -> str:
        return f"{self.provider}:{self.pk} ({self.status})"


class Priority(models.IntegerChoices):
    # Lower sends first.
    URGENT = 0, _("Urgent")
    NORMAL = 5, _("Normal")
    BULK = 9, _("Diffusion")


class OutboundStatus(models.TextChoices):
    QUEUED = "queued", _("En file")
    SENDING = "sending", _("En cours d'envoi")
    SENT = "sent", _("Envoyé")
    DELIVERED = "delivered", _("Remis")
    UNDELIVERED = "undelivered", _("Non remis")
    FAILED = "failed", _("Échec")
    CANCELLED = "cancelled", _("Annulé")


class OutboundMessage(models.Model):
    """One SMS to send. Recipient and body are ciphertext; the pseudonym allows opt-out
    checks and the simulator's lookups without decrypting."""

    recipient = EncryptedTextField()
    recipient_pseudonym = models.CharField(max_length=100, db_index=True)
    body = EncryptedTextField()
    purpose = models.CharField(max_length=40, help_text=_("Ex. receipt, relay_notice, alert."))
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=12, choices=OutboundStatus.choices, default=OutboundStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # When a worker last claimed it (status "sending"): a claim that old means a lost worker.
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=64, blank=True, db_index=True)
    error_code = models.CharField(max_length=32, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "priority", "created_at"], name="outbound_queue")]

    def __str__(self) -> str:
        return f"SMS {self.pk} {self.purpose} ({self.status})"


class OutboundEvent(models.Model):
    """Every status change of an outbound message (queued, sent, delivered, failed...)."""

    message = models.ForeignKey(OutboundMessage, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=12, choices=OutboundStatus.choices)
    at = models.DateTimeField(auto_now_add=True)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.status} at {self.at:%Y-%m-%d %H:%M}"


class ContactVaultEntry(models.Model):
    """The one place a reporter's number exists, encrypted, for as long as a reply may be
    needed. Shown on no screen, in no export, log or API."""

    pseudonym = models.CharField(max_length=100, unique=True)
    number = EncryptedTextField()
    expires_at = models.DateTimeField(db_index=True)
    # The time of the sender's last SMS: to the minute (vault_store sets it on each upsert).
    updated_at = models.DateTimeField(default=now_minute)

    def __str__(self) -> str:
        return f"vault entry {self.pk}"


class OptOut(models.Model):
    """A sender who asked for no more messages. Checked before every send."""

    pseudonym = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"opt-out {self.pk}"
