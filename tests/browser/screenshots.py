"""Screenshots of the resident's web pages in French, for a check by eye: the form, the
receipt and the status page, on a 320 px phone and a 1280 px desktop.

Run: .venv/bin/python -m pytest -q tests/browser/screenshots.py
(not collected with the suite: the name does not start with test_). PNGs go to
/work/main/screenshots/ (git-ignored).
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {"phone": (320, 640), "desktop": (1280, 900)}


@pytest.mark.parametrize("javascript", [False, True], ids=["nojs", "js"])
@pytest.mark.parametrize("device", list(SIZES))
def test_take_screenshots(live_server, new_page, gazetteer, device, javascript):
    from places.models import Commune
    from reporting.models import Consent, Report

    SCREENSHOTS.mkdir(exist_ok=True)
    width, height = SIZES[device]
    page = new_page(javascript=javascript, width=width, height=height)
    name = f"web-{device}-{'js' if javascript else 'nojs'}"
    commune = Commune.objects.get(name="Dangol-Boré")

    page.goto(f"{live_server.url}/")
    page.screenshot(path=SCREENSHOTS / f"{name}-0-home.png", full_page=True)

    page.goto(f"{live_server.url}/report/")
    page.screenshot(path=SCREENSHOTS / f"{name}-1-form-top.png")
    page.screenshot(path=SCREENSHOTS / f"{name}-1-form-full.png", full_page=True)

    page.click("button[type=submit]")  # nothing chosen: the error summary
    page.wait_for_selector(".errors")
    page.screenshot(path=SCREENSHOTS / f"{name}-2-form-error.png")

    page.check("#id_category_6")
    if javascript:
        page.select_option("#place-region", value=f"r{commune.cercle.region_id}")
        page.select_option("#place-cercle", value=f"k{commune.cercle_id}")
        page.select_option("#place-commune", value=f"c{commune.pk}")
    else:
        page.select_option("#id_place", value=f"c{commune.pk}")
    page.fill("#id_description", "Une femme a été agressée hier soir près du marché.")
    page.click("button[type=submit]")
    page.wait_for_selector("#receipt-code")
    page.wait_for_load_state("load")
    receipt = page.inner_text("#receipt-code").replace(" ", "")
    page.screenshot(path=SCREENSHOTS / f"{name}-3-receipt.png", full_page=True)

    Report.objects.update(support_consent=Consent.ASKED)
    page.goto(f"{live_server.url}/report/status/")
    page.fill("#id_code", receipt)
    page.click("button[type=submit]")
    page.wait_for_selector(".status-word")
    page.screenshot(path=SCREENSHOTS / f"{name}-4-status.png", full_page=True)

    page.goto(f"{live_server.url}/report/status/")
    page.fill("#id_code", "KKKKKK")
    page.click("button[type=submit]")
    page.wait_for_selector(".errors")
    page.screenshot(path=SCREENSHOTS / f"{name}-5-status-unknown.png")


STAFF_SIZES = {"phone": (390, 844), "desktop": (1280, 900)}


@pytest.mark.parametrize("device", list(STAFF_SIZES))
def test_take_staff_screenshots(live_server, new_page, staff_client, device):
    """The staff side on the demo's sixty days of history: a report that was forwarded,
    escalated and acknowledged; the inbox; the map; the dashboard (a coordinator)."""
    from alerts.models import Alert
    from demo.history import history_build

    history_build()
    SCREENSHOTS.mkdir(exist_ok=True)
    width, height = STAFF_SIZES[device]
    page = new_page(width=width, height=height)
    client = staff_client("Mariam Traoré")
    session = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    escalated = Alert.objects.filter(escalated_from__isnull=False).select_related("report").first()
    pages = {
        "report": f"/staff/reports/{escalated.report_id}/",
        "inbox": "/staff/reports/?status=all",
        "map": "/staff/reports/map/",
        "dashboard": "/staff/alerts/dashboard/",
    }
    for name, path in pages.items():
        page.goto(f"{live_server.url}{path}")
        if name == "map":
            page.wait_for_selector("#map[data-borders-loaded='1']")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width, name
        page.screenshot(path=SCREENSHOTS / f"staff-{device}-{name}.png", full_page=True)
