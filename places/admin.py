from django.contrib import admin

from places.models import Cercle, Commune, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    search_fields = ["name", "aliases"]


@admin.register(Cercle)
class CercleAdmin(admin.ModelAdmin):
    list_display = ["name", "region"]
    list_filter = ["region"]
    search_fields = ["name", "aliases"]


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["name", "cercle", "setting"]
    list_filter = ["cercle__region", "setting"]
    search_fields = ["name", "aliases"]
    list_select_related = ["cercle"]
