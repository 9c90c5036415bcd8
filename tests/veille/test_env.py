import pytest
from django.core.exceptions import ImproperlyConfigured

from veille.env import envbool, envchoice, envint, envlist, envstr


def test_it_reads_booleans_strictly(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert envbool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        envbool("X_FLAG", False)


def test_it_checks_integer_bounds(monkeypatch):
    monkeypatch.setenv("X_INT", "0")
    with pytest.raises(ImproperlyConfigured, match="below its minimum"):
        envint("X_INT", 5, minimum=1)
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        envint("X_INT", 5)


def test_it_requires_what_is_required(monkeypatch):
    monkeypatch.delenv("X_SECRET", raising=False)
    with pytest.raises(ImproperlyConfigured, match="X_SECRET must be set"):
        envstr("X_SECRET", required=True)


def test_it_reads_secrets_from_files(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert envstr("X_SECRET", required=True) == "s3cret"


def test_it_reads_lists_and_choices(monkeypatch):
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert envlist("X_LIST") == ["a", "b", "c"]
    monkeypatch.setenv("X_CHOICE", "loud")
    with pytest.raises(ImproperlyConfigured, match="must be one of"):
        envchoice("X_CHOICE", "never", {"always", "never"})


def test_the_settings_refuse_to_start_without_keys(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("VEILLE_", "SECRET_KEY", "TWILIO"))}
    env.update({"DJANGO_SETTINGS_MODULE": "veille.settings", "VEILLE_SKIP_ENV_FILE": "1", "SECRET_KEY": "x" * 40})
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "VEILLE_DATA_KEYS must be set" in result.stderr
