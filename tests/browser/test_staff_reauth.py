"""Asking the authenticator code again works in a browser without JavaScript and keeps
the pending action: a relay whose last code is old closes a report, is asked for a code,
types it, and the report is closed without choosing the reason again. A screenshot of
the prompt goes to screenshots/."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.conftest import SCREENSHOTS
from tests.staff.helpers import PASSWORD, current_code

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_code_is_asked_again_without_javascript_and_the_action_is_kept(live_server, new_page, deployment, settings):
    from focal_points.models import Category, Member
    from places.models import Commune
    from reporting.models import ReportStatus
    from reporting.services import PlaceChoice, report_submit

    report = report_submit(
        channel="sms",
        category=Category.ROBBERY,
        description="vol de betail",
        place=PlaceChoice(commune_id=Commune.objects.get(name="Dangol-Boré").pk),
    ).report
    member = Member.objects.get(name="Aminata Guindo")
    member.user = get_user_model().objects.create_user("aminata", password=PASSWORD)
    member.save(update_fields=["user"])
    device = TOTPDevice.objects.create(user=member.user, name="phone", confirmed=True)
    page = new_page(javascript=False)
    page.goto(f"{live_server.url}/staff/login/")
    page.fill("#id_username", "aminata")
    page.fill("#id_password", PASSWORD)
    page.fill("#id_code", current_code(device))
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/reports/")
    # Fifteen minutes later, as far as the session knows.
    cookie = next(c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    session = SessionStore(session_key=cookie["value"])
    session["veille_code_at"] -= settings.STAFF_REAUTH_SECONDS + 1
    session.save()
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)  # the login's code may come again

    page.goto(f"{live_server.url}/staff/reports/{report.pk}/")
    page.select_option("#reason", "duplicate")
    page.click("form[action='close/'] button")
    assert page.locator("form.reauth").count() == 1
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "staff-reauth-fr-phone.png"), full_page=True)
    report.refresh_from_db()
    assert report.status != ReportStatus.CLOSED

    page.fill("#reauth_code", current_code(device))
    page.click("form.reauth button")

    assert "Signalement clôturé." in page.content()
    report.refresh_from_db()
    assert (report.status, report.close_reason) == (ReportStatus.CLOSED, "duplicate")
