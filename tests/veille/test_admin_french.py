"""The admin reads in French: model names (singular and plural), column headers, filters
and the site's titles. Walks every registered ModelAdmin of the project's apps."""

from __future__ import annotations

import importlib
import importlib.util

import pytest
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path, label_for_field

PROJECT_APPS = {"messaging", "reporting", "alerts", "focal_points", "places", "commands"}
# Field names whose English default label is also the French word.
SAME_IN_FRENCH = {
    "commune",
    "cercle",
    "communes",
    "message",
    "incident",
    "question",
    "image",
    "force",
    "source",
    "organisation",
    "latitude",
    "longitude",
    "photo",
}


def _registered():
    # The apps' admin modules register their ModelAdmins on import.
    for app in sorted(PROJECT_APPS):
        if importlib.util.find_spec(f"{app}.admin"):
            importlib.import_module(f"{app}.admin")
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in PROJECT_APPS
    ]


def _project_models():
    from django.apps import apps

    return [m for app in sorted(PROJECT_APPS) for m in apps.get_app_config(app).get_models()]


@pytest.mark.parametrize("model", _project_models(), ids=lambda m: m.__name__)
def test_every_model_names_itself_in_french(model):
    meta = model._meta
    # Set in Meta, not derived by Django ("inbound message" / "Inbound messages").
    assert "verbose_name" in meta.original_attrs, model.__name__
    assert "verbose_name_plural" in meta.original_attrs, model.__name__
    english_default = "".join(f" {c.lower()}" if c.isupper() else c for c in model.__name__).strip()
    assert str(meta.verbose_name) != english_default or english_default in SAME_IN_FRENCH
    for field in meta.get_fields():
        if field.auto_created and not field.concrete:
            continue
        if field.name in SAME_IN_FRENCH or field.primary_key:
            continue
        assert str(field.verbose_name) != field.name.replace("_", " "), f"{model.__name__}.{field.name}"


def test_every_admin_column_and_filter_is_french():
    assert _registered()
    for model, model_admin in _registered():
        for name in model_admin.list_display:
            if name in ("pk", "__str__"):
                continue
            label = str(label_for_field(name, model, model_admin))
            assert label.lower() != name.replace("_", " ") or name in SAME_IN_FRENCH, f"{model.__name__}: {name}"
        for entry in model_admin.list_filter:
            if not isinstance(entry, str):
                continue
            field = get_fields_from_path(model, entry)[-1]
            assert str(field.verbose_name) != field.name.replace("_", " ") or field.name in SAME_IN_FRENCH, entry


def test_the_site_titles_are_french():
    assert "Django" not in str(admin.site.site_header)
    assert "Django" not in str(admin.site.site_title)
    assert "Veille" in str(admin.site.site_header)


@pytest.mark.django_db
def test_a_changelist_reads_in_french(staff_client):
    client = staff_client("Aminata Guindo", superuser=True)
    page = client.get("/admin/messaging/inboundmessage/").content.decode()
    assert "Messages reçus" in page or "messages reçus" in page
    assert "Par statut" in page
    for english in ("Inbound messages", "Par status", "Django administration", "Received at"):
        assert english not in page, english
    index = client.get("/admin/").content.decode()
    for english in ("Outbound messages", "Community alerts", "Gateway devices", "Choice lists"):
        assert english not in index, english
