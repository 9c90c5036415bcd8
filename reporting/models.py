"""Reports and what arrives with them.

What identifies a reporter is never here in clear: the sender is a keyed pseudonym, the
receipt code is kept only as a keyed digest, the text is encrypted (phone numbers masked
before encryption), places stop at the commune and arrival times at the minute.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Categories belong to the routing rules (focal_points); re-exported here for intake code.
from focal_points.models import Category
from messaging.models import Channel
from places.models import Cercle, Commune, Region
from veille.fields import EncryptedBinaryField, EncryptedJSONField, EncryptedTextField
from veille.timeutil import now_minute


class ReportStatus(models.TextChoices):
    RECEIVED = "received", _("Reçu")
    IN_REVIEW = "in_review", _("En vérification")
    FORWARDED = "forwarded", _("Transmis")
    CLOSED = "closed", _("Clôturé")


class Severity(models.TextChoices):
    LOW = "low", _("Faible")
    MEDIUM = "medium", _("Moyenne")
    HIGH = "high", _("Élevée")
    CRITICAL = "critical", _("Critique (en cours)")


class Verification(models.TextChoices):
    UNVERIFIED = "unverified", _("Non vérifié")
    VERIFIED = "verified", _("Vérifié")
    UNVERIFIABLE = "unverifiable", _("Invérifiable")


class CloseReason(models.TextChoices):
    DUPLICATE = "duplicate", _("Doublon")
    FALSE = "false", _("Faux")
    OUT_OF_SCOPE = "out_of_scope", _("Hors champ")
    RESOLVED = "resolved", _("Résolu")


class Consent(models.TextChoices):
    NOT_ASKED = "not_asked", _("Non demandé")
    ASKED = "asked", _("Demandé")
    GIVEN = "given", _("Accepté")
    REFUSED = "refused", _("Refusé")


class Incident(models.Model):
    """Reports of one same incident, linked by relays."""

    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("créé le"))

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def __str__(self) -> str:
        return f"incident {self.pk}"


class OccurredPeriod(models.TextChoices):
    NOW = "now", _("En cours")
    TODAY = "today", _("Aujourd'hui")
    YESTERDAY = "yesterday", _("Hier")
    THIS_WEEK = "this_week", _("Cette semaine")
    EARLIER = "earlier", _("Plus tôt")
    UNKNOWN = "unknown", _("Inconnu")


class PeopleAffected(models.TextChoices):
    UNKNOWN = "unknown", _("Inconnu")
    NONE = "none", _("Aucune personne")
    ONE = "1", _("1 personne")
    FEW = "2-5", _("2 à 5 personnes")
    SEVERAL = "6-20", _("6 à 20 personnes")
    MANY = "20+", _("Plus de 20 personnes")


class Language(models.TextChoices):
    FR = "fr", "Français"
    EN = "en", "English"
    BM = "bm", "Bamanankan"


class Report(models.Model):
    # Staff-facing reference (e.g. K7M2): what relays and focal points quote.
    reference = models.CharField(max_length=8, unique=True, verbose_name=_("référence"))
    # Reporter-facing receipt: kept only as a keyed digest, so a dump does not yield it.
    receipt_digest = models.CharField(max_length=100, unique=True, verbose_name=_("empreinte du code de suivi"))
    # The same code as keypad keys (reporting.codes.KEYPAD), keyed too: a voice caller
    # can type only digits. Not unique: two codes may share their keys.
    keypad_digest = models.CharField(
        max_length=100, blank=True, default="", db_index=True, verbose_name=_("empreinte du code au clavier")
    )
    channel = models.CharField(max_length=8, choices=Channel.choices, verbose_name=_("canal"))
    category = models.CharField(
        max_length=20, choices=Category.choices, default=Category.UNCLASSIFIED, verbose_name=_("catégorie")
    )
    status = models.CharField(
        max_length=12, choices=ReportStatus.choices, default=ReportStatus.RECEIVED, verbose_name=_("statut")
    )
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.FR, verbose_name=_("langue"))
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("région")
    )
    cercle = models.ForeignKey(
        Cercle, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("cercle")
    )
    commune = models.ForeignKey(
        Commune, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("commune")
    )
    occurred = models.CharField(
        max_length=10,
        choices=OccurredPeriod.choices,
        default=OccurredPeriod.UNKNOWN,
        verbose_name=_("moment des faits"),
    )
    people_affected = models.CharField(
        max_length=8,
        choices=PeopleAffected.choices,
        default=PeopleAffected.UNKNOWN,
        verbose_name=_("personnes touchées"),
    )
    description = EncryptedTextField(null=True, blank=True, verbose_name=_("texte de l'auteur"))
    sender_pseudonym = models.CharField(
        max_length=100, blank=True, db_index=True, verbose_name=_("pseudonyme de l'expéditeur")
    )
    # The reporter said they are displaced (a fact about the reporter, not a category):
    # where they live now is never asked nor kept; the place above is where it happened.
    reporter_displaced = models.BooleanField(default=False, verbose_name=_("auteur déplacé"))
    # Whether the platform already asked this SMS sender where it happened (once only).
    place_asked = models.BooleanField(default=False, verbose_name=_("lieu demandé"))
    message_count = models.PositiveSmallIntegerField(default=1, verbose_name=_("nombre de messages"))
    received_at = models.DateTimeField(help_text=_("À la minute près."), verbose_name=_("reçu le"))
    last_message_at = models.DateTimeField(verbose_name=_("dernier message le"))
    # Triage (relay workspace).
    severity = models.CharField(max_length=10, choices=Severity.choices, blank=True, verbose_name=_("gravité"))
    verification = models.CharField(
        max_length=14, choices=Verification.choices, default=Verification.UNVERIFIED, verbose_name=_("vérification")
    )
    summary = EncryptedTextField(
        null=True,
        blank=True,
        help_text=_("Résumé neutre, le seul texte que voient les forces."),
        verbose_name=_("résumé neutre"),
    )
    accused_force = models.CharField(
        max_length=20,
        blank=True,
        help_text=_("Force mise en cause (règle de conflit)."),
        verbose_name=_("force mise en cause"),
    )
    claimed_by = models.ForeignKey(
        "focal_points.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("pris en charge par"),
    )
    claimed_until = models.DateTimeField(null=True, blank=True, verbose_name=_("pris en charge jusqu'à"))
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports", verbose_name=_("incident")
    )
    close_reason = models.CharField(
        max_length=14, choices=CloseReason.choices, blank=True, verbose_name=_("motif de clôture")
    )
    # A relay asked the reporter a question: their next SMS until then joins this report.
    awaiting_reply_until = models.DateTimeField(null=True, blank=True, verbose_name=_("réponse attendue jusqu'à"))
    # A relay's question that could not be sent (SMS_REPLY_MODE=never: nothing unsolicited
    # reaches a reporter's phone). It waits for the reporter's next status look-up.
    pending_question = EncryptedTextField(null=True, blank=True, verbose_name=_("question en attente"))
    # An open question with numbered choices ({"text", "choices"}), answered by a digit
    # on SMS, the USSD follow-up menu or the web status page (``reporting.questions``).
    question = EncryptedJSONField(null=True, blank=True, verbose_name=_("question"))
    # Referral to a support service (gender-based violence) only with the reporter's yes.
    support_consent = models.CharField(
        max_length=10,
        choices=Consent.choices,
        default=Consent.NOT_ASKED,
        verbose_name=_("consentement à l'orientation"),
    )
    # The reporter asked (PREVENIR / NOTIFY) to be told when the report closes.
    notify_on_close = models.BooleanField(default=False, verbose_name=_("prévenir à la clôture"))

    class Meta:
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")
        indexes = [
            models.Index(fields=["status", "received_at"], name="report_status_received"),
            models.Index(fields=["-received_at"], name="report_newest"),
            models.Index(fields=["cercle", "status"], name="report_cercle_status"),
            models.Index(fields=["region", "status"], name="report_region_status"),
            models.Index(fields=["commune", "status"], name="report_commune_status"),
            models.Index(fields=["sender_pseudonym", "last_message_at"], name="report_sender_recent"),
        ]

    def __str__(self) -> str:
        return f"R-{self.reference}"

    @property
    def place_label(self) -> str:
        place = self.commune or self.cercle or self.region
        return place.name if place else ""


class ReportEventKind(models.TextChoices):
    RECEIVED = "received", _("Reçu")
    MESSAGE_JOINED = "message_joined", _("Message ajouté")
    PLACE_ASKED = "place_asked", _("Lieu demandé")
    PLACE_SET = "place_set", _("Lieu reconnu")
    ROUTED = "routed", _("Acheminé")
    PHOTO_ADDED = "photo_added", _("Photo ajoutée")
    STATUS_CHANGED = "status_changed", _("Statut changé")
    STATUS_CHECKED = "status_checked", _("Statut consulté par l'auteur")
    READ = "read", _("Lu")
    CLAIMED = "claimed", _("Pris en charge")
    RELEASED = "released", _("Libéré")
    VERIFIED = "verified", _("Vérification")
    CLASSIFIED = "classified", _("Classé")
    LINKED = "linked", _("Lié à un autre signalement")
    REDACTED = "redacted", _("Passage masqué")
    SUMMARISED = "summarised", _("Résumé écrit")
    QUESTION_ASKED = "question_asked", _("Question posée à l'auteur")
    QUESTION_DELIVERED = "question_delivered", _("Question remise à l'auteur à sa demande")
    QUESTION_ANSWERED = "question_answered", _("Réponse de l'auteur à une question")
    CLOSED = "closed", _("Clôturé")
    CONSENT_ASKED = "consent_asked", _("Consentement demandé")
    CONSENT_ANSWERED = "consent_answered", _("Consentement répondu")
    REFERRED = "referred", _("Orienté vers un service d'appui")
    INFORMED = "informed", _("Auteur informé de la clôture")
    ACCUSED = "accused", _("Force mise en cause")
    CLEARANCE_ASKED = "clearance_asked", _("Retrait de mise en cause demandé")
    CLEARANCE_APPROVED = "clearance_approved", _("Retrait de mise en cause approuvé")
    CLEARANCE_REFUSED = "clearance_refused", _("Retrait de mise en cause refusé")


def exact_now() -> datetime:
    """The default of staff times: looked up at each call (auto_now_add would also
    overwrite the minute-rounded times the reporter's side is given)."""
    return timezone.now()


class ReportEvent(models.Model):
    """Every state change of a report, as a row: the audit trail and the response clock."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events", verbose_name=_("signalement"))
    kind = models.CharField(max_length=20, choices=ReportEventKind.choices, verbose_name=_("type"))
    from_status = models.CharField(
        max_length=12, choices=ReportStatus.choices, blank=True, verbose_name=_("statut avant")
    )
    to_status = models.CharField(
        max_length=12, choices=ReportStatus.choices, blank=True, verbose_name=_("statut après")
    )
    # Staff actions keep their exact time (response clocks); the reporter's side is given
    # to the minute by ``reporting.services`` (see docs/data-kept.md).
    at = models.DateTimeField(default=exact_now, verbose_name=_("date"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("compte")
    )
    # The member who acted (also for feature-phone members who have no web account).
    member = models.ForeignKey(
        "focal_points.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("membre"),
    )
    channel = models.CharField(max_length=8, choices=Channel.choices, blank=True, verbose_name=_("canal"))
    # What changed, in words that never include the reporter's text (e.g. "severity: high").
    detail = models.CharField(max_length=200, blank=True, verbose_name=_("détail"))

    class Meta:
        verbose_name = _("événement de signalement")
        verbose_name_plural = _("événements de signalement")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["report", "kind"], name="reportevent_report_kind")]

    def __str__(self) -> str:
        return f"{self.kind} ({self.report_id})"


class ReportRecipient(models.Model):
    """A routing decision: this member must see this report, because of this rule."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="recipients", verbose_name=_("signalement")
    )
    member = models.ForeignKey(
        "focal_points.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("membre")
    )
    rule = models.CharField(max_length=200, verbose_name=_("règle"))
    audience = models.CharField(max_length=12, verbose_name=_("destinataires"))
    level = models.CharField(max_length=10, verbose_name=_("niveau"))
    decided_at = models.DateTimeField(default=exact_now, verbose_name=_("décidé le"))
    notified_at = models.DateTimeField(null=True, blank=True, verbose_name=_("prévenu le"))

    class Meta:
        verbose_name = _("destinataire d'un signalement")
        verbose_name_plural = _("destinataires des signalements")
        constraints = [models.UniqueConstraint(fields=["report", "member"], name="report_recipient_unique")]
        indexes = [models.Index(fields=["member", "report"], name="reportrecipient_member")]

    def __str__(self) -> str:
        return f"{self.member_id} <- {self.report_id} ({self.rule})"


