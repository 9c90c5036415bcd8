"""The SIP agent's settings: required only with 'sip' in VOICE_PROVIDERS; production refuses
to start without the allow-list or with a registrar but no account, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys

BASE = {
    "DJANGO_SETTINGS_MODULE": "veille.settings",
    "VEILLE_SKIP_ENV_FILE": "1",
    "SECRET_KEY": "x" * 40,
    "VEILLE_DATA_KEYS": "k1:" + "A" * 43,
    "VEILLE_PSEUDONYM_KEYS": "p1:" + "C" * 43,
    "PUBLIC_BASE_URL": "https://veille.example.org",
    "SMS_PROVIDERS": "none",
    "SMS_BACKEND": "messaging.backends.console.ConsoleBackend",
    "USSD_PROVIDERS": "none",
}
PRINT = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.VOICE_PROVIDERS, settings.SIP_ALLOWED_NETWORKS, settings.SIP_PASSWORD)"
)


def start(**overrides: str) -> subprocess.CompletedProcess[str]:
    prefixes = ("VEILLE_", "SECRET_KEY", "TWILIO", "SMS_", "DATABASE_URL", "REDIS_URL", "USSD_", "VOICE_", "SIP_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env.update(BASE)
    env["VEILLE_VAR_DIR"] = os.environ.get("VEILLE_VAR_DIR", "/tmp")
    env.update(overrides)
    return subprocess.run([sys.executable, "-c", PRINT], env=env, capture_output=True, text=True, timeout=60)


def test_without_sip_nothing_of_it_is_required():
    result = start()

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("[] [] ")


def test_production_needs_the_allow_list():
    result = start(VOICE_PROVIDERS="sip")

    assert result.returncode != 0
    assert "SIP_ALLOWED_NETWORKS must list the trunk's or the gateway's addresses" in result.stderr


def test_the_demo_allows_loopback_only():
    result = start(VOICE_PROVIDERS="sip", VEILLE_DEMO="1")

    assert result.returncode == 0, result.stderr
    assert "['127.0.0.0/8', '::1/128']" in result.stdout


def test_a_registrar_needs_its_account_whose_password_may_come_from_a_file(tmp_path):
    refused = start(VOICE_PROVIDERS="sip", SIP_ALLOWED_NETWORKS="192.0.2.0/24", SIP_REGISTRAR="192.0.2.1")
    password = tmp_path / "sip-password"
    password.write_text("from-a-file\n")
    started = start(
        VOICE_PROVIDERS="sip",
        SIP_ALLOWED_NETWORKS="192.0.2.0/24",
        SIP_REGISTRAR="192.0.2.1",
        SIP_USER="veille",
        SIP_PASSWORD_FILE=str(password),
    )

    assert refused.returncode != 0 and "SIP_USER and SIP_PASSWORD must be set" in refused.stderr
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip().endswith("from-a-file")


def test_a_bad_network_or_a_too_small_rtp_range_is_named():
    network = start(VOICE_PROVIDERS="sip", SIP_ALLOWED_NETWORKS="gateway.local")
    ports = start(
        VOICE_PROVIDERS="sip", SIP_ALLOWED_NETWORKS="192.0.2.0/24", SIP_RTP_PORT_MIN="16000", SIP_RTP_PORT_MAX="16004"
    )

    assert network.returncode != 0 and "SIP_ALLOWED_NETWORKS: 'gateway.local'" in network.stderr
    assert ports.returncode != 0 and "SIP_RTP_PORT_MIN..SIP_RTP_PORT_MAX" in ports.stderr


def test_the_agent_command_refuses_to_run_without_sip(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VOICE_", "SIP_"))}
    env["DJANGO_SETTINGS_MODULE"] = "veille.test_settings"
    result = subprocess.run(
        [sys.executable, "manage.py", "sip_agent"],
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0 and "'sip' is not in VOICE_PROVIDERS" in result.stderr
