"""Numbered lists sent by SMS, so that a later answer by digit means what was listed.

``TRANSMETTRE K7M2`` answers "1 Adj Coulibaly (GEN) 2 ..."; ``TRANSMETTRE K7M2 1 3``
must name those members, not whoever a fresh query would list first. The list is stored
(member ids only, no content) and expires after ``SMS_CHOICE_LIST_MINUTES``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChoiceListKind(models.TextChoices):
    FORWARD = "forward", "Transmission"


class ChoiceList(models.Model):
    member = models.ForeignKey(
        "focal_points.Member", on_delete=models.CASCADE, related_name="+", verbose_name=_("membre")
    )
    report = models.ForeignKey(
        "reporting.Report", on_delete=models.CASCADE, related_name="+", verbose_name=_("signalement")
    )
    kind = models.CharField(max_length=10, choices=ChoiceListKind.choices, verbose_name=_("type"))
    # The ids in the order they were numbered (1 is the first).
    items = models.JSONField(verbose_name=_("éléments"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("créé le"))
    expires_at = models.DateTimeField(db_index=True, verbose_name=_("expire le"))

    class Meta:
        verbose_name = _("liste numérotée")
        verbose_name_plural = _("listes numérotées")
        indexes = [models.Index(fields=["member", "report", "kind"], name="choicelist_lookup")]

    def __str__(self) -> str:
        return f"{self.kind} list {self.pk}"