class ReportPhoto(models.Model):
    """A photo re-encoded from its pixels (no EXIF, GPS, XMP or ICC), then encrypted."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos", verbose_name=_("signalement"))
    image = EncryptedBinaryField(verbose_name=_("image"))
    content_type = models.CharField(max_length=20, default="image/jpeg", verbose_name=_("type de fichier"))
    width = models.PositiveIntegerField(verbose_name=_("largeur"))
    height = models.PositiveIntegerField(verbose_name=_("hauteur"))
    byte_size = models.PositiveIntegerField(verbose_name=_("taille (octets)"))

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return f"photo {self.pk} of report {self.report_id}"


class UssdSession(models.Model):
    """Menu state of one USSD session or voice call (``gateway`` "voice:<provider>",
    ``session_id`` the call's id), kept server-side (inputs may contain '*')."""

    gateway = models.CharField(max_length=32, verbose_name=_("passerelle"))
    session_id = models.CharField(max_length=100, verbose_name=_("identifiant de session"))
    sender_pseudonym = models.CharField(max_length=100, verbose_name=_("pseudonyme de l'expéditeur"))
    state = EncryptedJSONField(verbose_name=_("état"))
    inputs_seen = models.PositiveSmallIntegerField(default=0, verbose_name=_("saisies vues"))
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("signalement")
    )
    updated_at = models.DateTimeField(auto_now=True, db_index=True, verbose_name=_("mis à jour le"))

    class Meta:
        verbose_name = _("session USSD")
        verbose_name_plural = _("sessions USSD")
        constraints = [models.UniqueConstraint(fields=["gateway", "session_id"], name="ussd_session_unique")]

    def __str__(self) -> str:
        return f"USSD session {self.pk}"


