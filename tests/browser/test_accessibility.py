"""WCAG 2.1 AA on every public and staff page, in chromium (see docs/accessibility.md).

Each test walks a set of pages in one browser context and, on each page, runs axe-core
(WCAG 2.0/2.1 A and AA rules: zero violations) and the checks axe cannot make
(tests/browser/a11y.py): one h1 and headings in order, labels, ``lang``, the skip link,
tap targets (44 px for the resident's controls, 24 px on staff pages), visible focus,
field borders. Then the same pages are measured at 320 CSS px (reflow, WCAG 1.4.10) and
at 640 CSS px, which is a 1280 px screen at 200 % zoom.

The resident's pages are checked with their scripts and without: "without" blocks the
page's own scripts (axe itself needs JavaScript to run), which leaves the DOM a browser
without JavaScript shows.

All problems of all pages are gathered before the assertion, so one run lists them all.
``VEILLE_A11Y_SCREENSHOTS=1`` also saves a full-page PNG of each page in screenshots/.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator

import pytest

from tests.browser import a11y
from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = 1280
PHONE = 390
# Rule id -> elements, over the whole run (printed with -s, for docs/accessibility.md).
AXE_COUNTS: Counter = Counter()


@pytest.fixture(scope="module", autouse=True)
def _axe_counts() -> Iterator[None]:
    yield
    if AXE_COUNTS:
        print("\naxe, elements per rule:", dict(sorted(AXE_COUNTS.items())))


def _screenshot(page, name: str, width: int) -> None:
    if os.environ.get("VEILLE_A11Y_SCREENSHOTS"):
        SCREENSHOTS.mkdir(exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")  # else the sticky bar is drawn mid-page
        page.screenshot(path=str(SCREENSHOTS / f"a11y-{name}-{width}.png"), full_page=True)


def check_page(page, name: str, *, lang: str, resident: bool, width: int) -> list[str]:
    minimum = 44 if resident else 24
    problems = a11y.axe_problems(page, AXE_COUNTS)
    problems += a11y.structure_problems(page, lang=lang)
    problems += a11y.target_problems(page, minimum=minimum, inline_ok=not resident)
    problems += a11y.border_problems(page)
    problems += a11y.reflow_problems(page)
    _screenshot(page, name, width)
    problems += a11y.skip_link_problems(page, minimum=44 if resident else 24)
    problems += a11y.focus_problems(page)
    return [f"{name} @{width}px: {problem}" for problem in problems]


def check_reflow(page, name: str) -> list[str]:
    """The page as it is, at 320 and 640 CSS px: no horizontal scrolling, targets kept."""
    problems = []
    for width, height in ((320, 640), (640, 450)):
        page.set_viewport_size({"width": width, "height": height})
        problems += [f"{name} @{width}px: {p}" for p in a11y.reflow_problems(page)]
        _screenshot(page, name, width)
    return problems


Visit = Callable[[object], None]


def walk(new_page, pages: Iterator[tuple[str, str, Visit]], *, resident: bool, width: int, scripts: bool = True):
    """Visits each page (``pages`` yields name, language, visit) and checks it."""
    page = new_page(width=width, height=844 if width < 800 else 900)
    if not scripts:
        page.context.route("**/static/js/**", lambda route: route.abort())
    problems: list[str] = []
    for name, lang, visit in pages(page):
        page.set_viewport_size({"width": width, "height": 844 if width < 800 else 900})
        visit(page)
        page.wait_for_load_state("load")
        problems += check_page(page, name, lang=lang, resident=resident, width=width)
        problems += check_reflow(page, name)
    return problems


# ---------------------------------------------------------------------------------------
# The resident's pages


@pytest.fixture
def public_world(gazetteer, settings):
    """A published month of figures (small cells shown, so the tables are full)."""
    from django.utils import timezone

    from alerts.transparency import transparency_publish
    from places.models import Commune
    from reporting.models import Category
    from reporting.services import PlaceChoice, report_submit

    settings.TRANSPARENCY_MIN_CELL = 1
    communes = list(Commune.objects.filter(cercle__region__name="Mopti")[:3])
    last_month = timezone.now() - timezone.timedelta(days=62)
    for i in range(6):
        report = report_submit(
            channel="web",
            category=[Category.ARMED_ATTACK, Category.GBV, Category.ARMED_PRESENCE][i % 3],
            description="un incident",
            place=PlaceChoice(commune_id=communes[i % 3].pk),
        ).report
        type(report).objects.filter(pk=report.pk).update(received_at=last_month)
    transparency_publish()
    return {"commune": communes[0]}


def public_pages(live_server, world) -> Callable[[object], Iterator[tuple[str, str, Visit]]]:
    from reporting.models import Consent, Report

    url = live_server.url

    def go(path: str) -> Visit:
        return lambda page: page.goto(url + path)

    def form_errors(page) -> None:
        page.goto(url + "/report/")
        page.click(".send button")
        page.wait_for_selector(".errors")

    def submit(page) -> None:
        page.goto(url + "/report/")
        page.check("#id_category_6")
        page.fill("#id_description", "Une femme a été agressée hier soir près du marché.")
        page.click(".send button")
        page.wait_for_selector("#receipt-code")
        receipts.append(page.inner_text("#receipt-code").replace(" ", ""))

    def status_of(code: str, *, wait: str) -> Visit:
        def visit(page) -> None:
            page.goto(url + "/report/status/")
            page.fill("#id_code", code)
            page.click(".status-form button")
            page.wait_for_selector(wait)

        return visit

    def status_result(page) -> None:
        Report.objects.update(support_consent=Consent.ASKED)
        status_of(receipts[-1], wait=".status-word")(page)

    def rendered(template: str, language: str) -> Visit:
        """An error page the live server cannot be made to answer (a 500, a 400) as it
        renders it: the template alone, without context processors, served from the site."""

        def visit(page) -> None:
            from django.template.loader import render_to_string
            from django.utils import translation

            with translation.override(language):
                body = render_to_string(template)
            path = f"/{language}/__{template}__"
            page.route(url + path, lambda route: route.fulfill(status=500, content_type="text/html", body=body))
            page.goto(url + path)

        return visit

    receipts: list[str] = []

    def pages(page) -> Iterator[tuple[str, str, Visit]]:
        for prefix, lang in (("", "fr"), ("/en", "en"), ("/bm", "bm")):
            yield f"home-{lang}", lang, go(f"{prefix}/")
            yield f"form-{lang}", lang, go(f"{prefix}/report/")
        yield "form-errors", "fr", form_errors
        yield "receipt", "fr", submit
        yield "status", "fr", go("/report/status/")
        yield "status-empty-code", "fr", status_of("", wait=".errors")
        yield "status-unknown-code", "fr", status_of("KKKKKKKKKK", wait=".errors")
        yield "status-result", "fr", status_result
        yield "transparency-fr", "fr", go("/transparence/")
        yield "transparency-en", "en", go("/en/transparence/")
        yield "not-found-fr", "fr", go("/nulle-part/")
        yield "not-found-en", "en", go("/en/nowhere/")
        yield "not-found-bm", "bm", go("/bm/nowhere/")
        yield "server-error-fr", "fr", rendered("500.html", "fr")
        yield "server-error-en", "en", rendered("500.html", "en")
        yield "bad-request-fr", "fr", rendered("400.html", "fr")

    return pages


# The axe walks judge the pages' markup and styles, which no database or broker changes:
# the SQLite pass runs them, the PostgreSQL + Redis pass does not run them again.
@pytest.mark.backend_independent
@pytest.mark.parametrize("scripts", [True, False], ids=["js-on", "js-off"])
@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_the_resident_pages_meet_wcag_21_aa(live_server, new_page, public_world, width, scripts):
    problems = walk(new_page, public_pages(live_server, public_world), resident=True, width=width, scripts=scripts)

    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------------------
# Staff pages


@pytest.fixture
def staff_world(deployment, settings):
    """The demo's sixty days of history: every page has something to show."""
    from alerts.models import Alert
    from demo.history import history_build
    from reporting.photos import clean_photo
    from reporting.services import report_photo_add
    from tests.staff.test_login_matrix import _a_jpeg

    history_build()
    escalated = Alert.objects.filter(escalated_from__isnull=False).select_related("report").first()
    report_photo_add(report=escalated.report, photo=clean_photo(_a_jpeg()))
    return {"report": escalated.report}


