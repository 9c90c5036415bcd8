"""The API gives ``reporter_displaced`` (issue 19) and groups response times by it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_api_gives_the_field_and_groups_response_times_by_it(api_client, reports):
    boni, sevare = reports
    boni.reporter_displaced = True
    boni.save(update_fields=["reporter_displaced"])
    client = api_client("Ibrahim Keita")

    results = client.get("/api/v1/reports/?status=all").json()["results"]
    listed = {r["reference"]: r["reporter_displaced"] for r in results}
    assert (listed[boni.reference], listed[sevare.reference]) == (True, False)
    grouped = client.get("/api/v1/response-times/?by=displaced&days=7").json()
    assert {row["label"]: row["reports"] for row in grouped} == {"auteur déplacé": 1, "non précisé": 1}
