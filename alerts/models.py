"""Alerts: a triaged report forwarded by a relay to a security focal point.

An alert carries the relay's neutral summary, category, severity, commune and the
report's reference; never the reporter's words, number or receipt.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from veille.fields import EncryptedTextField


class AlertStatus(models.TextChoices):
    SENT = "sent", _("Transmise")
    ACKNOWLEDGED = "acknowledged", _("Accusé de réception")
    EN_ROUTE = "en_route", _("En route")
    ON_SITE = "on_site", _("Sur place")
    DONE = "done", _("Terminée")


class Alert(models.Model):
    report = models.ForeignKey("reporting.Report", on_delete=models.CASCADE, related_name="alerts")
    focal_point = models.ForeignKey("focal_points.Member", on_delete=models.PROTECT, related_name="alerts")
    forwarded_by = models.ForeignKey("focal_points.Member", on_delete=models.PROTECT, related_name="+")
    # A snapshot of what the focal point is allowed to know, taken at forwarding.
    reference = models.CharField(max_length=8, db_index=True)
    category = models.CharField(max_length=20)
    severity = models.CharField(max_length=10)
    place = models.CharField(max_length=100)
    summary = EncryptedTextField()
    status = models.CharField(max_length=14, choices=AlertStatus.choices, default=AlertStatus.SENT)
    created_at = models.DateTimeField(auto_now_add=True)
    # Escalation: the alert this one escalated from, and when this one escalated onwards.
    escalated_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    escalation_level = models.PositiveSmallIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # The SMS that carried it, to follow its delivery.
    outbound = models.ForeignKey(
        "messaging.OutboundMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["report", "focal_point"], name="alert_once_per_focal_point")]
        indexes = [
            models.Index(fields=["focal_point", "status"], name="alert_focal_status"),
            models.Index(fields=["status", "escalated_at", "created_at"], name="alert_escalation_due"),
        ]

    def __str__(self) -> str:
        return f"alert R-{self.reference} to {self.focal_point_id}"


class AlertEventKind(models.TextChoices):
    FORWARDED = "forwarded", _("Transmise")
    ACKNOWLEDGED = "acknowledged", _("Accusé de réception")
    EN_ROUTE = "en_route", _("En route")
    ON_SITE = "on_site", _("Sur place")
    DONE = "done", _("Terminée")
    ESCALATED = "escalated", _("Escaladée")
    DELIVERY_FAILED = "undelivered", _("SMS non remis")


class AlertEvent(models.Model):
    """Every step of an alert, with its exact time and actor: the response clock."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=14, choices=AlertEventKind.choices)
    at = models.DateTimeField(auto_now_add=True)
    member = models.ForeignKey("focal_points.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=8, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} ({self.alert_id})"


class Subscription(models.Model):
    """A resident who asked, by SMS keyword, for warnings about a commune. Their number is
    kept encrypted here for as long as they stay subscribed (they chose it), apart from
    the reporters' contact vault, which expires."""

    pseudonym = models.CharField(max_length=100, db_index=True)
    number = EncryptedTextField()
    commune = models.ForeignKey("places.Commune", on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=2, default="fr")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pseudonym", "commune"], name="subscription_unique")]

    def __str__(self) -> str:
        return f"subscription {self.pk}"


class CommunityAlertStatus(models.TextChoices):
    PENDING = "pending", _("En attente d'approbation")
    APPROVED = "approved", _("Approuvée, en envoi")
    REJECTED = "rejected", _("Refusée")


class CommunityAlert(models.Model):
    """A warning to the subscribed residents of some communes (a mine on a road...).
    Sent only once a second person approved it."""

    text = models.CharField(max_length=140)
    communes = models.ManyToManyField("places.Commune", related_name="+")
    created_by = models.ForeignKey("focal_points.Member", on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        "focal_points.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=CommunityAlertStatus.choices, default=CommunityAlertStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"community alert {self.pk} ({self.status})"


class CommunityAlertEventKind(models.TextChoices):
    PROPOSED = "proposed", _("Proposée")
    APPROVED = "approved", _("Approuvée")
    REJECTED = "rejected", _("Refusée")


class CommunityAlertEvent(models.Model):
    """Every state change of a community alert, with who and when: the two-person rule's
    trail, shown on the coordinators' page."""

    alert = models.ForeignKey(CommunityAlert, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=CommunityAlertEventKind.choices)
    member = models.ForeignKey("focal_points.Member", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} ({self.alert_id})"


class SpikeWindow(models.TextChoices):
    DAY = "day", _("24 heures")
    WEEK = "week", _("7 jours")


class SpikeStatus(models.TextChoices):
    DETECTED = "detected", _("Détectée")
    NOTIFIED = "notified", _("Coordinations prévenues")


class Spike(models.Model):
    """An unusual rise of one category's reports in one cercle (alerts/spike_method.py),
    recorded once per cercle, category, window and period (the local day, or the week
    starting on Monday), however often the detector runs."""

    cercle = models.ForeignKey("places.Cercle", on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=20)
    window = models.CharField(max_length=4, choices=SpikeWindow.choices)
    period_start = models.DateField()
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    observed = models.PositiveIntegerField()
    baseline_mean = models.FloatField()
    threshold = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=SpikeStatus.choices, default=SpikeStatus.DETECTED)
    detected_at = models.DateTimeField()

    class Meta:
        ordering = ["-detected_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cercle", "category", "window", "period_start"], name="spike_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"spike {self.category} in {self.cercle_id} ({self.window} {self.period_start})"


class SpikeEventKind(models.TextChoices):
    DETECTED = "detected", _("Détectée")
    NOTIFIED = "notified", _("SMS à une coordination")


class SpikeEvent(models.Model):
    spike = models.ForeignKey(Spike, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=SpikeEventKind.choices)
    at = models.DateTimeField()
    member = models.ForeignKey("focal_points.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    outbound = models.ForeignKey(
        "messaging.OutboundMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} ({self.spike_id})"


class TransparencyRelease(models.Model):
    """A month's public figures (alerts/transparency.py), computed once when the month
    becomes publishable and never again: late reports, corrections or a later release
    cannot be differenced against it to reveal a hidden cell. Holds only suppressed,
    region-level figures, as published."""

    month = models.DateField(unique=True, help_text=_("Premier jour du mois."))
    published_at = models.DateTimeField()
    min_cell = models.PositiveIntegerField()
    figures = models.JSONField()

    class Meta:
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"transparency {self.month:%Y-%m}"
