"""The phone simulator in a real browser: an SMS goes through and its receipt comes back;
a USSD session walks its first screens. Screenshot in screenshots/simulator-fr.png."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_simulator_sends_an_sms_and_walks_ussd(live_server, gazetteer, outbox, new_page):
    page = new_page(width=1100, height=900)
    page.goto(f"{live_server.url}/simulator/")
    page.fill("#body", "attaque au marche de boni, 3 blesses")
    page.click("button[value=sms]")
    assert "HTTP 200" in page.content()
    page.locator("button[value=refresh]").first.click()
    assert "Veille: message recu. Code de suivi:" in page.content()
    page.click("button[value=dial]")
    assert "Veille - signalement anonyme" in page.inner_text(".ussd-screen")
    page.fill("#input", "1")
    page.click("button[value=reply]")
    assert "Signaler un incident" in page.inner_text(".ussd-screen")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "simulator-fr.png"), full_page=True)
    assert page.context.cookies() == []  # the simulator, like the public pages, sets no cookie
