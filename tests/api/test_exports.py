"""Exports for partners: HXL hashtags from the HXL core list, GeoJSON a GeoJSON library
reads, only what the member may see, never the reporter's text, the day only, each
export in the trail and behind a fresh code."""

from __future__ import annotations

import csv
import io
import time

import geojson
import pytest
from django.conf import settings

from places.models import Cercle
from reporting.models import StaffRead, StaffReadView

pytestmark = pytest.mark.django_db

# The hashtags and attributes used, with their definitions in the HXL core schema
# (HXL hashtag dictionary, hxlstandard.org). A tag or attribute not here fails the test.
HXL_CORE_HASHTAGS = {
    "#event": "Information about an event or incident, such as a disaster, conflict or outbreak.",
    "#severity": "Severity of an event, need, or condition.",
    "#description": "Long-form descriptive text (one or more sentences).",
    "#adm1": "Top-level subnational administrative area (e.g. a governorate in Syria).",
    "#adm2": "Second-level subnational administrative area (e.g. a subdivision in Bangladesh).",
    "#adm3": "Third-level subnational administrative area (e.g. a subdistrict in Afghanistan).",
    "#date": "Date related to the data in the record (ISO 8601 recommended).",
    "#affected": "Number of people or households affected by an emergency.",
    "#status": "Status of a report, event, etc.",
    "#org": "Name or identifier of an organisation.",
    "#indicator": "A general-purpose indicator, such as a flag or a count.",
}
HXL_CORE_ATTRIBUTES = {
    "+id": "Unique identifier for the record or entity.",
    "+type": "Classification or category of the entity.",
    "+name": "A name, as opposed to a code.",
    "+min": "Lowest value in a range.",
    "+max": "Highest value in a range.",
    "+idps": "Internally-displaced persons.",
}
REQUIRED = [
    "#event",
    "#adm1+name",
    "#adm2+name",
    "#adm3+name",
    "#date",
    "#affected+min",
    "#affected+max",
    "#status",
    "#org",
]


def _fresh(client):
    session = client.session
    session["veille_code_at"] = int(time.time())
    session.save()
    return client


def _hxl(client) -> list[list[str]]:
    response = client.get("/staff/exports/?format=hxl")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_every_hxl_tag_is_from_the_core_list_and_the_named_ones_are_there(staff_client, reports):
    rows = _hxl(staff_client("Mariam Traoré"))
    tags = rows[1]

    for tag in tags:
        hashtag, *attributes = tag.split("+")
        assert hashtag in HXL_CORE_HASHTAGS, tag
        assert all(f"+{a}" in HXL_CORE_ATTRIBUTES for a in attributes), tag
    # HXL tag patterns: "#event" matches "#event+id" (a column may add attributes).
    for wanted in REQUIRED:
        base, *extra = wanted.split("+")
        assert any(t.split("+")[0] == base and set(extra) <= set(t.split("+")[1:]) for t in tags), wanted


def test_the_hxl_export_holds_neutral_summaries_day_dates_and_the_range(staff_client, reports):
    boni, _ = reports
    boni.summary = "Attaque armée signalée au marché"
    boni.people_affected = "2-5"
    boni.reporter_displaced = True
    boni.save(update_fields=["summary", "people_affected", "reporter_displaced"])

    _header, tags, *data = _hxl(staff_client("Mariam Traoré"))
    rows = {r[tags.index("#event+id")]: dict(zip(tags, r, strict=True)) for r in data}
    row = rows[f"R-{boni.reference}"]

    assert row["#description"] == "Attaque armée signalée au marché"
    assert (row["#affected+min"], row["#affected+max"]) == ("2", "5")
    assert row["#indicator+idps"] == "1"  # the reporter said they are displaced
    assert {r[tags.index("#indicator+idps")] for r in data if r[0] != f"R-{boni.reference}"} <= {""}
    assert len(row["#date"]) == 10  # YYYY-MM-DD: the day, never the hour
    assert row["#adm3+name"] == "Dangol-Boré" and row["#adm2+name"] and row["#adm1+name"]
    body = "\n".join(",".join(r) for r in data)
    assert "attaque au marche" not in body and "policiers ont frappe" not in body  # the reporters' words


def test_the_geojson_parses_and_puts_points_at_the_cercle_seat(staff_client, reports):
    boni, _ = reports
    response = _fresh(staff_client("Ibrahim Keita")).get("/staff/exports/?format=geojson")

    collection = geojson.loads(response.content.decode())
    assert isinstance(collection, geojson.FeatureCollection) and collection.is_valid
    feature = next(f for f in collection["features"] if f["properties"]["event+id"] == f"R-{boni.reference}")
    cercle = Cercle.objects.get(pk=boni.cercle_id)
    assert feature["geometry"]["coordinates"] == [cercle.seat_longitude, cercle.seat_latitude]
    assert "attaque au marche" not in response.content.decode()


@pytest.mark.parametrize(
    ("name", "allowed", "count"),
    [("Mariam Traoré", True, 2), ("Ibrahim Keita", True, 2), ("Aminata Guindo", False, 0), ("Awa Sangaré", False, 0)],
)
def test_only_coordinators_export_and_only_what_they_see(staff_client, reports, name, allowed, count):
    client = staff_client(name)
    assert client.get("/staff/exports/").status_code == (200 if allowed else 404)
    response = client.get("/staff/exports/?format=hxl")
    assert response.status_code == (200 if allowed else 404)
    if allowed:
        assert len(list(csv.reader(io.StringIO(response.content.decode())))) == 2 + count


def test_every_export_is_in_the_trail_with_its_references(staff_client, reports):
    boni, _ = reports
    client = staff_client("Mariam Traoré")
    client.get("/staff/exports/?format=hxl")
    client.get("/staff/exports/?format=geojson")

    reads = list(StaffRead.objects.filter(view__in=[StaffReadView.EXPORT_HXL, StaffReadView.EXPORT_GEOJSON]))
    assert [r.view for r in reads] == [StaffReadView.EXPORT_HXL, StaffReadView.EXPORT_GEOJSON]
    assert all(r.report_count == 2 and boni.reference in r.references for r in reads)


def test_an_export_asks_a_fresh_code(staff_client, reports):
    client = staff_client("Mariam Traoré")
    session = client.session
    session["veille_code_at"] = int(time.time()) - settings.STAFF_REAUTH_SECONDS - 60
    session.save()

    response = client.get("/staff/exports/?format=hxl")

    assert "Confirmer avec votre code" in response.content.decode()
    assert not StaffRead.objects.filter(view=StaffReadView.EXPORT_HXL).exists()
    assert client.get("/staff/exports/").status_code == 200  # the page itself needs none
