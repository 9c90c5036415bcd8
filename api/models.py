"""API tokens: one per use, per staff member. Only the SHA-256 digest of a token is
kept; the token itself is shown once, when issued, and cannot be read back."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    READ = "read", _("Lecture")
    TRIAGE = "triage", _("Tri")
    # Forwarding to the forces and closing: what the web asks a fresh code for; a token
    # carrying it lives hours, not days (settings.API_TOKEN_FORWARD_CLOSE_HOURS).
    FORWARD_CLOSE = "forward_close", _("Transmettre et clôturer")


class ApiToken(models.Model):
    member = models.ForeignKey("focal_points.Member", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("usage"), max_length=60)
    digest = models.CharField(max_length=64, unique=True)
    # The first characters, to tell tokens apart in a list; not enough to guess one.
    prefix = models.CharField(max_length=12)
    scopes = models.CharField(max_length=40, help_text=_("Séparés par des espaces."))
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def scope_set(self) -> set[str]:
        return set(self.scopes.split())

    def is_live(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now
