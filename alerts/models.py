"""Alerts: a triaged report forwarded by a relay to a security focal point.

An alert carries the relay's neutral summary, category, severity, commune and the
report's reference; never the reporter's words, number or receipt.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from veille.fields import EncryptedTextField
from veille.languages import CODE_MAX_CHARS, SOURCE_LANGUAGE


class AlertStatus(models.TextChoices):
    SENT = "sent", _("Transmise")
    ACKNOWLEDGED = "acknowledged", _("Accusé de réception")
    EN_ROUTE = "en_route", _("En route")
    ON_SITE = "on_site", _("Sur place")
    DONE = "done", _("Terminée")


class Alert(models.Model):
    report = models.ForeignKey(
        "reporting.Report", on_delete=models.CASCADE, related_name="alerts", verbose_name=_("signalement")
    )
    focal_point = models.ForeignKey(
        "focal_points.Member", on_delete=models.PROTECT, related_name="alerts", verbose_name=_("point focal")
    )
    forwarded_by = models.ForeignKey(
        "focal_points.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("transmis par")
    )
    # A snapshot of what the focal point is allowed to know, taken at forwarding.
    reference = models.CharField(max_length=8, db_index=True, verbose_name=_("référence"))
    category = models.CharField(max_length=20, verbose_name=_("catégorie"))
    severity = models.CharField(max_length=10, verbose_name=_("gravité"))
    place = models.CharField(max_length=100, verbose_name=_("lieu"))
    summary = EncryptedTextField(verbose_name=_("résumé neutre"))
    status = models.CharField(
        max_length=14, choices=AlertStatus.choices, default=AlertStatus.SENT, verbose_name=_("statut")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("créé le"))
    # Escalation: the alert this one escalated from, and when this one escalated onwards.
    escalated_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("escalade de")
    )
    escalation_level = models.PositiveSmallIntegerField(default=0, verbose_name=_("niveau d'escalade"))
    escalated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("escaladé le"))
    # The SMS that carried it, to follow its delivery.
    outbound = models.ForeignKey(
        "messaging.OutboundMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("SMS envoyé"),
    )

    class Meta:
        verbose_name = _("alerte")
        verbose_name_plural = _("alertes")
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

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events", verbose_name=_("alerte"))
    kind = models.CharField(max_length=14, choices=AlertEventKind.choices, verbose_name=_("type"))
    at = models.DateTimeField(auto_now_add=True, verbose_name=_("date"))
    member = models.ForeignKey(
        "focal_points.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("membre"),
    )
    channel = models.CharField(max_length=8, blank=True, verbose_name=_("canal"))

    class Meta:
        verbose_name = _("étape d'alerte")
        verbose_name_plural = _("étapes d'alerte")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} ({self.alert_id})"


class Subscription(models.Model):
    """A resident who asked, by SMS keyword, for warnings about a commune. Their number is
    kept encrypted here for as long as they stay subscribed (they chose it), apart from
    the reporters' contact vault, which expires."""

    pseudonym = models.CharField(max_length=100, db_index=True, verbose_name=_("pseudonyme"))
    number = EncryptedTextField(verbose_name=_("numéro"))
    commune = models.ForeignKey("places.Commune", on_delete=models.CASCADE, related_name="+", verbose_name=_("commune"))
    # An ISO 639 code of VEILLE_LANGUAGES (ses, taq: three letters; veille/languages.py).
    language = models.CharField(max_length=CODE_MAX_CHARS, default=SOURCE_LANGUAGE, verbose_name=_("langue"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("créé le"))

    class Meta:
        verbose_name = _("abonnement aux alertes")
        verbose_name_plural = _("abonnements aux alertes")
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

    text = models.CharField(max_length=140, verbose_name=_("texte"))
    communes = models.ManyToManyField("places.Commune", related_name="+", verbose_name=_("communes"))
    created_by = models.ForeignKey(
        "focal_points.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("proposé par")
    )
    approved_by = models.ForeignKey(
        "focal_points.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approuvé par"),
    )
    status = models.CharField(
        max_length=10,
        choices=CommunityAlertStatus.choices,
        default=CommunityAlertStatus.PENDING,
        verbose_name=_("statut"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("créé le"))
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("décidé le"))
    recipients = models.PositiveIntegerField(default=0, verbose_name=_("nombre de destinataires"))

    class Meta:
        verbose_name = _("alerte communautaire")
        verbose_name_plural = _("alertes communautaires")

    def __str__(self) -> str:
        return f"community alert {self.pk} ({self.status})"


