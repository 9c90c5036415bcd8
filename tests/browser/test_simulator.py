"""The phone simulator in a real browser: an SMS goes through and its receipt comes back;
a USSD session walks its first screens. Screenshot in screenshots/simulator-fr.png."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if not Path(CHROMIUM).exists():
    if os.environ.get("VEILLE_REQUIRE_BROWSER"):
        raise RuntimeError("chromium is required here (VEILLE_REQUIRE_BROWSER) but /usr/bin/chromium is missing")
    pytest.skip("chromium not installed: browser tests skipped", allow_module_level=True)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_the_simulator_sends_an_sms_and_walks_ussd(live_server, gazetteer, outbox):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 900})
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
        browser.close()
