"""Staff pages on a 390 px phone and the offline map, in a real browser (chromium)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)


def _login(page, live_server, staff_client, name: str) -> None:
    """Carry the staff_client's logged-in session (password + TOTP) into the browser."""
    client = staff_client(name)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def _reports(n: int) -> list:
    from focal_points.models import Category
    from places.models import Commune
    from reporting.services import PlaceChoice, report_submit

    communes = list(Commune.objects.filter(name__in=["Dangol-Boré", "Hombori", "Socoura"]))
    return [
        report_submit(
            channel="web",
            category=[Category.INTERCOMMUNITY, Category.ARMED_PRESENCE, Category.FORCE_ABUSE][i % 3],
            description="des hommes armes sont passes par le village ce matin",
            place=PlaceChoice(commune_id=communes[i % len(communes)].pk),
        ).report
        for i in range(n)
    ]


def test_the_inbox_and_report_page_fit_a_390_px_phone(live_server, new_page, staff_client):
    reports = _reports(4)
    page = new_page(width=390)
    _login(page, live_server, staff_client, "Aminata Guindo")
    page.goto(f"{live_server.url}/staff/reports/")
    assert f"R-{reports[0].reference}" in page.content()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "staff-inbox-390.png"), full_page=True)
    page.goto(f"{live_server.url}/staff/reports/{reports[0].pk}/")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    page.screenshot(path=str(SCREENSHOTS / "staff-report-390.png"), full_page=True)
