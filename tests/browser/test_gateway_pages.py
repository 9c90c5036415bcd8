"""Issue 9 in a real browser: the simulator texts the Android gateway's local number, and
a staff page warns of a gateway phone that is down, at 390 px and on a desktop.
Screenshots in screenshots/simulator-android-*.png and staff-gateway-down-*.png."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [390, 1280], ids=["phone", "desktop"])
def test_the_simulator_texts_the_local_sim(live_server, gazetteer, outbox, new_page, settings, width):
    from messaging.models import InboundMessage

    settings.SMS_PROVIDERS = ["twilio", "android"]
    settings.ANDROID_GATEWAY_SIGNING_KEY = "browser-test-signing-key"
    page = new_page(width=width, height=900)
    page.goto(f"{live_server.url}/simulator/")
    page.fill("#body", "engin explosif sur la route de boni")
    page.check("input[name=provider][value=android]")
    page.click("button[value=sms]")

    assert "HTTP 200" in page.content()
    assert InboundMessage.objects.filter(provider="android").count() == 1
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"simulator-android-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", [390, 1280], ids=["phone", "desktop"])
def test_staff_pages_warn_of_a_gateway_phone_that_is_down(live_server, deployment, new_page, width):
    from focal_points.models import Member
    from messaging.models import GatewayDevice

    GatewayDevice.objects.create(
        provider="android", device_id="mopti-1", state="down", down_since=timezone.now(), down_reason="no ping"
    )
    member = Member.objects.get(name="Aminata Guindo")
    member.user = get_user_model().objects.create_user("aminata", password="correct horse battery staple")
    member.save(update_fields=["user"])
    device = TOTPDevice.objects.create(user=member.user, name="phone", confirmed=True)
    page = new_page(width=width, height=900)

    page.goto(f"{live_server.url}/staff/login/")
    page.fill("#id_username", "aminata")
    page.fill("#id_password", "correct horse battery staple")
    page.fill("#id_code", f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}")
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/reports/")

    banner = page.locator(".banner.warning")
    assert banner.is_visible()
    assert "mopti-1" in banner.inner_text() and "ne répond plus" in banner.inner_text()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"staff-gateway-down-{width}.png"), full_page=False)
