from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from places.models import Cercle, Commune, Region, Setting
from places.services import gazetteer_import

pytestmark = pytest.mark.django_db
DISTINCT_COMMUNES = 706


def test_it_imports_the_whole_gazetteer(gazetteer):
    assert Region.objects.count() == 11
    assert Cercle.objects.count() == 57
    # The file lists 708 entries; two are listed twice in the same cercle (SOURCES.md).
    assert Commune.objects.count() == DISTINCT_COMMUNES
    assert Commune.objects.get(name="Commune III").setting == Setting.URBAN
    assert "Boni" in Commune.objects.get(name="Dangol-Boré").aliases


def test_it_can_be_imported_again_without_duplicates_or_losing_edits(gazetteer):
    commune = Commune.objects.get(name="Hombori")
    commune.aliases = "Hombori-Tondo"
    commune.save()

    summary = gazetteer_import()

    assert summary.created == 0
    assert Commune.objects.count() == DISTINCT_COMMUNES
    assert Commune.objects.get(name="Hombori").aliases == "Hombori-Tondo"


def test_the_command_imports_a_custom_file(db, tmp_path):
    data = {
        "regions": [
            {
                "name": "Test",
                "kind": "region",
                "seat": None,
                "cercles": [{"name": "C", "seat": [1.0, 2.0], "communes": ["A ", "B"]}],
            }
        ]
    }
    path = tmp_path / "g.json"
    path.write_text(json.dumps(data))

    call_command("import_gazetteer", str(path))

    assert list(
        Commune.objects.filter(cercle__region__name="Test").values_list("name", flat=True).order_by("name")
    ) == [
        "A",
        "B",
    ]


def test_the_command_refuses_a_missing_or_malformed_file(db, tmp_path):
    with pytest.raises(CommandError, match="No gazetteer file"):
        call_command("import_gazetteer", str(tmp_path / "missing.json"))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"country": "ML"}))
    with pytest.raises(CommandError, match="Malformed"):
        call_command("import_gazetteer", str(bad))
