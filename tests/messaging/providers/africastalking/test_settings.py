"""The Africa's Talking callback's settings: with the gateway enabled, production refuses to
start without its callback secret or its allow-list, naming the variable; the demo may
leave the allow-list empty, which means loopback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

SECRET = "s" * 43
BASE = {
    "DJANGO_SETTINGS_MODULE": "veille.settings",
    "VEILLE_SKIP_ENV_FILE": "1",
    "SECRET_KEY": "x" * 40,
    "VEILLE_DATA_KEYS": "k1:" + "A" * 43,
    "VEILLE_PSEUDONYM_KEYS": "p1:" + "C" * 43,
    "PUBLIC_BASE_URL": "https://veille.example.org",
    "SMS_PROVIDERS": "none",
    "SMS_BACKEND": "messaging.backends.console.ConsoleBackend",
}
PRINT = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.VEILLE_ADDRESS_ALLOWLISTS); print(settings.USSD_PROVIDERS)"
)


def start(**overrides: str) -> subprocess.CompletedProcess[str]:
    """Load the settings in a fresh interpreter, as a server would at start."""
    prefixes = ("VEILLE_", "SECRET_KEY", "TWILIO", "SMS_", "DATABASE_URL", "REDIS_URL", "AFRICASTALKING", "USSD_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env.update(BASE)
    env["VEILLE_VAR_DIR"] = os.environ.get("VEILLE_VAR_DIR", "/tmp")
    env.update(overrides)
    return subprocess.run([sys.executable, "-c", PRINT], env=env, capture_output=True, text=True, timeout=60)


def test_the_gateway_is_on_by_default_and_its_secret_is_required():
    result = start(AFRICASTALKING_ALLOWED_NETWORKS="192.0.2.0/24")

    assert result.returncode != 0
    assert "AFRICASTALKING_CALLBACK_SECRET must be set" in result.stderr


@pytest.mark.parametrize("secret", ["short", "a/b" + "x" * 40, "x" * 31])
def test_a_short_or_non_url_safe_secret_stops_the_start(secret):
    result = start(AFRICASTALKING_CALLBACK_SECRET=secret, AFRICASTALKING_ALLOWED_NETWORKS="192.0.2.0/24")

    assert result.returncode != 0
    assert "AFRICASTALKING_CALLBACK_SECRET must be set (32 or more URL-safe characters" in result.stderr


def test_the_secret_may_come_from_a_file(tmp_path):
    secret_file = tmp_path / "at-secret"
    secret_file.write_text(SECRET + "\n")

    result = start(AFRICASTALKING_CALLBACK_SECRET_FILE=str(secret_file), AFRICASTALKING_ALLOWED_NETWORKS="192.0.2.0/24")

    assert result.returncode == 0, result.stderr
    assert "'/channels/ussd/africastalking/': ['192.0.2.0/24']" in result.stdout


def test_production_needs_an_allow_list():
    result = start(AFRICASTALKING_CALLBACK_SECRET=SECRET)

    assert result.returncode != 0
    assert "AFRICASTALKING_ALLOWED_NETWORKS must list Africa's Talking's networks" in result.stderr


def test_the_demo_may_leave_the_allow_list_empty_which_means_loopback():
    result = start(AFRICASTALKING_CALLBACK_SECRET=SECRET, VEILLE_DEMO="1")

    assert result.returncode == 0, result.stderr
    assert "'/channels/ussd/africastalking/': ['127.0.0.0/8', '::1/128']" in result.stdout


@pytest.mark.parametrize("networks", ["192.0.2.0/33", "africastalking.com", "192.0.2.0/24,nope"])
def test_a_bad_network_stops_the_start_naming_the_variable(networks):
    result = start(AFRICASTALKING_CALLBACK_SECRET=SECRET, AFRICASTALKING_ALLOWED_NETWORKS=networks)

    assert result.returncode != 0
    assert "AFRICASTALKING_ALLOWED_NETWORKS: " in result.stderr
    assert "is not an address or a CIDR network" in result.stderr


def test_without_the_gateway_nothing_of_it_is_required_and_no_path_is_listed():
    result = start(USSD_PROVIDERS="none")

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["{}", "[]"]


@pytest.mark.parametrize("name", ["nowhere", "../twilio", "Africastalking", "twilio"])
def test_an_unknown_ussd_gateway_stops_the_start(name):
    result = start(USSD_PROVIDERS=name)

    assert result.returncode != 0
    assert f"USSD_PROVIDERS: no USSD gateway {name!r} in messaging/providers/." in result.stderr
