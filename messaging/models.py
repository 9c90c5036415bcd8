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
    VOICE = "voice", _("Appel vocal")


class InboundStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    PROCESSED = "processed", _("Traité")
    FAILED = "failed", _("Échec définitif")


class InboundMessage(models.Model):
    """The raw input of a provider webhook, stored before the provider gets its answer.

    ``payload`` keeps only the fields processing needs (body, media count), encrypted;
    location fields and the sender's number are never in it.
    """

    provider = models.CharField(max_length=32, verbose_name=_("fournisseur"))
    provider_message_id = models.CharField(max_length=64, verbose_name=_("identifiant chez le fournisseur"))
    sender_pseudonym = models.CharField(max_length=100, db_index=True, verbose_name=_("pseudonyme de l'expéditeur"))
    payload = EncryptedJSONField(verbose_name=_("contenu reçu"))
    status = models.CharField(
        max_length=12, choices=InboundStatus.choices, default=InboundStatus.PENDING, verbose_name=_("statut")
    )
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("tentatives"))
    # Minute precision: enough for ordering and joining, too coarse to match carrier logs.
    received_at = models.DateTimeField(verbose_name=_("reçu le"))
    processed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("traité le"))
    handled_by = models.CharField(max_length=100, blank=True, verbose_name=_("traité par"))
    last_error = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("Type d'erreur seulement, jamais le contenu."),
        verbose_name=_("dernière erreur"),
    )

    class Meta:
        verbose_name = _("message reçu")
        verbose_name_plural = _("messages reçus")
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

    recipient = EncryptedTextField(verbose_name=_("destinataire"))
    recipient_pseudonym = models.CharField(max_length=100, db_index=True, verbose_name=_("pseudonyme du destinataire"))
    body = EncryptedTextField(verbose_name=_("texte"))
    purpose = models.CharField(max_length=40, help_text=_("Ex. receipt, relay_notice, alert."), verbose_name=_("objet"))
    priority = models.PositiveSmallIntegerField(
        choices=Priority.choices, default=Priority.NORMAL, verbose_name=_("priorité")
    )
    status = models.CharField(
        max_length=12, choices=OutboundStatus.choices, default=OutboundStatus.QUEUED, verbose_name=_("statut")
    )
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("tentatives"))
    next_attempt_at = models.DateTimeField(null=True, blank=True, verbose_name=_("prochaine tentative"))
    # When a worker last claimed it (status "sending"): a claim that old means a lost worker.
    claimed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("pris par un processus le"))
    # Set by the service: to the minute for a message to a reporter (``coarse_times``).
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("créé le"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("envoyé le"))
    # A message to a reporter (a reply through the contact vault): every time kept of it
    # (created, claimed, sent, each status change) is to the minute, so that its row does
    # not give an SMS report's arrival to the second.
    coarse_times = models.BooleanField(default=False, verbose_name=_("heures à la minute"))
    # The backend that took (or last tried) it: delivery reports and the deletion of the
    # provider's copy are matched on (provider, provider_message_id).
    provider = models.CharField(max_length=32, blank=True, verbose_name=_("fournisseur"))
    # The pacing lane it last took: the provider's sender, or one phone of a gateway.
    lane = models.CharField(max_length=100, blank=True, verbose_name=_("voie d'envoi"))
    provider_message_id = models.CharField(
        max_length=64, blank=True, db_index=True, verbose_name=_("identifiant chez le fournisseur")
    )
    error_code = models.CharField(max_length=32, blank=True, verbose_name=_("code d'erreur"))

    class Meta:
        verbose_name = _("SMS à envoyer")
        verbose_name_plural = _("SMS à envoyer")
        indexes = [models.Index(fields=["status", "priority", "created_at"], name="outbound_queue")]

    def __str__(self) -> str:
        return f"SMS {self.pk} {self.purpose} ({self.status})"


class OutboundEvent(models.Model):
    """Every status change of an outbound message (queued, sent, delivered, failed...)."""

    message = models.ForeignKey(
        OutboundMessage, on_delete=models.CASCADE, related_name="events", verbose_name=_("message")
    )
    status = models.CharField(max_length=12, choices=OutboundStatus.choices, verbose_name=_("statut"))
    # Set by the service (to the minute for a message to a reporter).
    at = models.DateTimeField(default=timezone.now, verbose_name=_("date"))
    detail = models.CharField(max_length=200, blank=True, verbose_name=_("détail"))

    class Meta:
        verbose_name = _("étape d'envoi")
        verbose_name_plural = _("étapes d'envoi")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.status} at {self.at:%Y-%m-%d %H:%M}"


