"""The image's build context keeps the deployment's secrets and local state out.

Docker is not needed: ``.dockerignore`` is evaluated here with Docker's own rules
(moby's patternmatcher: paths relative to the context, ``*`` within one path segment,
``**`` across segments, ``!`` re-includes, the last matching pattern wins, and a path is
excluded when it or any folder above it matches). The Dockerfile is read too: it may
bring files in only through ``COPY``/``ADD`` from the context, never from elsewhere.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# What must never reach an image, whether or not it exists in this checkout.
MUST_STAY_OUT = [
    ".env",
    ".env.local",
    ".env.production",
    "deploy/.env",
    "var/veille.sqlite3",
    "var/veille.sqlite3-wal",
    "var/demo-admin-password.txt",
    "var/cache/abc.djcache",
    "var/broker/queue/1.msg",
    "var/sms-outbox/0001.txt",
    "var/celerybeat-schedule",
    "db.sqlite3",
    ".git",
    ".git/config",
    ".git/objects/ab/cdef",
    "benchmarks/results/p1.json",
    "benchmarks/results/2026-01-01/p4.txt",
    "screenshots/report.png",
    ".pytest_cache/v/cache/lastfailed",
    ".ruff_cache/0.1/abc",
    ".coverage",
    "htmlcov/index.html",
    "junit.xml",
    "test-results/trace.zip",
    ".venv/bin/python",
    "reporting/__pycache__/views.cpython-311.pyc",
    "staticfiles/staticfiles.json",
]
# What the image needs: the application itself.
MUST_GO_IN = [
    "manage.py",
    "requirements.txt",
    "veille/settings.py",
    "veille/gunicorn.conf.py",
    "messaging/services.py",
    "reporting/ussd/engine.py",
    "templates/base.html",
    "static/css/veille.css",
    "locale/en/LC_MESSAGES/django.mo",
    "places/data/SOURCES.md",
    "focal_points/fixtures/deployment_mopti.csv",
]


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """Docker's translation of one pattern (moby/patternmatcher), for '/'-separated paths."""
    out = ["^"]
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "*":
            if pattern[i : i + 2] == "**":
                i += 1
                if pattern[i + 1 : i + 2] == "/":
                    i += 1
                    out.append("(.*/)?")  # "**/" : any number of folders, none included
                else:
                    out.append(".*")
            else:
                out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(char))
        i += 1
    out.append("$")
    return re.compile("".join(out))


@cache
def _rules() -> tuple[tuple[bool, re.Pattern[str]], ...]:
    rules = []
    for raw in (ROOT / ".dockerignore").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = os.path.normpath(line.removeprefix("!").strip()).lstrip("/")
        rules.append((negated, _pattern_regex(pattern)))
    return tuple(rules)


def excluded(path: str) -> bool:
    """Whether Docker leaves ``path`` (relative to the context) out of the build context."""
    parts = path.split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    result = False
    for negated, regex in _rules():
        # A pattern matches a path or any folder above it: excluding a folder excludes
        # everything in it.
        if any(regex.match(candidate) for candidate in candidates):
            result = not negated
    return result


def test_the_dockerignore_matcher_follows_dockers_rules():
    assert _pattern_regex("var").match("var")
    assert not _pattern_regex("var").match("places/var")
    assert _pattern_regex("**/.env").match(".env")
    assert _pattern_regex("**/.env").match("a/b/.env")
    assert _pattern_regex("*.key").match("x.key")
    assert not _pattern_regex("*.key").match("a/x.key")
    assert _pattern_regex("benchmarks/results").match("benchmarks/results")


@pytest.mark.parametrize("path", MUST_STAY_OUT)
def test_secrets_local_state_and_outputs_stay_out_of_the_build_context(path):
    assert excluded(path), f"{path} would be copied into the image: add it to .dockerignore"


@pytest.mark.parametrize("path", MUST_GO_IN)
def test_the_application_itself_goes_in(path):
    assert not excluded(path), f"{path} is needed in the image but .dockerignore leaves it out"


def _tree() -> list[str]:
    paths = []
    for folder, dirs, files in os.walk(ROOT):
        relative = Path(folder).relative_to(ROOT).as_posix()
        prefix = "" if relative == "." else relative + "/"
        for name in dirs + files:
            paths.append(prefix + name)
    return paths


SENSITIVE = re.compile(
    r"(^|/)\.env($|\.)|^var(/|$)|^\.git(/|$)|^benchmarks/results(/|$)|^screenshots(/|$)"
    r"|\.sqlite3|(^|/)\.pytest_cache(/|$)|demo-admin-password"
)


def test_nothing_sensitive_in_this_checkout_would_be_sent():
    """The real tree, as it is now (after ``make run`` or ``make test`` it holds .env, var/,
    screenshots...): none of it passes."""
    leaking = [path for path in _tree() if SENSITIVE.search(path) and not excluded(path)]
    assert not leaking, leaking


def test_the_dockerfile_copies_only_from_the_filtered_context():
    """``COPY``/``ADD`` from the context go through .dockerignore; a ``--from`` stage, a URL,
    a bind mount of the context or a secret baked into ``ENV``/``ARG`` would not."""
    text = (ROOT / "Dockerfile").read_text()
    instructions = re.sub(r"\\\n", " ", text).splitlines()
    for line in instructions:
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        keyword = words[0].upper()
        if keyword in {"COPY", "ADD"}:
            sources = [w for w in words[1:-1] if not w.startswith("--")]
            assert not any(w.startswith("--from") for w in words), line
            for source in sources:
                assert "://" not in source, line
                assert not source.startswith(("/", "..")), line
                if source != ".":
                    assert not excluded(source.lstrip("./")), f"{line}: copies an excluded path explicitly"
        if keyword == "RUN":
            assert "--mount" not in line, line
        if keyword in {"ENV", "ARG"}:
            for name in ("SECRET_KEY", "VEILLE_DATA_KEYS", "VEILLE_PSEUDONYM_KEYS", "TWILIO_AUTH_TOKEN"):
                assert name not in line, f"{line}: a secret would be stored in the image's config"
