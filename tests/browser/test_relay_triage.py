"""A relay triages a report end to end in a real browser (Debian's chromium, Playwright):
log in with password and TOTP code, find the report in the inbox, claim, verify, classify,
summarise, close. Screenshots of the inbox and the report page go to screenshots/."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser_page(new_page):
    return new_page()


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_a_relay_triages_a_report_from_login_to_closing(live_server, browser_page, deployment):
    from focal_points.models import Category, Member
    from places.models import Commune
    from reporting.models import ReportEventKind, ReportStatus
    from reporting.services import PlaceChoice, report_submit

    report = report_submit(
        channel="sms",
        category=Category.UNCLASSIFIED,
        description="attaque au marche de boni, 3 blesses",
        place=PlaceChoice(commune_id=Commune.objects.get(name="Dangol-Boré").pk),
    ).report
    member = Member.objects.get(name="Aminata Guindo")
    member.user = get_user_model().objects.create_user("aminata", password="correct horse battery staple")
    member.save(update_fields=["user"])
    device = TOTPDevice.objects.create(user=member.user, name="phone", confirmed=True)
    page = browser_page
    SCREENSHOTS.mkdir(exist_ok=True)

    page.goto(f"{live_server.url}/staff/login/")
    page.fill("#id_username", "aminata")
    page.fill("#id_password", "correct horse battery staple")
    page.fill("#id_code", code_for(device))
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/reports/")
    assert f"R-{report.reference}" in page.content()
    page.screenshot(path=str(SCREENSHOTS / "staff-inbox-fr-phone.png"), full_page=True)

    page.click(f"text=R-{report.reference}")
    page.click("form[action='claim/'] button")
    assert "Vous avez pris en charge ce signalement." in page.content()
    page.select_option("#verification", "verified")
    page.click("form[action='verify/'] button")
    page.select_option("#category", "armed_attack")
    page.select_option("#severity", "critical")
    page.click("form[action='classify/'] button")
    # The counter counts septets against what the alert SMS leaves the summary.
    page.fill("#summary", "2 à 5 personnes touchées au marché de Boni, hommes armés à moto venus du nord, partis.")
    assert "trop long pour le SMS d'alerte" not in page.text_content("#summary-count")
    page.fill("#summary", "x" * 120)
    assert page.text_content("#summary-count").startswith("120 / ")
    assert "trop long pour le SMS d'alerte" in page.text_content("#summary-count")
    page.fill("#summary", "Attaque armee au marche de Boni ce matin, trois blesses.")
    assert page.text_content("#summary-count").startswith("56 / ")
    page.click("form[action='summarise/'] button")
    page.screenshot(path=str(SCREENSHOTS / "staff-report-fr-phone.png"), full_page=True)
    page.select_option("#reason", "resolved")
    page.click("form[action='close/'] button")
    assert "Signalement clôturé." in page.content()

    report.refresh_from_db()
    assert (report.status, report.verification, report.category, report.severity) == (
        ReportStatus.CLOSED,
        "verified",
        "armed_attack",
        "critical",
    )
    assert report.summary == "Attaque armee au marche de Boni ce matin, trois blesses."
    kinds = set(report.events.filter(member=member).values_list("kind", flat=True))
    assert {
        ReportEventKind.READ,
        ReportEventKind.CLAIMED,
        ReportEventKind.VERIFIED,
        ReportEventKind.CLASSIFIED,
        ReportEventKind.SUMMARISED,
        ReportEventKind.CLOSED,
    } <= kinds

    # The map page loads leaflet from the platform itself and nothing from elsewhere.
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{live_server.url}/staff/reports/map/")
    assert all(url.startswith(live_server.url) or url.startswith("data:") for url in requests)


def test_a_coordinator_reads_the_dashboard(live_server, browser_page, deployment):
    from datetime import timedelta
    from unittest import mock

    from django.utils import timezone

    from alerts.services import alert_forward, alert_record_step
    from focal_points.models import Category, Member
    from places.models import Commune
    from reporting import triage
    from reporting.services import PlaceChoice, report_submit

    aminata = Member.objects.get(name="Aminata Guindo")
    coulibaly = Member.objects.get(name="Adjudant Coulibaly")
    start = timezone.now() - timedelta(days=3)
    for n, (commune, minutes) in enumerate([("Dangol-Boré", 12), ("Hombori", 45), ("Socoura", 130)]):
        moment = start + timedelta(hours=n * 20)
        with mock.patch("django.utils.timezone.now", return_value=moment):
            report = report_submit(
                channel="sms",
                category=Category.ARMED_ATTACK,
                description="x",
                place=PlaceChoice(commune_id=Commune.objects.get(name=commune).pk),
            ).report
            relay = aminata if commune != "Socoura" else Member.objects.get(name="Hamadoun Cissé")
            if commune == "Hombori":
                relay = Member.objects.get(name="Fatoumata Cissé")
            triage.report_classify(member=relay, report_id=report.pk, severity="critical")
            triage.report_summarise(member=relay, report_id=report.pk, summary="Attaque armee signalee au marche.")
            target = coulibaly if commune != "Socoura" else Member.objects.get(name="Inspecteur Konaté")
            alert_forward(member=relay, report_id=report.pk, focal_point_ids=[target.pk])
        with mock.patch("django.utils.timezone.now", return_value=moment + timedelta(minutes=minutes)):
            alert_record_step(member=target, reference=report.reference, step="acknowledged", channel="sms")
    mariam = Member.objects.get(name="Mariam Traoré")
    mariam.user = get_user_model().objects.create_user("mariam", password="correct horse battery staple")
    mariam.save(update_fields=["user"])
    device = TOTPDevice.objects.create(user=mariam.user, name="phone", confirmed=True)
    page = browser_page
    page.set_viewport_size({"width": 1100, "height": 900})

    page.goto(f"{live_server.url}/staff/login/?next=/staff/alerts/dashboard/")
    page.fill("#id_username", "mariam")
    page.fill("#id_password", "correct horse battery staple")
    page.fill("#id_code", code_for(device))
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/alerts/dashboard/")
    page.select_option("select[name=by]", "cercle")
    page.click("form.filters button[type=submit]")

    assert page.locator("svg.chart").count() >= 2
    assert "Douentza" in page.content() and "Mopti" in page.content()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "staff-dashboard-fr.png"), full_page=True)
