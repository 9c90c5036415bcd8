"""The neutral summary's limit on the report page: what the alert's one SMS segment
leaves it, stated without JavaScript, counted with it, and checked by the server."""

from __future__ import annotations

import pytest

from focal_points.models import Category
from places.models import Commune
from reporting.models import Report
from reporting.services import PlaceChoice, report_submit
from reporting.texts import alert_summary_limit

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(deployment) -> Report:
    place = PlaceChoice(commune_id=Commune.objects.get(name="Dangol-Boré").pk)
    return report_submit(channel="web", category=Category.ARMED_ATTACK, description="x", place=place).report


def test_the_page_states_the_limit_and_carries_the_counter(staff_client, report):
    page = staff_client("Aminata Guindo").get(f"/staff/reports/{report.pk}/").content.decode()
    limit = alert_summary_limit(report)

    assert f"Au plus {limit} signes" in page
    assert f'data-septet-limit="{limit}"' in page and 'id="summary-count"' in page
    assert "js/septets." in page  # the counter script, served by the platform itself


def test_a_summary_too_long_for_the_alert_is_refused_without_javascript(staff_client, report):
    client = staff_client("Aminata Guindo")
    too_long = "2 à 5 personnes touchées au marché de Boni, hommes armés à moto venus du nord, partis vers Hombori."

    response = client.post(f"/staff/reports/{report.pk}/summarise/", {"summary": too_long}, follow=True)

    report.refresh_from_db()
    assert report.summary in (None, "")
    assert "trop long pour le SMS d&#x27;alerte" in response.content.decode()
