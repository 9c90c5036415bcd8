"""A relay opens the photo a resident sent, in a real browser: the preview on the report
page is an image the browser decodes, the full photo opens, both come ``no-store``."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from tests.browser.test_relay_triage import code_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_relay_views_a_photo_from_the_report_page(live_server, new_page, deployment):
    from focal_points.models import Category, Member
    from places.models import Commune
    from reporting.photos import clean_photo
    from reporting.services import PlaceChoice, report_photo_add, report_submit

    report = report_submit(
        channel="web",
        category=Category.ARMED_ATTACK,
        description="hommes armes au marche",
        place=PlaceChoice(commune_id=Commune.objects.get(name="Dangol-Boré").pk),
    ).report
    raw = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 30, 30)).save(raw, format="JPEG")
    photo = report_photo_add(report=report, photo=clean_photo(raw.getvalue()))
    member = Member.objects.get(name="Aminata Guindo")
    member.user = get_user_model().objects.create_user("aminata", password="correct horse battery staple")
    member.save(update_fields=["user"])
    device = TOTPDevice.objects.create(user=member.user, name="phone", confirmed=True)
    page = new_page()

    page.goto(f"{live_server.url}/staff/login/")
    page.fill("#id_username", "aminata")
    page.fill("#id_password", "correct horse battery staple")
    page.fill("#id_code", code_for(device))
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/reports/")
    page.goto(f"{live_server.url}/staff/reports/{report.pk}/")

    preview = page.locator(".photos img").first
    preview.wait_for()
    # The browser decoded the preview: a real image, not a broken icon. It loads lazily,
    # so it is brought into view and waited for (a broken one is complete with width 0).
    preview.scroll_into_view_if_needed()
    width = page.evaluate(
        """img => img.complete ? img.naturalWidth : new Promise((done) => {
            img.addEventListener('load', () => done(img.naturalWidth));
            img.addEventListener('error', () => done(0));
        })""",
        preview.element_handle(),
    )
    assert width == 320
    with page.expect_response(f"**/photos/{photo.pk}/") as full:
        page.goto(f"{live_server.url}/staff/reports/{report.pk}/photos/{photo.pk}/")
    assert "no-store" in full.value.headers["cache-control"]
    assert page.evaluate("document.images[0].naturalWidth") == 640
    assert report.events.filter(member=member, detail=f"photo {photo.pk}").count() == 1
