"""The two-person rule in a real browser: coordinator A proposes a community alert on a
phone (a too-short text first: the error keeps the input), coordinator B, with
JavaScript off on a desktop, approves it and the SMS are queued. Screenshots of each
step, at 390 px and at desktop width, go to screenshots/."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)

PAGE = "/staff/alerts/community/"
TEXT = "Evitez la route Douentza-Boni ce soir : engin explosif signalé près du pont."


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def log_in(page, base_url: str, member, username: str) -> None:
    member.user = get_user_model().objects.create_user(username, password="correct horse battery staple")
    member.save(update_fields=["user"])
    device = TOTPDevice.objects.create(user=member.user, name="phone", confirmed=True)
    page.goto(f"{base_url}/staff/login/?next={PAGE}")
    page.fill("#id_username", username)
    page.fill("#id_password", "correct horse battery staple")
    page.fill("#id_code", code_for(device))
    page.click("button[type=submit]")
    page.wait_for_url(f"**{PAGE}")


def test_coordinator_a_proposes_and_coordinator_b_approves(live_server, new_page, deployment, outbox):
    from alerts.models import CommunityAlert, CommunityAlertEventKind, CommunityAlertStatus, Subscription
    from focal_points.models import Area, Member
    from messaging.models import OutboundMessage
    from places.models import Commune, Region

    mopti = Region.objects.get(name="Mopti")
    hombori = Commune.objects.get(name="Hombori", cercle__region=mopti)
    boni = Commune.objects.get(name="Dangol-Boré", cercle__region=mopti)
    for n, commune in enumerate([hombori, hombori, boni, Commune.objects.get(name="Socoura")], start=1):
        Subscription.objects.create(pseudonym=f"p{n}", number=f"+2236600000{n}", commune=commune)
    mariam = Member.objects.get(name="Mariam Traoré")
    seydou = Member.objects.create(organisation=mariam.organisation, name="Seydou Maiga", role="coordinator")
    Area.objects.create(member=seydou, region=mopti)
    SCREENSHOTS.mkdir(exist_ok=True)

    # Coordinator A, on a phone: the navigation leads to the page.
    phone = new_page(width=390, height=844)
    log_in(phone, live_server.url, mariam, "mariam")
    assert phone.locator("nav a", has_text="Alertes communautaires").count() == 1
    phone.screenshot(path=str(SCREENSHOTS / "staff-community-alerts-0-empty-phone.png"), full_page=True)

    phone.fill("#alert-text", "Court")
    phone.check(f"input[name=commune][value='{hombori.pk}']")
    phone.check(f"input[name=commune][value='{boni.pk}']")
    phone.click("#propose button[type=submit]")
    assert "Le message doit faire entre 10 et 140 caractères." in phone.inner_text("#propose .error")
    assert phone.input_value("#alert-text") == "Court"
    assert phone.is_checked(f"input[name=commune][value='{boni.pk}']")
    phone.screenshot(path=str(SCREENSHOTS / "staff-community-alerts-1-error-phone.png"), full_page=True)

    phone.fill("#alert-text", TEXT)
    phone.click("#propose button[type=submit]")
    phone.wait_for_url(f"**{PAGE}")
    assert "Alerte proposée." in phone.inner_text("main")
    assert "attend l'approbation d'une deuxième personne" in phone.inner_text("#pending")
    assert phone.locator("#pending form.decide").count() == 0
    phone.screenshot(path=str(SCREENSHOTS / "staff-community-alerts-2-proposed-phone.png"), full_page=True)
    alert = CommunityAlert.objects.get()

    # Coordinator B, on a desktop with JavaScript off: approves.
    desktop = new_page(javascript=False, width=1280, height=900)
    log_in(desktop, live_server.url, seydou, "seydou")
    assert "Proposée par" in desktop.inner_text("#pending")
    desktop.screenshot(path=str(SCREENSHOTS / "staff-community-alerts-3-pending-desktop.png"), full_page=True)
    desktop.set_viewport_size({"width": 390, "height": 844})
    desktop.screenshot(path=str(SCREENSHOTS / "staff-community-alerts-3-pending-phone.png"), full_page=True)
    desktop.set_viewport_size({"width": 1280, "height": 900})

    desktop.click("#pending button.approve")
    desktop.wait_for_url(f"**{PAGE}")
    assert "Alerte approuvée : 3 SMS en envoi." in desktop.inner_text("main")
    assert "Approuvée, en envoi" in desktop.inner_text("#decided")
    desktop.screenshot(path=str(SCREENSHOTS / "staff-community-alerts-4-approved-desktop.png"), full_page=True)
    desktop.set_viewport_size({"width": 390, "height": 844})
    desktop.screenshot(path=str(SCREENSHOTS / "staff-community-alerts-4-approved-phone.png"), full_page=True)

    alert.refresh_from_db()
    assert (alert.status, alert.approved_by_id, alert.recipients) == (CommunityAlertStatus.APPROVED, seydou.pk, 3)
    assert list(alert.events.values_list("kind", flat=True)) == [
        CommunityAlertEventKind.PROPOSED,
        CommunityAlertEventKind.APPROVED,
    ]
    queued = OutboundMessage.objects.filter(purpose="community_alert")
    assert sorted(queued.values_list("recipient", flat=True)) == ["+22366000001", "+22366000002", "+22366000003"]
