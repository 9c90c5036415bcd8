"""Finding 2: the lockout must not be a denial of service. Behind the TLS proxy every
client has the proxy's address; the client's own address is read from X-Forwarded-For,
and only when the request comes through a trusted proxy. A success resets both counters,
the per-address limit refuses that address without locking any account, and the login
page says when to try again."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django_otp.plugins.otp_totp.models import TOTPDevice

from focal_points.auth import client_address
from tests.staff.helpers import PASSWORD, current_code, give_account

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.5"


@pytest.fixture
def accounts(deployment) -> dict[str, TOTPDevice]:
    devices = {}
    for name, username in [("Aminata Guindo", "aminata"), ("Hamadoun Cissé", "hamadoun")]:
        user = give_account(name, username)
        devices[username] = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return devices


def attempt(client: Client, username: str, password: str, code: str, *, peer: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post("/staff/login/", {"username": username, "password": password, "code": code}, **extra)


def spray(client: Client, count: int, **where) -> None:
    for n in range(count):
        attempt(client, f"nobody{n}", "wrong", "123456", **where)


def test_one_client_behind_the_proxy_cannot_lock_everyone_out(accounts, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    spray(Client(), settings.LOGIN_MAX_FAILURES_PER_ADDRESS + 1, peer=PROXY, forwarded="198.51.100.7")

    ok = attempt(Client(), "aminata", PASSWORD, current_code(accounts["aminata"]), peer=PROXY, forwarded="203.0.113.9")

    assert ok.status_code == 302


def test_the_attacking_client_itself_is_refused(accounts, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    spray(Client(), settings.LOGIN_MAX_FAILURES_PER_ADDRESS, peer=PROXY, forwarded="198.51.100.7")

    refused = attempt(
        Client(), "aminata", PASSWORD, current_code(accounts["aminata"]), peer=PROXY, forwarded="198.51.100.7"
    )

    assert refused.status_code == 403 and "depuis cette adresse" in refused.content.decode()


def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    factory = RequestFactory()

    direct = factory.get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.1")
    proxied = factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.1, 198.51.100.7, 10.0.0.4")
    forged_only = factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="garbage")
    nothing = factory.get("/", REMOTE_ADDR=PROXY)

    assert client_address(direct) == "198.51.100.7"  # a client cannot choose its address
    assert client_address(proxied) == "198.51.100.7"  # the left-most hop is the client's to forge
    assert client_address(forged_only) == PROXY
    assert client_address(nothing) == PROXY


def test_without_trusted_proxies_forwarded_for_cannot_rotate_addresses(accounts, settings):
    settings.TRUSTED_PROXIES = []
    for n in range(settings.LOGIN_MAX_FAILURES_PER_ADDRESS):
        attempt(Client(), f"nobody{n}", "wrong", "1", peer="198.51.100.7", forwarded=f"203.0.113.{n}")

    refused = attempt(Client(), "hamadoun", "wrong", "1", peer="198.51.100.7", forwarded="203.0.113.200")

    assert refused.status_code == 403


def test_a_success_resets_the_address_counter_too(accounts, settings):
    almost = settings.LOGIN_MAX_FAILURES_PER_ADDRESS - 1
    spray(Client(), almost, peer="198.51.100.7")
    first = attempt(Client(), "aminata", PASSWORD, current_code(accounts["aminata"]), peer="198.51.100.7")
    assert first.status_code == 302
    spray(Client(), almost, peer="198.51.100.7")

    ok = attempt(Client(), "hamadoun", PASSWORD, current_code(accounts["hamadoun"]), peer="198.51.100.7")

    assert ok.status_code == 302


def test_the_per_address_limit_never_locks_an_account(accounts, settings):
    spray(Client(), settings.LOGIN_MAX_FAILURES_PER_ADDRESS, peer="198.51.100.7")
    for _ in range(settings.LOGIN_MAX_FAILURES * 2):  # refused at the door, not counted
        attempt(Client(), "aminata", "wrong", "1", peer="198.51.100.7")

    ok = attempt(Client(), "aminata", PASSWORD, current_code(accounts["aminata"]), peer="203.0.113.9")

    assert ok.status_code == 302


def test_a_locked_account_is_told_when_to_try_again(accounts, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        attempt(Client(), "aminata", "wrong", "1", peer="198.51.100.7")

    locked = attempt(Client(), "aminata", PASSWORD, current_code(accounts["aminata"]), peer="203.0.113.9")

    page = locked.content.decode()
    assert locked.status_code == 403
    assert "Trop d&#x27;essais pour ce compte" in page and "Réessayez dans 15 minutes" in page


def test_a_correct_code_right_after_a_wrong_one_says_to_wait_not_wrong(accounts):
    device = accounts["aminata"]
    client = Client()
    attempt(client, "aminata", PASSWORD, "000000", peer="198.51.100.7")

    too_soon = attempt(client, "aminata", PASSWORD, current_code(device), peer="198.51.100.7")

    page = too_soon.content.decode()
    assert "incorrect" not in page
    assert "Attendez" in page and "seconde" in page
    device.refresh_from_db()
    device.throttling_failure_timestamp = device.throttling_failure_timestamp.replace(year=2000)
    device.save()
    assert attempt(client, "aminata", PASSWORD, current_code(device), peer="198.51.100.7").status_code == 302