class WebSubmission(models.Model):
    """The single-use token of a web form: a resubmitted form gives the same receipt back
    instead of a second report."""

    token_digest = models.CharField(max_length=100, unique=True, verbose_name=_("empreinte du jeton"))
    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="+", verbose_name=_("signalement"))
    # The receipt, encrypted, so a double submit can show it again; deleted with the report.
    receipt = EncryptedTextField(verbose_name=_("code de suivi"))
    created_at = models.DateTimeField(default=now_minute, db_index=True, verbose_name=_("créé le"))

    class Meta:
        verbose_name = _("envoi par le site")
        verbose_name_plural = _("envois par le site")

    def __str__(self) -> str:
        return f"web submission of report {self.report_id}"


class AccusationSource(models.TextChoices):
    RESIDENT = "resident", _("Choix de l'auteur (abus par des forces)")
    RELAY = "relay", _("Classement par un relais")


class ReportAccusation(models.Model):
    """A force accused on a report, or (``force`` empty) the report filed as abuse by forces
    without the force being named. Rows are only ever inserted: the conflict-of-interest
    rule reads every accusation ever made, so no later edit of the report can undo one.
    Only an approved ``AccusationClearance`` (two people) lifts it."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="accusations", verbose_name=_("signalement")
    )
    force = models.CharField(max_length=20, blank=True, verbose_name=_("force"))
    source = models.CharField(max_length=10, choices=AccusationSource.choices, verbose_name=_("source"))
    member = models.ForeignKey(
        "focal_points.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("membre"),
    )
    at = models.DateTimeField(default=exact_now, verbose_name=_("date"))

    class Meta:
        verbose_name = _("mise en cause")
        verbose_name_plural = _("mises en cause")
        indexes = [models.Index(fields=["report", "force"], name="accusation_report_force")]

    def __str__(self) -> str:
        return f"accusation {self.force or 'force abuse'} on {self.report_id}"


class ClearanceStatus(models.TextChoices):
    PENDING = "pending", _("En attente d'un·e second·e coordinateur·rice")
    APPROVED = "approved", _("Approuvé")
    REFUSED = "refused", _("Refusé")


class AccusationClearance(models.Model):
    """A request to clear an accusation: a named force (``force``), or the category "abuse
    by forces" itself (``force`` empty, ``new_category`` the category asked for). Applied
    only when a coordinator other than the requester approves it; each step is an event."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="clearances", verbose_name=_("signalement")
    )
    force = models.CharField(max_length=20, blank=True, verbose_name=_("force"))
    new_category = models.CharField(
        max_length=20, choices=Category.choices, blank=True, verbose_name=_("nouvelle catégorie")
    )
    new_force = models.CharField(max_length=20, blank=True, verbose_name=_("nouvelle force"))
    status = models.CharField(
        max_length=10, choices=ClearanceStatus.choices, default=ClearanceStatus.PENDING, verbose_name=_("statut")
    )
    requested_by = models.ForeignKey(
        "focal_points.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("demandé par")
    )
    requested_at = models.DateTimeField(default=exact_now, verbose_name=_("demandé le"))
    decided_by = models.ForeignKey(
        "focal_points.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("décidé par"),
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("décidé le"))

    class Meta:
        verbose_name = _("retrait de mise en cause")
        verbose_name_plural = _("retraits de mise en cause")

    def __str__(self) -> str:
        return f"clearance {self.pk} ({self.status})"


