"""Browser tests drive Debian's chromium through Playwright's sync API against
pytest-django's live server. They are skipped, with a clear reason, only when
/usr/bin/chromium is missing."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SKIP_REASON = "chromium not installed: browser tests skipped"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
HERE = Path(__file__).resolve().parent
# The quick exit's neutral page is on the internet; the tests answer for it instead.
NEUTRAL_PAGE = "<!doctype html><html lang='fr'><title>Meteo Bamako</title><p>Meteo: 34 degres</p></html>"

# Playwright's sync API runs an event loop in this thread; the ORM calls of the tests are
# plain synchronous set-up and checks, so Django's async-safety guard is lifted here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                if os.environ.get("VEILLE_REQUIRE_BROWSER"):
                    # CI installs chromium: a missing browser there is a failure, not a skip.
                    raise pytest.UsageError(f"VEILLE_REQUIRE_BROWSER is set but {CHROMIUM} is missing")
                item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


def _settled(click: Callable[..., None]) -> Callable[..., None]:
    """A click that returns once any page it loaded is parsed to the end.

    Playwright's click waits for a navigation it starts to *commit*, not for the new
    document to be parsed: on a loaded machine a test could read the top of the next page
    while its end was not yet in the DOM (CI saw the simulator's "call ended" line missing
    right after the receipt's words were there). DOMContentLoaded means the whole document
    is parsed; a click that loads nothing finds the current page long past it."""

    def settled_click(self: object, *args: object, **kwargs: object) -> None:
        click(self, *args, **kwargs)
        page = getattr(self, "page", self)  # a Locator knows its page
        page.wait_for_load_state("domcontentloaded")

    return settled_click


@pytest.fixture(autouse=True, scope="session")
def _clicks_wait_for_the_next_page() -> Iterator[None]:
    from playwright.sync_api import Locator, Page

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Page, "click", _settled(Page.click))
        patch.setattr(Locator, "click", _settled(Locator.click))
        yield


# Module scope: another module may start its own Playwright, which cannot run beside this one.
@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium, settings) -> Iterator[Callable[..., object]]:
    """``new_page(javascript=False, width=390)``: a page in a fresh context (no shared
    history or cache), French, whose quick-exit target is answered locally."""
    contexts = []

    def make(*, javascript: bool = True, width: int = 390, height: int = 844) -> object:
        context = chromium.new_context(
            java_script_enabled=javascript, viewport={"width": width, "height": height}, locale="fr-FR"
        )
        contexts.append(context)
        context.route(
            lambda url: url.startswith(settings.QUICK_EXIT_URL.split("?")[0]),
            lambda route: route.fulfill(status=200, content_type="text/html", body=NEUTRAL_PAGE),
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make
    for context in contexts:
        context.close()
