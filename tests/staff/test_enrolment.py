"""Finding 1 of the staff-account review: the second factor cannot be taken over through
enrolment. An attacker who knows the password (but has no code) must never end up with a
device of their own, whatever they read or keep open."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from focal_points.models import AccountEvent, AccountEventKind, Member
from tests.staff.helpers import PASSWORD, code_for_secret, current_code, give_account, secret_on

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "another long passphrase 2026"


@pytest.fixture
def relay_user(deployment):
    return give_account("Aminata Guindo", "aminata")


def start_enrolment(client: Client, password: str = PASSWORD) -> str | None:
    response = client.post("/staff/login/", {"username": "aminata", "password": password, "code": ""})
    assert response.status_code == 302 and response["Location"].startswith("/staff/enroll/")
    return secret_on(client.get("/staff/enroll/"))


def test_the_reproduced_takeover_fails(relay_user):
    """The attack as filed: attacker reads a secret, the user enrols, the password is
    changed, the attacker's old session comes back to enrolment and confirms a code."""
    attacker, owner = Client(), Client()
    attacker_secret = start_enrolment(attacker)
    owner_secret = start_enrolment(owner)
    assert attacker_secret and owner_secret
    assert owner_secret != attacker_secret  # a secret per enrolment session, not per user

    confirmed = owner.post("/staff/enroll/", {"code": code_for_secret(owner_secret)})
    assert confirmed.status_code == 302
    relay_user.set_password(NEW_PASSWORD)
    relay_user.save()

    again = attacker.get("/staff/enroll/")
    assert again.status_code == 302 and again["Location"].startswith("/staff/login/")
    assert secret_on(again) is None
    attacker.post("/staff/enroll/", {"code": code_for_secret(attacker_secret)})

    assert attacker.get("/staff/reports/")["Location"].startswith("/staff/login/")
    assert TOTPDevice.objects.filter(user=relay_user).count() == 1


def test_each_enrolment_session_gets_a_fresh_secret(relay_user):
    first = Client()
    secret_one = start_enrolment(first)
    secret_again = secret_on(first.get("/staff/enroll/"))  # same session: same secret
    secret_two = start_enrolment(Client())

    assert secret_one == secret_again
    assert secret_two != secret_one
    assert not TOTPDevice.objects.filter(user=relay_user).exists()  # nothing stored until confirmed


def test_enrolment_is_refused_once_a_device_is_confirmed(relay_user):
    """Password unchanged: the attacker's pending session still cannot add a device."""
    attacker, owner = Client(), Client()
    attacker_secret = start_enrolment(attacker)
    owner_secret = start_enrolment(owner)
    owner.post("/staff/enroll/", {"code": code_for_secret(owner_secret)})

    page = attacker.get("/staff/enroll/")
    post = attacker.post("/staff/enroll/", {"code": code_for_secret(attacker_secret)})

    assert secret_on(page) is None and page.status_code == 302
    assert post.status_code == 302 and post["Location"].startswith("/staff/login/")
    assert attacker.get("/staff/reports/").status_code == 302
    assert TOTPDevice.objects.filter(user=relay_user).count() == 1


def test_a_login_with_a_device_never_offers_enrolment(relay_user):
    TOTPDevice.objects.create(user=relay_user, name="phone", confirmed=True)
    client = Client()

    response = client.post("/staff/login/", {"username": "aminata", "password": PASSWORD, "code": ""})

    assert response.status_code == 200 and "/staff/enroll/" not in response.get("Location", "")
    assert client.get("/staff/enroll/")["Location"].startswith("/staff/login/")


def test_the_enrolment_secret_expires(relay_user, settings):
    client = Client()
    secret = start_enrolment(client)
    session = client.session
    session["veille_enroll"]["started"] -= settings.ENROLL_SECRET_SECONDS + 1
    session.save()

    late = client.post("/staff/enroll/", {"code": code_for_secret(secret)})

    assert late.status_code == 302 and late["Location"].startswith("/staff/login/")
    assert not TOTPDevice.objects.filter(user=relay_user).exists()


