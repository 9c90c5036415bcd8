"""Coordinators configure the directory here. A member's phone is write-only: it can be
set or replaced, never read back on a screen."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from focal_points import directory
from focal_points.auth import account_disable, second_factor_reset
from focal_points.models import AccountEvent, Area, DutySlot, Member, Organisation, RoutingRule
from focal_points.services import member_set_phone


class MemberForm(forms.ModelForm):
    new_phone = forms.CharField(
        label=_("Téléphone"),
        required=False,
        help_text=_("Laisser vide pour garder le numéro enregistré (jamais affiché)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )

    class Meta:
        model = Member
        fields = ["organisation", "user", "name", "role", "languages", "gbv_trained", "escalation_order", "is_active"]

    def clean_new_phone(self) -> str:
        value = self.cleaned_data["new_phone"].strip()
        if value:
            try:
                member_set_phone(member=self.instance, phone=value)
            except ValueError as exc:
                raise forms.ValidationError(_("Ce numéro n'est pas valide.")) from exc
        return value


class AreaInline(admin.TabularInline):
    model = Area
    extra = 1
    autocomplete_fields = ["region", "cercle", "commune"]


class DutySlotInline(admin.TabularInline):
    model = DutySlot
    extra = 0


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    form = MemberForm
    list_display = ["name", "role", "organisation", "has_phone", "gbv_trained", "is_active"]
    list_filter = ["role", "organisation__kind", "is_active", "gbv_trained"]
    search_fields = ["name", "organisation__name"]
    inlines = [AreaInline, DutySlotInline]
    list_select_related = ["organisation"]
    actions = ["disable_accounts", "reset_second_factor"]

    @admin.action(description=_("Désactiver le compte (téléphone perdu ou saisi)"), permissions=["change"])
    def disable_accounts(self, request, queryset) -> None:
        ended = 0
        for member in queryset.select_related("user"):
            if member.user is not None:
                ended += account_disable(user=member.user, by=request.user)
            else:
                Member.objects.filter(pk=member.pk).update(is_active=False)
                directory.directory_changed()  # an update() sends no signal
        self.message_user(
            request,
            _("%(n)s compte(s) désactivé(s), %(s)s session(s) fermée(s).") % {"n": queryset.count(), "s": ended},
        )

    @admin.action(
        description=_("Réinitialiser le deuxième facteur (application perdue ; nouvel enrôlement)"),
        permissions=["change"],
    )
    def reset_second_factor(self, request, queryset) -> None:
        """Removes the member's authenticators and ends their sessions; the next login
        with the password enrols a new one. Recorded as an account event. If the
        password may be known to someone else, change it too."""
        reset = ended = 0
        for member in queryset.select_related("user"):
            if member.user is not None:
                ended += second_factor_reset(user=member.user, by=request.user)
                reset += 1
        self.message_user(
            request,
            _("%(n)s deuxième(s) facteur(s) réinitialisé(s), %(s)s session(s) fermée(s).") % {"n": reset, "s": ended},
        )

    @admin.display(boolean=True, description=_("téléphone"))
    def has_phone(self, obj: Member) -> bool:
        return bool(obj.phone_pseudonym)


class MemberInline(admin.TabularInline):
    model = Member
    fields = ["name", "role", "is_active"]
    extra = 0
    show_change_link = True


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "force", "network_type", "is_active"]
    list_filter = ["kind", "force", "is_active"]
    search_fields = ["name"]
    inlines = [MemberInline]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "audience", "is_active"]
    list_filter = ["category", "audience", "is_active"]


@admin.register(AccountEvent)
class AccountEventAdmin(admin.ModelAdmin):
    """The trail of staff accounts' credentials: read only, never edited or deleted."""

    list_display = ["at", "user", "kind", "by", "sessions_ended"]
    list_filter = ["kind"]
    search_fields = ["user__username", "by__username"]
    list_select_related = ["user", "by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