class ContactVaultEntry(models.Model):
    """The one place a reporter's number exists, encrypted, for as long as a reply may be
    needed. Shown on no screen, in no export, log or API."""

    pseudonym = models.CharField(max_length=100, unique=True, verbose_name=_("pseudonyme"))
    number = EncryptedTextField(verbose_name=_("numéro"))
    expires_at = models.DateTimeField(db_index=True, verbose_name=_("expire le"))
    # The time of the sender's last SMS: to the minute (vault_store sets it on each upsert).
    updated_at = models.DateTimeField(default=now_minute, verbose_name=_("mis à jour le"))

    class Meta:
        verbose_name = _("contact chiffré")
        verbose_name_plural = _("contacts chiffrés")

    def __str__(self) -> str:
        return f"vault entry {self.pk}"


class OptOut(models.Model):
    """A sender who asked for no more messages. Checked before every send."""

    pseudonym = models.CharField(max_length=100, unique=True, verbose_name=_("pseudonyme"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("créé le"))

    class Meta:
        verbose_name = _("désinscription")
        verbose_name_plural = _("désinscriptions")

    def __str__(self) -> str:
        return f"opt-out {self.pk}"


class ProviderEvent(models.Model):
    """A provider's webhook event id, kept to recognise a replay or a retry of it.

    The Android gateway retries an unanswered webhook for days with the same event id;
    its ``messageId`` is content-based, so the event id is what identifies a delivery.
    Purged after ``PROVIDER_EVENT_RETENTION_DAYS``. Holds no number and no text.
    """

    provider = models.CharField(max_length=32, verbose_name=_("fournisseur"))
    event_id = models.CharField(max_length=64, verbose_name=_("identifiant d'événement"))
    kind = models.CharField(max_length=32, verbose_name=_("type"))
    received_at = models.DateTimeField(verbose_name=_("reçu le"))

    class Meta:
        verbose_name = _("événement du fournisseur")
        verbose_name_plural = _("événements du fournisseur")
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

    provider = models.CharField(max_length=32, verbose_name=_("fournisseur"))
    device_id = models.CharField(max_length=64, verbose_name=_("identifiant du téléphone"))
    state = models.CharField(
        max_length=8, choices=GatewayState.choices, default=GatewayState.UP, verbose_name=_("état")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("créé le"))
    last_ping_at = models.DateTimeField(null=True, blank=True, verbose_name=_("dernier signal"))
    last_success_at = models.DateTimeField(null=True, blank=True, verbose_name=_("dernier envoi réussi"))
    last_attempt_at = models.DateTimeField(null=True, blank=True, verbose_name=_("dernière tentative"))
    # Since when every send failed (None after a success).
    failing_since = models.DateTimeField(null=True, blank=True, verbose_name=_("en échec depuis"))
    consecutive_failures = models.PositiveIntegerField(default=0, verbose_name=_("échecs consécutifs"))
    down_since = models.DateTimeField(null=True, blank=True, verbose_name=_("en panne depuis"))
    down_reason = models.CharField(max_length=100, blank=True, verbose_name=_("cause de la panne"))
    warned_at = models.DateTimeField(null=True, blank=True, verbose_name=_("alerte donnée le"))

    class Meta:
        verbose_name = _("téléphone passerelle")
        verbose_name_plural = _("téléphones passerelles")
        constraints = [models.UniqueConstraint(fields=["provider", "device_id"], name="gateway_device_unique")]

    def __str__(self) -> str:
        return f"{self.provider}:{self.device_id or 'default'} ({self.state})"


class GatewayEvent(models.Model):
    """Every change of a gateway phone's state (down, up) and every warning sent."""

    device = models.ForeignKey(
        GatewayDevice, on_delete=models.CASCADE, related_name="events", verbose_name=_("téléphone passerelle")
    )
    kind = models.CharField(max_length=16, verbose_name=_("type"))
    detail = models.CharField(max_length=200, blank=True, verbose_name=_("détail"))
    at = models.DateTimeField(auto_now_add=True, verbose_name=_("date"))

    class Meta:
        verbose_name = _("événement de passerelle")
        verbose_name_plural = _("événements de passerelle")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"
