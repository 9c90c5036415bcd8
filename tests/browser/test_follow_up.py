"""A web reporter adds information on the status page in a real browser, with her
receipt code only; the relay then reads it on the report page."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("javascript", [True, False])
def test_a_web_reporter_adds_information_from_the_status_page(live_server, new_page, deployment, javascript):
    from focal_points.models import Category
    from places.models import Commune
    from reporting.models import Report, ReportEventKind
    from reporting.services import PlaceChoice, report_submit

    submitted = report_submit(
        channel="web",
        category=Category.ARMED_ATTACK,
        description="attaque au marche",
        place=PlaceChoice(commune_id=Commune.objects.get(name="Hombori", cercle__region__name="Mopti").pk),
    )
    page = new_page(javascript=javascript)

    page.goto(f"{live_server.url}/report/status/")
    page.fill("input[name=code]", submitted.receipt.lower())
    page.click(".status-form button[type=submit]")
    page.fill("#added", "Trois motos sont parties vers Boni.")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"status-follow-up-fr-phone-js{int(javascript)}.png"), full_page=True)
    page.click(".add-information button[type=submit]")

    assert "votre information est ajoutée au signalement" in page.content()
    assert "Trois motos" not in page.content()
    report = Report.objects.get(pk=submitted.report.pk)
    assert report.description.endswith("Ajout : Trois motos sont parties vers Boni.")
    assert report.events.filter(kind=ReportEventKind.MESSAGE_JOINED, channel="web").count() == 1