class StaffReadView(models.TextChoices):
    INBOX = "inbox", _("Boîte des signalements")
    MAP = "map", _("Carte")
    DASHBOARD = "dashboard", _("Tableau de bord des délais")
    DASHBOARD_EXPORT = "dashboard_csv", _("Export des délais (CSV)")
    ALERTS = "alerts", _("Alertes d'un point focal")
    TRAIL = "trail", _("Trace d'un compte")
    TRAIL_EXPORT = "trail_csv", _("Export de la trace (CSV)")
    API = "api", _("API du personnel")
    EXPORT_HXL = "hxl_csv", _("Export HXL (CSV) pour les partenaires")
    EXPORT_GEOJSON = "geojson", _("Export GeoJSON pour les partenaires")


class StaffRead(models.Model):
    """A staff page that listed or summed up reports (the report page itself writes a
    ``read`` event): who, when, which page, which references it showed and how many
    reports its figures cover. Only ever inserted; the retention purge alone deletes,
    and records how many."""

    member = models.ForeignKey(
        "focal_points.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("membre")
    )
    view = models.CharField(max_length=16, choices=StaffReadView.choices, verbose_name=_("page"))
    at = models.DateTimeField(default=exact_now, db_index=True, verbose_name=_("date"))
    # The filters used, never a reporter's words (e.g. "status=open; category=gbv").
    detail = models.CharField(max_length=200, blank=True, verbose_name=_("détail"))
    # References shown on the page (staff identifiers, e.g. "K7M2 Q9XA"), and how many
    # reports the page covered (a dashboard sums up reports it does not name).
    references = models.TextField(blank=True, verbose_name=_("références"))
    report_count = models.PositiveIntegerField(default=0, verbose_name=_("nombre de signalements"))

    class Meta:
        verbose_name = _("lecture par le personnel")
        verbose_name_plural = _("lectures par le personnel")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["member", "at"], name="staffread_member_at")]

    def __str__(self) -> str:
        return f"{self.view} by {self.member_id}"


class PurgeRecord(models.Model):
    """What a retention purge deleted, as counts per table: the trail's only gaps are
    accounted for."""

    at = models.DateTimeField(default=exact_now, verbose_name=_("date"))
    job = models.CharField(max_length=40, verbose_name=_("tâche"))
    cutoff = models.DateTimeField(verbose_name=_("limite"))
    counts = models.JSONField(default=dict, verbose_name=_("nombres"))

    class Meta:
        verbose_name = _("purge")
        verbose_name_plural = _("purges")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"purge {self.job} at {self.at:%Y-%m-%d %H:%M}"
