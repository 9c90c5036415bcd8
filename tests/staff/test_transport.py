"""Finding 3: in production, plain HTTP is redirected to HTTPS and HTTPS answers carry
Strict-Transport-Security; health probes (which orchestrators send over plain HTTP,
straight to the container) are exempt. Checked on the production settings as loaded from
the environment, and over real HTTP against gunicorn."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
HOST = "veille.example.org"


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "VEILLE_", "SECURE_", "HTTPS_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "veille.settings",
            "VEILLE_SKIP_ENV_FILE": "1",
            "VEILLE_VAR_DIR": str(tmp_path),
            "SECRET_KEY": "production-like-secret-key-0123456789abcdef",
            "VEILLE_DATA_KEYS": "k1:" + "A" * 43,
            "VEILLE_PSEUDONYM_KEYS": "p1:" + "C" * 43,
            "TWILIO_AUTH_TOKEN": "token",
            "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
            "TWILIO_FROM_NUMBER": "+22370000000",
            "PUBLIC_BASE_URL": f"https://{HOST}",
            "ALLOWED_HOSTS": HOST,
            "BEHIND_TLS_PROXY": "1",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "REDIS_URL": "",
        }
    )
    env.update(overrides)
    return env


def load_settings(env: dict[str, str], *names: str) -> dict[str, object]:
    script = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}))"
    )
    out = subprocess.run([sys.executable, "-c", script], env=env, cwd=PROJECT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_production_settings_turn_on_hsts_and_the_https_redirect(tmp_path):
    values = load_settings(
        production_env(tmp_path), "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_REDIRECT_EXEMPT"
    )

    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert {"^healthz/?$", "^readyz/?$"} <= set(values["SECURE_REDIRECT_EXEMPT"])


def test_the_exempt_paths_and_hsts_are_settings(tmp_path):
    values = load_settings(
        production_env(tmp_path, HTTPS_REDIRECT_EXEMPT_PATHS="/livez,/probe/ready/", SECURE_HSTS_SECONDS="600"),
        "SECURE_HSTS_SECONDS",
        "SECURE_REDIRECT_EXEMPT",
    )

    assert values == {"SECURE_HSTS_SECONDS": 600, "SECURE_REDIRECT_EXEMPT": ["^livez/?$", "^probe/ready/?$"]}


def test_a_plain_http_demo_keeps_working_without_redirect(tmp_path):
    values = load_settings(
        production_env(tmp_path, VEILLE_DEMO="1", PUBLIC_BASE_URL="http://127.0.0.1:8000", ALLOWED_HOSTS="127.0.0.1"),
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
    )

    assert values == {"SECURE_SSL_REDIRECT": False, "SECURE_HSTS_SECONDS": 0}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn(tmp_path) -> Iterator[int]:
    port = free_port()
    env = production_env(tmp_path, GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="1", GUNICORN_THREADS="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "veille/gunicorn.conf.py", "veille.wsgi:application"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(process.stderr.read().decode() if process.stderr else "no gunicorn") from None
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def get(port: int, path: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Host": HOST, **(headers or {})})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_over_real_http_plain_requests_are_redirected_and_https_ones_get_hsts(gunicorn):
    plain = get(gunicorn, "/report/")
    staff_plain = get(gunicorn, "/staff/login/")
    secure = get(gunicorn, "/staff/login/", {"X-Forwarded-Proto": "https"})
    probes = [get(gunicorn, path) for path in ("/healthz", "/readyz", "/healthz/")]

    assert plain.status == 301 and plain.getheader("Location") == f"https://{HOST}/report/"
    assert staff_plain.status == 301
    assert secure.status == 200
    hsts = secure.getheader("Strict-Transport-Security") or ""
    assert hsts.startswith("max-age=") and int(hsts.split("=")[1].split(";")[0]) >= 365 * 24 * 3600
    assert plain.getheader("Strict-Transport-Security") is None  # only ever sent over HTTPS
    assert all(probe.status != 301 for probe in probes)  # not redirected (the probes are added elsewhere)


STAFF_SECURITY_VARIABLES = [
    "STAFF_IDLE_SECONDS",
    "STAFF_SESSION_MAX_SECONDS",
    "STAFF_REAUTH_SECONDS",
    "LOGIN_MAX_FAILURES",
    "LOGIN_MAX_FAILURES_PER_ADDRESS",
    "LOGIN_LOCKOUT_SECONDS",
    "ENROLL_SECRET_SECONDS",
    "TRUSTED_PROXIES",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "HTTPS_REDIRECT_EXEMPT_PATHS",
]


def test_env_example_documents_the_production_defaults(tmp_path):
    """.env.example shows each staff-security variable with the value the settings take
    when it is not set (with an https PUBLIC_BASE_URL, as in production)."""
    example = {}
    for line in (PROJECT / ".env.example").read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            name, _, value = line.partition("=")
            example[name] = value
    setting_names = [("SESSION_COOKIE_AGE" if n == "STAFF_IDLE_SECONDS" else n) for n in STAFF_SECURITY_VARIABLES]
    defaults = load_settings(production_env(tmp_path), *setting_names)

    for variable, setting in zip(STAFF_SECURITY_VARIABLES, setting_names, strict=True):
        assert variable in example, f"{variable} missing from .env.example"
        default, written = defaults[setting], example[variable]
        if isinstance(default, bool):
            assert written == ("1" if default else "0"), variable
        elif isinstance(default, list):
            assert [item for item in written.split(",") if item] == default, variable
        else:
            assert written == str(default), variable
