"""Messages in and out, and the contact vault.

This app knows no report: it stores what arrives (encrypted, before anyone answers the
provider), hands it to the handlers listed in ``settings.INBOUND_SMS_HANDLERS``, and sends
what the other apps queue. Phone numbers appear here only as keyed pseudonyms or inside
ciphertext.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
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
    # Lower sends first; under a backlog a message takes over the pacing slots of any
    # lower priority (messaging/pacing.py).
    URGENT = 0, _("Urgent")
    NORMAL = 5, _("Normal")
    # Answers to residents (receipts, status): they wait behind staff notices, or take
    # another provider of their route.
    REPLY = 7, _("Réponse au résident")
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
    # Set by the service: to the minute for a message to a reporter (``coarse_times``).
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # A message to a reporter (a reply through the contact vault): every time kept of it
    # (created, claimed, sent, each status change) is to the minute, so that its row does
    # not give an SMS report's arrival to the second.
    coarse_times = models.BooleanField(default=False)
    # The backend that took (or last tried) it: delivery reports and the deletion of the
    # provider's copy are matched on (provider, provider_message_id).
    provider = models.CharField(max_length=32, blank=True)
    # The pacing lane it last took: the provider's sender, or one phone of a gateway.
    lane = models.CharField(max_length=100, blank=True)
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
    # Set by the service (to the minute for a message to a reporter).
    at = models.DateTimeField(default=timezone.now)
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


class ProviderEvent(models.Model):
    """A provider's webhook event id, kept to recognise a replay or a retry of it.

    The Android gateway retries an unanswered webhook for days with the same event id;
    its ``messageId`` is content-based, so the event id is what identifies a delivery.
    Purged after ``PROVIDER_EVENT_RETENTION_DAYS``. Holds no number and no text.
    """

    provider = models.CharField(max_length=32)
    event_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=32)
    received_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="provider_event_unique")]
        indexes = [models.Index(fields=["received_at"], name="provider_event_received")]

    def __str__(self) -> str:
        return f"{self.provider}:{self.kind}"


class GatewayState(models.TextChoices):
    UP = "up", _("En service")
    DOWN = "down", _("Hors service")


class GatewayDevice(models.Model):
    """One phone of an SMS gateway (a local SIM in an Android phone), watched.

    It is down when it has not pinged for ``ANDROID_GATEWAY_PING_TIMEOUT_MINUTES``, or its
    sends have only failed for ``ANDROID_GATEWAY_FAILURE_MINUTES`` (or that many times in
    a row): outbound SMS then go by the next provider of their route, and coordinators
    are warned once per outage.
    """

    provider = models.CharField(max_length=32)
    device_id = models.CharField(max_length=64)
    state = models.CharField(max_length=8, choices=GatewayState.choices, default=GatewayState.UP)
    created_at = models.DateTimeField(auto_now_add=True)
    last_ping_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # Since when every send failed (None after a success).
    failing_since = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    down_since = models.DateTimeField(null=True, blank=True)
    down_reason = models.CharField(max_length=100, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "device_id"], name="gateway_device_unique")]

    def __str__(self) -> str:
        return f"{self.provider}:{self.device_id or 'default'} ({self.state})"


class GatewayEvent(models.Model):
    """Every change of a gateway phone's state (down, up) and every warning sent."""

    device = models.ForeignKey(GatewayDevice, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16)
    detail = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"
