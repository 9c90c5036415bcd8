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


@pytest.mark.parametrize("width", [390, 1280])
def test_the_map_draws_the_country_offline(live_server, new_page, staff_client, width):
    from places.models import Cercle

    _reports(3)
    page = new_page(width=width, height=844 if width == 390 else 900)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    _login(page, live_server, staff_client, "Aminata Guindo")
    page.goto(f"{live_server.url}/staff/reports/map/")
    page.wait_for_selector("#map[data-borders-loaded='1']")
    # The borders are SVG paths (Mali and its neighbours), plus the seats and the reports.
    assert page.locator(".leaflet-overlay-pane svg path").count() >= 8 + Cercle.objects.count() // 2
    assert "Natural Earth" in page.text_content(".leaflet-control-attribution")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    assert requests, "the page made no request at all?"
    outside = [url for url in requests if not (url.startswith(live_server.url) or url.startswith("data:"))]
    assert outside == []
    assert not any("/static/tiles/" in url for url in requests)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"staff-map-{width}.png"), full_page=True)


def test_the_basemap_is_small_and_holds_mali():
    import gzip
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "static" / "map" / "mali-borders.geojson"
    raw = path.read_bytes()
    assert len(gzip.compress(raw)) < 300_000
    names = [f["properties"]["name"] for f in json.loads(raw)["features"]]
    assert names[0] == "Mali" and "Niger" in names and "Burkina Faso" in names
