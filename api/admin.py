from django.contrib import admin
from django.utils import timezone

from api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Listed and revocable; never issued here (issuing asks a fresh code on the staff
    page) and never shown: only a digest is stored."""

    list_display = ["prefix", "name", "member", "scopes", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["scopes"]
    search_fields = ["member__name", "prefix", "name"]
    readonly_fields = ["member", "name", "prefix", "scopes", "created_at", "expires_at", "revoked_at", "last_used_at"]
    exclude = ["digest"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Révoquer les jetons choisis")
    def revoke(self, request, queryset) -> None:
        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