def _carry_session(page, live_server, client) -> None:
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def staff_pages(live_server, staff_client, world) -> Callable[[object], Iterator[tuple[str, str, Visit]]]:
    from django.contrib.auth import get_user_model

    from focal_points.models import Member

    url = live_server.url

    def go(path: str) -> Visit:
        return lambda page: page.goto(url + path)

    def login_error(page) -> None:
        page.goto(url + "/staff/login/")
        page.fill("#id_username", "personne")
        page.fill("#id_password", "faux")
        page.click("main button[type=submit]")
        page.wait_for_selector(".error")

    def enrolment(page) -> None:
        member = Member.objects.get(name="Aminata Guindo")
        member.user = get_user_model().objects.create_user("aminata", password="correct horse battery staple")
        member.save(update_fields=["user"])
        page.goto(url + "/staff/login/")
        page.fill("#id_username", "aminata")
        page.fill("#id_password", "correct horse battery staple")
        page.click("main button[type=submit]")
        page.wait_for_url("**/staff/enroll/**")

    def form_expired(page) -> None:
        page.context.clear_cookies()
        page.goto(url + "/staff/login/")
        page.context.clear_cookies()  # the CSRF cookie is gone: the login is refused
        page.fill("#id_username", "personne")
        page.click("main button[type=submit]")
        page.wait_for_selector("h1")

    def as_member(name: str, path: str) -> Visit:
        def visit(page) -> None:
            page.context.clear_cookies()
            _carry_session(page, live_server, staff_client(name))
            page.goto(url + path)

        return visit

    def the_map(page) -> None:
        page.goto(url + "/staff/reports/map/")
        page.wait_for_selector("#map[data-borders-loaded='1']")

    def pages(page) -> Iterator[tuple[str, str, Visit]]:
        report = world["report"]
        yield "login", "fr", go("/staff/login/")
        yield "login-error", "fr", login_error
        yield "form-expired", "fr", form_expired
        yield "enroll", "fr", enrolment
        yield "alerts-focal-point", "fr", as_member("Adjudant Coulibaly", "/staff/alerts/")
        yield "inbox", "fr", as_member("Mariam Traoré", "/staff/reports/?status=all")
        yield "report", "fr", go(f"/staff/reports/{report.pk}/")
        yield "map", "fr", the_map
        yield "dashboard", "fr", go("/staff/alerts/dashboard/")
        yield "community-alerts", "fr", go("/staff/alerts/community/")
        yield "trail-index", "fr", go("/staff/reports/trail/")
        trail = Member.objects.get(name="Aminata Guindo")
        yield "trail", "fr", go(f"/staff/reports/trail/{trail.pk}/")
        yield "device", "fr", go("/staff/device/")
        yield "reauth", "fr", go("/staff/reauth/")
        yield "api-tokens", "fr", go("/staff/api-tokens/")
        yield "api-docs", "fr", go("/api/v1/docs/")
        yield "exports", "fr", go("/staff/exports/")

    return pages


