"""Mali's administrative places: regions (and the district of Bamako), cercles, communes.

The lowest app: every other app may refer to a place, none of these models knows a report.
Reports are kept at commune precision at most.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionKind(models.TextChoices):
    REGION = "region", _("Région")
    DISTRICT = "district", _("District")


class Setting(models.TextChoices):
    URBAN = "urban", _("Urbain")
    RURAL = "rural", _("Rural")


class Region(models.Model):
    name = models.CharField(_("nom"), max_length=100, unique=True)
    kind = models.CharField(_("type"), max_length=10, choices=RegionKind.choices, default=RegionKind.REGION)
    aliases = models.TextField(_("autres noms"), blank=True, help_text=_("Un par ligne (orthographes, langues)."))
    seat_latitude = models.FloatField(null=True, blank=True, verbose_name=_("latitude du chef-lieu"))
    seat_longitude = models.FloatField(null=True, blank=True, verbose_name=_("longitude du chef-lieu"))

    class Meta:
        verbose_name_plural = _("régions")
        ordering = ["name"]
        verbose_name = _("région")

    def __str__(self) -> str:
        return self.name


class Cercle(models.Model):
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="cercles", verbose_name=_("région"))
    name = models.CharField(_("nom"), max_length=100)
    aliases = models.TextField(_("autres noms"), blank=True, help_text=_("Un par ligne (orthographes, langues)."))
    seat_latitude = models.FloatField(null=True, blank=True, verbose_name=_("latitude du chef-lieu"))
    seat_longitude = models.FloatField(null=True, blank=True, verbose_name=_("longitude du chef-lieu"))

    class Meta:
        verbose_name_plural = _("cercles")
        ordering = ["name"]
        verbose_name = _("cercle")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="cercle_unique_in_region")]

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    cercle = models.ForeignKey(Cercle, on_delete=models.PROTECT, related_name="communes", verbose_name=_("cercle"))
    name = models.CharField(_("nom"), max_length=100)
    aliases = models.TextField(_("autres noms"), blank=True, help_text=_("Un par ligne (orthographes, langues)."))
    setting = models.CharField(_("milieu"), max_length=10, choices=Setting.choices, default=Setting.RURAL)
    latitude = models.FloatField(
        null=True, blank=True, help_text=_("Position indicative (chef-lieu)."), verbose_name=_("latitude")
    )
    longitude = models.FloatField(null=True, blank=True, verbose_name=_("longitude"))

    class Meta:
        verbose_name_plural = _("communes")
        ordering = ["name"]
        verbose_name = _("commune")
        constraints = [models.UniqueConstraint(fields=["cercle", "name"], name="commune_unique_in_cercle")]

    def __str__(self) -> str:
        return f"{self.name} ({self.cercle.name})"

    @property
    def region(self) -> Region:
        return self.cercle.region
