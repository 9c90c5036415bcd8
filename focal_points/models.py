"""The directory: organisations, their members, the areas they cover, when they are on
duty, and the routing rules coordinators edit. It knows no report: routing takes a
category and a place and answers who, and by which rule.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from places.models import Cercle, Commune, Region
from veille.fields import EncryptedTextField


class Category(models.TextChoices):
    """Incident categories (the default set of the field research). Routing rules refer to
    them, so they live with the rules; reports import them from here."""

    ARMED_ATTACK = "armed_attack", _("Attaque armée")
    ROBBERY = "robbery", _("Vol ou banditisme")
    THREAT = "threat", _("Menace ou intimidation")
    ARMED_PRESENCE = "armed_presence", _("Présence ou mouvement de groupe armé")
    EXPLOSIVE = "explosive", _("Engin explosif ou mine")
    KIDNAPPING = "kidnapping", _("Enlèvement")
    GBV = "gbv", _("Violence basée sur le genre")
    FORCE_ABUSE = "force_abuse", _("Abus par des forces ou des officiels")
    INTERCOMMUNITY = "intercommunity", _("Tension intercommunautaire ou foncière")
    DISPLACEMENT = "displacement", _("Déplacement de population")
    OTHER = "other", _("Autre")
    UNCLASSIFIED = "unclassified", _("À classer")


class OrganisationKind(models.TextChoices):
    RELAY_NETWORK = "relay_network", _("Réseau de relais (société civile)")
    SECURITY_UNIT = "security_unit", _("Unité des forces de sécurité")
    OVERSIGHT = "oversight", _("Organe de contrôle")
    SUPPORT_SERVICE = "support_service", _("Service d'appui (VBG)")
    MEDIATION = "mediation", _("Médiation")


class NetworkType(models.TextChoices):
    YOUTH = "youth", _("Association de jeunes")
    WOMEN = "women", _("Association de femmes")
    RELIGIOUS = "religious", _("Organisation religieuse")
    COMMUNITY = "community", _("Association communautaire")
    OTHER = "other", _("Autre")


class Force(models.TextChoices):
    POLICE = "police", _("Police nationale")
    GENDARMERIE = "gendarmerie", _("Gendarmerie")
    GARDE_NATIONALE = "garde_nationale", _("Garde nationale")
    ARMY = "army", _("Forces armées")
    MUNICIPAL_POLICE = "municipal_police", _("Police municipale")


class Organisation(models.Model):
    name = models.CharField(_("nom"), max_length=150, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=OrganisationKind.choices)
    network_type = models.CharField(_("type de réseau"), max_length=12, choices=NetworkType.choices, blank=True)
    force = models.CharField(_("force"), max_length=20, choices=Force.choices, blank=True)
    offers_medical = models.BooleanField(_("appui médical"), default=False)
    offers_psychosocial = models.BooleanField(_("appui psychosocial"), default=False)
    offers_legal = models.BooleanField(_("appui juridique"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        verbose_name = _("organisation")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="security_unit", force__gt="") | (~Q(kind="security_unit") & Q(force="")),
                name="organisation_force_only_for_units",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    RELAY = "relay", _("Relais")
    COORDINATOR = "coordinator", _("Coordinateur·rice")
    NATIONAL_COORDINATOR = "national_coordinator", _("Coordination nationale")
    FOCAL_POINT = "focal_point", _("Point focal")
    COMMANDER = "commander", _("Commandant d'unité")
    OVERSIGHT_OFFICER = "oversight_officer", _("Chargé·e de contrôle")
    SUPPORT_OFFICER = "support_officer", _("Chargé·e d'appui")
    MEDIATOR = "mediator", _("Médiateur·rice")


class Member(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="members", verbose_name=_("organisation")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
        verbose_name=_("compte"),
    )
    name = models.CharField(_("nom"), max_length=150)
    role = models.CharField(_("rôle"), max_length=24, choices=Role.choices)
    # The contact phone is encrypted; its pseudonym recognises the member's SMS commands.
    phone = EncryptedTextField(null=True, blank=True, verbose_name=_("téléphone"))
    phone_pseudonym = models.CharField(
        max_length=100, blank=True, db_index=True, verbose_name=_("pseudonyme du téléphone")
    )
    languages = models.CharField(
        _("langues"), max_length=40, default="fr", help_text=_("Codes séparés par des virgules.")
    )
    gbv_trained = models.BooleanField(_("formé·e aux cas de VBG"), default=False)
    # Order within the unit for escalation: 1 is called first.
    escalation_order = models.PositiveSmallIntegerField(_("ordre d'escalade"), default=1)
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name_plural = _("membres")
        ordering = ["organisation__name", "escalation_order", "name"]
        verbose_name = _("membre")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()}, {self.organisation})"

    @property
    def language_list(self) -> list[str]:
        return [code.strip() for code in self.languages.split(",") if code.strip()]


class Area(models.Model):
    """One place a member covers: a whole region, a cercle or a single commune."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="areas", verbose_name=_("membre"))
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("région")
    )
    cercle = models.ForeignKey(
        Cercle, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("cercle")
    )
    commune = models.ForeignKey(
        Commune, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("commune")
    )

    class Meta:
        verbose_name_plural = _("zones couvertes")
        verbose_name = _("zone couverte")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(region__isnull=False, cercle__isnull=True, commune__isnull=True)
                    | Q(region__isnull=True, cercle__isnull=False, commune__isnull=True)
                    | Q(region__isnull=True, cercle__isnull=True, commune__isnull=False)
                ),
                name="area_exactly_one_level",
            )
        ]

    def __str__(self) -> str:
        return str(self.commune or self.cercle or self.region)


