"""Admin view of reports: metadata only. Report text and photos are read in the relay
workspace, where every read is recorded; the admin shows neither, nor any pseudonym.

Nothing of the trail can be deleted here, not even by a superuser: reports, their events
and the staff-read rows go only through the retention purge, which records its counts
(the purge records are shown, read-only)."""

from django.contrib import admin

from reporting.models import PurgeRecord, Report, ReportEvent


class ReportEventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    can_delete = False
    fields = ["kind", "from_status", "to_status", "at", "actor", "channel"]
    readonly_fields = fields


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["reference", "channel", "category", "status", "commune", "received_hour"]
    list_filter = ["status", "channel", "category", "region"]
    search_fields = ["reference"]
    fields = [
        "reference",
        "channel",
        "category",
        "status",
        "region",
        "cercle",
        "commune",
        "occurred",
        "people_affected",
        "message_count",
    ]
    readonly_fields = ["reference", "channel", "message_count"]
    inlines = [ReportEventInline]
    list_select_related = ["commune"]

    @admin.display(description="Reçu (à l'heure près)")
    def received_hour(self, obj: Report) -> str:
        from django.utils import timezone

        return timezone.localtime(obj.received_at).strftime("%d/%m/%Y %Hh")

    # Changes go through the relay workspace, which records them as events.
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PurgeRecord)
class PurgeRecordAdmin(admin.ModelAdmin):
    list_display = ["at", "job", "cutoff", "counts"]
    readonly_fields = ["at", "job", "cutoff", "counts"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