@pytest.mark.backend_independent
@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_the_staff_pages_meet_wcag_21_aa(live_server, new_page, staff_client, staff_world, width):
    problems = walk(new_page, staff_pages(live_server, staff_client, staff_world), resident=False, width=width)

    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------------------
# What a reader of the page meets first when a form is refused


@pytest.mark.parametrize("scripts", [True, False], ids=["js-on", "js-off"])
def test_a_refused_form_lists_its_errors_first_with_links_to_the_fields(
    live_server, new_page, gazetteer, settings, scripts
):
    page = new_page(width=PHONE)
    if not scripts:
        page.context.route("**/static/js/**", lambda route: route.abort())
    page.goto(live_server.url + "/report/")
    # Past the length limit (the browser's maxlength lifted, as an old one ignores it): a
    # second field in error.
    page.evaluate("document.getElementById('id_description').removeAttribute('maxlength')")
    page.fill("#id_description", "x" * (settings.REPORT_MAX_DESCRIPTION_CHARS + 1))
    page.click(".send button")
    page.wait_for_selector(".errors")

    # The summary comes before the form, has the focus, and is announced.
    assert page.evaluate("document.activeElement.id") == "errors"
    assert page.evaluate(
        "document.getElementById('errors').compareDocumentPosition(document.querySelector('form.report-form')) & 4"
    )
    assert page.get_attribute("#errors", "role") == "alert"
    links = page.locator("#errors a")
    assert links.count() == 2
    for i in range(links.count()):
        target = links.nth(i).get_attribute("href").removeprefix("#")
        links.nth(i).click()
        assert page.evaluate("document.activeElement.id") == target, target
        # The field (or its group) names its error, which says what is wrong.
        described = page.evaluate(
            """(id) => { const field = document.getElementById(id);
            const owner = field.type === 'radio' ? field.closest('fieldset') : field;
            return (owner.getAttribute('aria-describedby') || '').split(' ')
              .map((ref) => document.getElementById(ref)).filter((el) => el && el.classList.contains('field-error'))
              .map((el) => el.textContent.trim()); }""",
            target,
        )
        assert described and all(described), target
    assert page.get_attribute("#id_description", "aria-invalid") == "true"


