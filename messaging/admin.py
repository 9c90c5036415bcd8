"""Admin for message queues and opt-outs. Bodies, numbers and the contact vault are never
shown: the vault is not registered at all, and these lists show only metadata."""

from django.contrib import admin

from messaging.models import GatewayDevice, GatewayEvent, InboundMessage, OptOut, OutboundEvent, OutboundMessage


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdmin):
    list_display = ["pk", "provider", "status", "attempts", "received_at", "handled_by", "last_error"]
    list_filter = ["status", "provider"]
    fields = ["provider", "status", "attempts", "received_at", "processed_at", "handled_by", "last_error"]


class OutboundEventInline(admin.TabularInline):
    model = OutboundEvent
    extra = 0
    can_delete = False
    fields = ["status", "at", "detail"]
    readonly_fields = fields


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "purpose",
        "priority",
        "status",
        "provider",
        "attempts",
        "created_at",
        "sent_at",
        "error_code",
    ]
    list_filter = ["status", "purpose", "priority", "provider"]
    fields = [
        "purpose",
        "priority",
        "status",
        "provider",
        "lane",
        "attempts",
        "created_at",
        "sent_at",
        "next_attempt_at",
        "error_code",
    ]
    inlines = [OutboundEventInline]


class GatewayEventInline(admin.TabularInline):
    model = GatewayEvent
    extra = 0
    can_delete = False
    fields = ["kind", "at", "detail"]
    readonly_fields = fields


@admin.register(GatewayDevice)
class GatewayDeviceAdmin(ReadOnlyAdmin):
    """Each gateway phone's health: pings, send outcomes, outages and warnings."""

    list_display = ["provider", "device_id", "state", "last_ping_at", "last_success_at", "consecutive_failures"]
    list_filter = ["provider", "state"]
    fields = [
        "provider",
        "device_id",
        "state",
        "down_since",
        "down_reason",
        "warned_at",
        "last_ping_at",
        "last_success_at",
        "last_attempt_at",
        "failing_since",
        "consecutive_failures",
    ]
    inlines = [GatewayEventInline]


@admin.register(OptOut)
class OptOutAdmin(ReadOnlyAdmin):
    """Who asked for no more messages, by pseudonym and date (docs/data-kept.md). Read
    only: an opt-out is lifted by the resident's own START, never from here, and the
    number behind a pseudonym is on no screen."""

    list_display = ["pk", "pseudonym", "created_at"]
    fields = ["pseudonym", "created_at"]
    readonly_fields = fields
    ordering = ["-created_at"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