def test_a_pending_enrolment_is_bound_to_the_password(relay_user):
    """Even if a pending session row survived a password change (changed behind Django's
    back here, so no signal runs), its code is refused."""
    client = Client()
    secret = start_enrolment(client)
    get_user_model().objects.filter(pk=relay_user.pk).update(password="!" + "x" * 30)

    response = client.post("/staff/enroll/", {"code": code_for_secret(secret)})

    assert response["Location"].startswith("/staff/login/")
    assert not TOTPDevice.objects.filter(user=relay_user).exists()


def test_a_password_change_ends_every_session_pending_ones_included(relay_user, deployment):
    other = give_account("Hamadoun Cissé", "hamadoun")
    device = TOTPDevice.objects.create(user=relay_user, name="phone", confirmed=True)
    logged_in = Client()
    logged_in.post("/staff/login/", {"username": "aminata", "password": PASSWORD, "code": current_code(device)})
    pending = Client()
    pending.post("/staff/login/", {"username": "hamadoun", "password": PASSWORD, "code": ""})
    assert logged_in.get("/staff/reports/").status_code == 200
    assert Session.objects.count() == 2

    relay_user.set_password(NEW_PASSWORD)
    relay_user.save()
    other.set_password(NEW_PASSWORD)
    other.save()

    assert not Session.objects.exists()
    assert logged_in.get("/staff/reports/")["Location"].startswith("/staff/login/")
    assert AccountEvent.objects.filter(user=relay_user, kind=AccountEventKind.PASSWORD_CHANGED).count() == 1


def test_a_coordinator_resets_a_second_factor_and_it_is_recorded(relay_user, staff_client):
    TOTPDevice.objects.create(user=relay_user, name="lost phone", confirmed=True)
    victim_session = Client()
    victim_session.force_login(relay_user)
    admin = staff_client("Ibrahim Keita", superuser=True)
    member = Member.objects.get(name="Aminata Guindo")

    response = admin.post(
        "/admin/focal_points/member/",
        {"action": "reset_second_factor", "_selected_action": [member.pk]},
        follow=True,
    )

    assert "1 deuxième(s) facteur(s) réinitialisé(s)" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=relay_user).exists()
    assert victim_session.get("/staff/reports/")["Location"].startswith("/staff/login/")
    event = AccountEvent.objects.get(user=relay_user, kind=AccountEventKind.SECOND_FACTOR_RESET)
    assert event.by.username == Member.objects.get(name="Ibrahim Keita").user.username
    # The next login enrols a new device, as at first login.
    assert start_enrolment(Client())


def test_enrolment_is_recorded(relay_user):
    client = Client()
    secret = start_enrolment(client)
    client.post("/staff/enroll/", {"code": code_for_secret(secret)})

    assert AccountEvent.objects.filter(user=relay_user, kind=AccountEventKind.DEVICE_ADDED).count() == 1


def test_a_second_device_needs_a_code_from_the_first(relay_user):
    """Typed on the same form, even right after the login: a stolen session alone never
    adds a device."""
    first = TOTPDevice.objects.create(user=relay_user, name="phone", confirmed=True)
    client = Client()
    client.post("/staff/login/", {"username": "aminata", "password": PASSWORD, "code": current_code(first)})
    secret = secret_on(client.get("/staff/device/"))
    assert secret

    without = client.post("/staff/device/", {"current_code": "000000", "code": code_for_secret(secret)})
    assert without.status_code == 200
    assert TOTPDevice.objects.filter(user=relay_user).count() == 1
    TOTPDevice.objects.filter(pk=first.pk).update(last_t=-1, throttling_failure_count=0)  # the test is fast
    added = client.post("/staff/device/", {"current_code": current_code(first), "code": code_for_secret(secret)})

    assert added.status_code == 302
    assert TOTPDevice.objects.filter(user=relay_user, confirmed=True).count() == 2
    assert AccountEvent.objects.filter(user=relay_user, kind=AccountEventKind.DEVICE_ADDED).count() == 1


def test_a_refused_enrolment_says_why(relay_user):
    client = Client()
    secret = start_enrolment(client)
    TOTPDevice.objects.create(user=relay_user, name="phone", confirmed=True)

    response = client.post("/staff/enroll/", {"code": code_for_secret(secret)}, follow=True)

    assert "enrôlement n&#x27;est plus valable" in response.content.decode()