class CommunityAlertEventKind(models.TextChoices):
    PROPOSED = "proposed", _("Proposée")
    APPROVED = "approved", _("Approuvée")
    REJECTED = "rejected", _("Refusée")


class CommunityAlertEvent(models.Model):
    """Every state change of a community alert, with who and when: the two-person rule's
    trail, shown on the coordinators' page."""

    alert = models.ForeignKey(CommunityAlert, on_delete=models.CASCADE, related_name="events", verbose_name=_("alerte"))
    kind = models.CharField(max_length=10, choices=CommunityAlertEventKind.choices, verbose_name=_("type"))
    member = models.ForeignKey(
        "focal_points.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("membre")
    )
    at = models.DateTimeField(auto_now_add=True, verbose_name=_("date"))

    class Meta:
        verbose_name = _("étape d'alerte communautaire")
        verbose_name_plural = _("étapes d'alerte communautaire")
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

    cercle = models.ForeignKey("places.Cercle", on_delete=models.CASCADE, related_name="+", verbose_name=_("cercle"))
    category = models.CharField(_("catégorie"), max_length=20)
    window = models.CharField(_("fenêtre"), max_length=4, choices=SpikeWindow.choices)
    period_start = models.DateField(_("début de la période"))
    window_start = models.DateTimeField(_("début de la fenêtre"))
    window_end = models.DateTimeField(_("fin de la fenêtre"))
    observed = models.PositiveIntegerField(_("observé"))
    baseline_mean = models.FloatField(_("moyenne habituelle"))
    threshold = models.PositiveIntegerField(_("seuil"))
    status = models.CharField(_("statut"), max_length=10, choices=SpikeStatus.choices, default=SpikeStatus.DETECTED)
    detected_at = models.DateTimeField(_("détectée le"))

    class Meta:
        verbose_name = _("hausse inhabituelle")
        verbose_name_plural = _("hausses inhabituelles")
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
    spike = models.ForeignKey(Spike, on_delete=models.CASCADE, related_name="events", verbose_name=_("hausse"))
    kind = models.CharField(_("type"), max_length=10, choices=SpikeEventKind.choices)
    at = models.DateTimeField(_("date"))
    member = models.ForeignKey(
        "focal_points.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("membre"),
    )
    outbound = models.ForeignKey(
        "messaging.OutboundMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("SMS envoyé"),
    )

    class Meta:
        verbose_name = _("étape d'une hausse")
        verbose_name_plural = _("étapes des hausses")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} ({self.spike_id})"


class TransparencyRelease(models.Model):
    """A month's public figures (alerts/transparency.py), computed once when the month
    becomes publishable and never again: late reports, corrections or a later release
    cannot be differenced against it to reveal a hidden cell. Holds only suppressed,
    region-level figures, as published."""

    month = models.DateField(_("mois"), unique=True, help_text=_("Premier jour du mois."))
    published_at = models.DateTimeField(_("publié le"))
    min_cell = models.PositiveIntegerField(_("plus petite case publiée"))
    figures = models.JSONField(_("chiffres"))

    class Meta:
        verbose_name = _("publication des chiffres publics")
        verbose_name_plural = _("publications des chiffres publics")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"transparency {self.month:%Y-%m}"
