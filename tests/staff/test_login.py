"""Staff login: two factors, enrollment, lockout, POST-only logout, admin behind OTP,
idle sessions, and disabling a seized account in one step."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from focal_points.auth import account_disable
from focal_points.models import Member
from tests.staff.helpers import code_for_secret, secret_on

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


@pytest.fixture
def relay_user(deployment):
    member = Member.objects.get(name="Aminata Guindo")
    member.user = get_user_model().objects.create_user(username="aminata", password=PASSWORD)
    member.save(update_fields=["user"])
    return member.user


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_a_first_login_must_enroll_a_second_factor(client, relay_user):
    response = client.post("/staff/login/", {"username": "aminata", "password": PASSWORD, "code": ""})
    assert response.status_code == 302 and response["Location"].startswith("/staff/enroll/")

    page = client.get(response["Location"])
    assert "<svg" in page.content.decode()
    secret = secret_on(page)
    wrong = client.post("/staff/enroll/", {"code": "000000"})
    assert "Code incorrect" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=relay_user).exists()  # nothing stored before a right code

    done = client.post("/staff/enroll/", {"code": code_for_secret(secret), "next": "/staff/reports/"})

    assert done.status_code == 302 and done["Location"] == "/staff/reports/"
    assert client.get("/staff/reports/").status_code == 200
    assert TOTPDevice.objects.get(user=relay_user).confirmed


def test_password_and_code_together_log_in(client, relay_user):
    device = TOTPDevice.objects.create(user=relay_user, name="phone", confirmed=True)

    no_code = client.post("/staff/login/", {"username": "aminata", "password": PASSWORD, "code": ""})
    ok = client.post("/staff/login/", {"username": "aminata", "password": PASSWORD, "code": current_code(device)})

    assert "incorrect" in no_code.content.decode()
    assert ok.status_code == 302


def test_it_locks_after_repeated_failures_even_with_the_right_password(client, relay_user, settings):
    device = TOTPDevice.objects.create(user=relay_user, name="phone", confirmed=True)
    for _ in range(settings.LOGIN_MAX_FAILURES):
        client.post("/staff/login/", {"username": "aminata", "password": "wrong", "code": "123456"})

    locked = client.post("/staff/login/", {"username": "aminata", "password": PASSWORD, "code": current_code(device)})

    assert locked.status_code == 403
    assert "Trop d&#x27;essais" in locked.content.decode()


def test_it_refuses_an_open_redirect_after_login(client, relay_user):
    device = TOTPDevice.objects.create(user=relay_user, name="phone", confirmed=True)

    response = client.post(
        "/staff/login/",
        {"username": "aminata", "password": PASSWORD, "code": current_code(device), "next": "https://evil.example/"},
    )

    assert response["Location"] == "/staff/"


def test_logout_is_post_only(staff_client):
    client = staff_client("Aminata Guindo")

    assert client.get("/staff/logout/").status_code == 405
    assert client.post("/staff/logout/").status_code == 302
    assert client.get("/staff/reports/").status_code == 302


def test_the_admin_needs_a_verified_second_factor(client, deployment):
    user = get_user_model().objects.create_superuser("boss", password=PASSWORD)
    client.force_login(user)  # password only, no OTP

    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0].startswith("/staff/login/")


def test_staff_sessions_are_short_and_renewed_on_activity(settings):
    assert settings.SESSION_COOKIE_AGE == 15 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_disabling_an_account_ends_its_sessions_at_once(staff_client):
    client = staff_client("Aminata Guindo")
    member = Member.objects.get(name="Aminata Guindo")
    assert client.get("/staff/reports/").status_code == 200

    ended = account_disable(user=member.user)

    assert ended == 1
    assert client.get("/staff/reports/").status_code == 302
    member.refresh_from_db()
    assert not member.is_active
    assert not Session.objects.exists()


def test_a_coordinator_disables_a_seized_account_from_the_admin_in_one_step(staff_client):
    staff_client("Oumar Tembely")  # gives Oumar an account
    member = Member.objects.get(name="Oumar Tembely")
    admin = staff_client("Ibrahim Keita", superuser=True)

    response = admin.post(
        "/admin/focal_points/member/", {"action": "disable_accounts", "_selected_action": [member.pk]}, follow=True
    )

    assert "1 compte(s) désactivé(s)" in response.content.decode()
    member.refresh_from_db()
    assert not member.is_active and not member.user.is_active