class DutySlot(models.Model):
    """When a member is on duty (local time). A member without slots is always on duty."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="duty_slots", verbose_name=_("membre"))
    weekday = models.PositiveSmallIntegerField(
        _("jour"),
        choices=[
            (0, _("lundi")),
            (1, _("mardi")),
            (2, _("mercredi")),
            (3, _("jeudi")),
            (4, _("vendredi")),
            (5, _("samedi")),
            (6, _("dimanche")),
        ],
    )
    starts = models.TimeField(_("début"))
    ends = models.TimeField(_("fin"), help_text=_("Une fin avant le début couvre la nuit."))

    class Meta:
        verbose_name_plural = _("créneaux de permanence")
        ordering = ["member", "weekday", "starts"]
        verbose_name = _("créneau de permanence")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}-{self.ends:%H:%M}"


class Audience(models.TextChoices):
    RELAYS = "relays", _("Relais de la zone")
    GBV_RELAYS = "gbv_relays", _("Relais formés aux VBG")
    OVERSIGHT = "oversight", _("Organe de contrôle")
    MEDIATORS = "mediators", _("Médiateurs")
    SUPPORT = "support", _("Service d'appui (avec consentement)")


class RoutingRule(models.Model):
    """Who besides the area's relays receives a category. Edited by coordinators.

    The conflict-of-interest rule (a report about a force never reaches that force) is not
    a row: it is enforced in code and cannot be switched off.
    """

    name = models.CharField(_("nom"), max_length=120)
    category = models.CharField(_("catégorie"), max_length=20, choices=Category.choices)
    audience = models.CharField(_("destinataires"), max_length=12, choices=Audience.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name_plural = _("règles d'acheminement")
        ordering = ["category", "audience"]
        verbose_name = _("règle d'acheminement")
        constraints = [models.UniqueConstraint(fields=["category", "audience"], name="routing_rule_unique")]

    def __str__(self) -> str:
        return self.name


class AccountEventKind(models.TextChoices):
    DEVICE_ADDED = "device_added", _("Deuxième facteur enregistré")
    SECOND_FACTOR_RESET = "second_factor_reset", _("Deuxième facteur réinitialisé")
    PASSWORD_CHANGED = "password_changed", _("Mot de passe changé")
    DISABLED = "disabled", _("Compte désactivé")


class AccountEvent(models.Model):
    """What happened to a staff account's credentials, and who did it: a device enrolled
    or reset, a password changed, the account disabled. Only ever inserted; a user with
    events cannot be deleted (disable them instead), so the trail outlives the account."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="account_events", verbose_name=_("compte")
    )
    kind = models.CharField(_("événement"), max_length=24, choices=AccountEventKind.choices)
    # Who did it when it is not the account holder (a coordinator's reset or disable).
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("par"),
    )
    sessions_ended = models.PositiveIntegerField(_("sessions fermées"), default=0)
    at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("événement de compte")
        verbose_name_plural = _("événements de compte")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.user})"
