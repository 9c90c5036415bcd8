"""docker-compose.yml, read as Docker Compose reads it (no engine here to run it): every
service has a health check and a restart policy, migrations are a one-shot step the
others wait for, no secret is written in the file, the broker's Redis persists and the
cache's does not, and the deployer's DATABASE_URL wins."""

from __future__ import annotations

import os
import re
import runpy
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ["web", "worker", "beat", "backup"]
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|_KEYS?$|AUTH", re.IGNORECASE)


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_service_has_a_health_check(name):
    check = SERVICES[name].get("healthcheck")
    assert check and check.get("test"), f"{name} has no health check"
    assert not check.get("disable")


@pytest.mark.parametrize("name", sorted(set(SERVICES) - {"migrate"}))
def test_every_long_running_service_restarts(name):
    assert SERVICES[name].get("restart") in {"unless-stopped", "always"}, name


def test_migrations_are_a_one_shot_step_the_app_waits_for():
    migrate = SERVICES["migrate"]
    assert "migrate" in " ".join(migrate["command"])
    assert migrate["restart"] == "no"
    for name in APP_SERVICES:
        service = SERVICES[name]
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name
        assert "migrate" not in " ".join(service["command"]), f"{name} must not migrate itself"
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
    assert SERVICES["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_no_secret_is_written_in_the_file(name):
    for key, value in environment(SERVICES[name]).items():
        if SECRET_NAME.search(key) and not key.endswith("_FILE"):
            assert value.startswith("${") and value.endswith("}"), f"{name}: {key} has a literal value"
        # No URL carries a password (user:password@host).
        assert not re.search(r"://[^/@:]+:[^/@]+@", value), f"{name}: {key} has a password in its URL"
    assert "veille:veille" not in (ROOT / "docker-compose.yml").read_text()


def test_the_database_password_is_a_docker_secret():
    assert SERVICES["db"]["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/db_password"
    assert "POSTGRES_PASSWORD" not in SERVICES["db"]["environment"]
    assert COMPOSE["secrets"]["db_password"]["file"]
    for name in ["migrate", *APP_SERVICES]:
        assert environment(SERVICES[name])["DATABASE_PASSWORD_FILE"] == "/run/secrets/db_password"
        assert "db_password" in SERVICES[name]["secrets"]


def test_the_deployers_database_url_wins():
    for name in ["migrate", *APP_SERVICES]:
        assert environment(SERVICES[name])["DATABASE_URL"].startswith("${DATABASE_URL:-"), name


def test_the_broker_redis_persists_and_the_cache_redis_does_not():
    broker = " ".join(SERVICES["redis-broker"]["command"])
    cache = SERVICES["redis-cache"]["command"]
    assert "--appendonly yes" in broker
    assert cache[cache.index("--appendonly") + 1] == "no" and cache[cache.index("--save") + 1] == ""
    web = environment(SERVICES["web"])
    assert "redis-broker" in web["REDIS_URL"] and "redis-cache" in web["CACHE_REDIS_URL"]
    assert web["BROKER_REQUIRE_PERSISTENCE"] == "1"


def test_several_workers_one_beat_and_a_shared_spool():
    assert str(SERVICES["worker"]["deploy"]["replicas"]) in {"${WORKER_REPLICAS:-2}", "2"}
    assert SERVICES["beat"]["deploy"]["replicas"] == 1
    for name in ("web", "worker", "beat"):
        assert "spool:/var/lib/veille/spool" in SERVICES[name]["volumes"], name


def test_gunicorn_workers_are_sized_from_the_cores(monkeypatch):
    monkeypatch.delenv("GUNICORN_WORKERS", raising=False)
    conf = runpy.run_path(str(ROOT / "veille" / "gunicorn.conf.py"))
    assert conf["workers"] == 2 * len(os.sched_getaffinity(0)) + 1
    assert conf["accesslog"] is None  # no addresses in the logs
    monkeypatch.setenv("GUNICORN_WORKERS", "5")
    assert runpy.run_path(str(ROOT / "veille" / "gunicorn.conf.py"))["workers"] == 5


def test_the_database_password_can_come_from_a_file(tmp_path):
    import subprocess
    import sys

    secret = tmp_path / "db_password"
    secret.write_text("s3cr3t-from-file\n")
    env = dict(os.environ, DATABASE_URL="postgres://veille@db:5432/veille", DATABASE_PASSWORD_FILE=str(secret))
    code = "from django.conf import settings; print(settings.DATABASES['default']['PASSWORD'])"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "veille.test_settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "s3cr3t-from-file"
