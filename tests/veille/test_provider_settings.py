"""Provider settings are required only for the providers a deployment enables
(``SMS_PROVIDERS``), and a wrong provider list stops the server at start-up."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

BASE = {
    "DJANGO_SETTINGS_MODULE": "veille.settings",
    "VEILLE_SKIP_ENV_FILE": "1",
    "SECRET_KEY": "x" * 40,
    "VEILLE_DATA_KEYS": "k1:" + "A" * 43,
    "VEILLE_PSEUDONYM_KEYS": "p1:" + "C" * 43,
    "PUBLIC_BASE_URL": "https://veille.example.org",
}


def start(**overrides: str) -> subprocess.CompletedProcess[str]:
    """Load the production settings in a fresh interpreter, as a server would at start."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("VEILLE_", "SECRET_KEY", "TWILIO", "SMS_", "DATABASE_URL", "REDIS_URL"))
    }
    env.update(BASE)
    env["VEILLE_VAR_DIR"] = os.environ.get("VEILLE_VAR_DIR", "/tmp")
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True, timeout=60
    )


def test_without_twilio_no_twilio_setting_is_required():
    result = start(SMS_PROVIDERS="none", SMS_BACKEND="messaging.backends.console.ConsoleBackend")

    assert result.returncode == 0, result.stderr


def test_with_twilio_enabled_its_auth_token_is_required():
    result = start(SMS_PROVIDERS="twilio", SMS_BACKEND="messaging.backends.console.ConsoleBackend")

    assert result.returncode != 0
    assert "TWILIO_AUTH_TOKEN must be set while 'twilio' is in SMS_PROVIDERS" in result.stderr


def test_the_twilio_backend_needs_twilio_enabled():
    result = start(SMS_PROVIDERS="none", SMS_BACKEND="messaging.providers.twilio.backend.TwilioBackend")

    assert result.returncode != 0
    assert "'twilio' is not in SMS_PROVIDERS" in result.stderr


def test_the_twilio_backend_needs_its_account_and_sender():
    result = start(SMS_PROVIDERS="twilio", TWILIO_AUTH_TOKEN="t" * 32)

    assert result.returncode != 0
    assert "needs TWILIO_ACCOUNT_SID and TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID" in result.stderr


@pytest.mark.parametrize("providers", ["twilo", "twilio,carrier-pigeon"])
def test_an_unknown_provider_stops_the_start(providers):
    result = start(SMS_PROVIDERS=providers, SMS_BACKEND="messaging.backends.console.ConsoleBackend")

    assert result.returncode != 0
    assert "SMS_PROVIDERS: unknown provider(s)" in result.stderr


def test_a_complete_twilio_deployment_starts():
    result = start(
        SMS_PROVIDERS="twilio",
        TWILIO_AUTH_TOKEN="t" * 32,
        TWILIO_ACCOUNT_SID="AC" + "0" * 32,
        TWILIO_FROM_NUMBER="+22370000000",
    )

    assert result.returncode == 0, result.stderr