def test_the_status_form_lists_its_error_with_a_link_to_the_code(live_server, new_page, db):
    page = new_page(width=PHONE)
    page.goto(live_server.url + "/report/status/")
    page.click(".status-form button")
    page.wait_for_selector(".errors")

    assert page.evaluate("document.activeElement.id") == "errors"
    page.click("#errors a")
    assert page.evaluate("document.activeElement.id") == "id_code"
    assert "id_code-error" in page.get_attribute("#id_code", "aria-describedby")
    assert page.inner_text("#id_code-error").strip()


@pytest.mark.parametrize(("prefix", "lang"), [("", "fr"), ("/en", "en"), ("/bm", "bm")])
def test_each_language_says_so_and_names_the_others_in_their_own(live_server, new_page, gazetteer, prefix, lang):
    page = new_page(width=PHONE)
    page.goto(f"{live_server.url}{prefix}/report/")

    assert page.get_attribute("html", "lang") == lang
    others = page.locator("nav.languages a")
    assert others.count() == 2
    for i in range(others.count()):
        link = others.nth(i)
        assert link.get_attribute("lang") == link.get_attribute("hreflang") != lang


# ---------------------------------------------------------------------------------------
# The administration (Django's own pages, behind the same login), for coordinators. Only
# axe, reflow and the skip link are held to here: Django's admin has targets under 24 px,
# its own thin focus ring, pale field borders and a few fields named by aria-label only
# (docs/accessibility.md, "What remains").


@pytest.mark.backend_independent
@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_the_admin_pages_pass_axe(live_server, new_page, admin_otp_client, width):
    page = new_page(width=width, height=900)
    _carry_session(page, live_server, admin_otp_client)
    problems: list[str] = []
    for path in ("/admin/", "/admin/focal_points/member/", "/admin/focal_points/accountevent/"):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + path)
        found = a11y.axe_problems(page, AXE_COUNTS) + a11y.reflow_problems(page)
        found += a11y.skip_link_problems(page, minimum=24)
        problems += [f"{path} @{width}px: {problem}" for problem in found]
        problems += check_reflow(page, path.strip("/").replace("/", "-"))

    assert not problems, "\n".join(problems)
