"""Liveness (``/healthz``) and readiness (``/readyz``) for orchestrators and probes.

Readiness is a registry: ``settings.READINESS_CHECKS`` lists dotted paths to callables
that take no argument and return ``(ok, detail)``. Apps add their own checks there (the
inbound backlog, an SMS gateway's heartbeat) without this module importing any of them.

Anonymous callers get only ``ok`` or ``not ok`` (and 200 or 503): a probe needs no more,
and the names of the parts that are down tell an attacker where to push. Staff with a
verified second factor, and holders of ``METRICS_TOKEN``, get every check's detail.
Details are exception types and counts, never content.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache as django_cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

Check = Callable[[], tuple[bool, str]]


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str


@cache
def _load(path: str) -> Check:
    return import_string(path)


def run_checks(paths: list[str] | None = None) -> list[CheckResult]:
    """Run every readiness check; a check that raises counts as failed (its type only)."""
    results = []
    for path in settings.READINESS_CHECKS if paths is None else paths:
        name = path.rsplit(".", 1)[-1].removeprefix("check_")
        try:
            ok, detail = _load(path)()
        except Exception as exc:
            ok, detail = False, f"error: {type(exc).__name__}"
        results.append(CheckResult(name=name, ok=bool(ok), detail=str(detail)[:200]))
    return results


def bearer_token_is_valid(request: HttpRequest) -> bool:
    """``Authorization: Bearer <METRICS_TOKEN>``, compared in constant time."""
    token = settings.METRICS_TOKEN
    if not token:
        return False
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def may_see_detail(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    # is_verified comes from django_otp's middleware: a password alone is not enough.
    staff = bool(user is not None and user.is_authenticated and getattr(user, "is_verified", lambda: False)())
    return staff or bearer_token_is_valid(request)


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """The process answers: nothing else is touched (a dead database must not make an
    orchestrator kill healthy web processes in a loop)."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@require_GET
@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    results = run_checks()
    ok = all(result.ok for result in results)
    status = 200 if ok else 503
    if not ok:
        logger.warning("readiness: not ready (%s)", ", ".join(r.name for r in results if not r.ok))
    if not may_see_detail(request):
        return HttpResponse("ok" if ok else "not ok", status=status, content_type="text/plain; charset=utf-8")
    body = {"ok": ok, "checks": {r.name: {"ok": r.ok, "detail": r.detail} for r in results}}
    return HttpResponse(json.dumps(body), status=status, content_type="application/json")


# --- Checks that need no app ----------------------------------------------------------


def check_database() -> tuple[bool, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return True, connection.vendor


def check_cache() -> tuple[bool, str]:
    key = "veille:readyz:probe"
    value = os.urandom(8).hex()
    django_cache.set(key, value, 30)
    if django_cache.get(key) != value:
        return False, "written value not read back"
    return True, django_cache.__class__.__name__


def _redis_client(url: str):
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)


def check_broker() -> tuple[bool, str]:
    """Redis answers PING; the embedded broker's folder takes a file (a full disk or a
    read-only mount fails here, before the webhooks find out)."""
    url = str(settings.CELERY_BROKER_URL)
    if url.startswith("filesystem://"):
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
        # As every publishing process does at start (veille/celery.py).
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".readyz-", suffix=".probe") as probe:
            probe.write(b"x" * 4096)
            probe.flush()
            os.fsync(probe.fileno())
        return True, "filesystem"
    client = _redis_client(url)
    try:
        client.ping()
    finally:
        client.close()
    return True, "redis"


def check_broker_persistence() -> tuple[bool, str]:
    """The broker's Redis keeps queued tasks across a restart (AOF or RDB snapshots).

    Without it a restart drops the queue: nothing is lost (rows are in the database and
    the sweeps take them) but everything waits for the sweep. A Redis that refuses
    ``CONFIG`` (managed services) is reported, not failed."""
    url = str(settings.CELERY_BROKER_URL)
    if url.startswith("filesystem://"):
        return True, "filesystem"
    import redis

    client = _redis_client(url)
    try:
        aof = client.config_get("appendonly").get("appendonly")
        save = client.config_get("save").get("save")
    except redis.ResponseError:
        return True, "CONFIG refused: unknown"
    finally:
        client.close()
    persistent = aof == "yes" or bool(save)
    detail = f"appendonly={aof} save={'on' if save else 'off'}"
    # Only a failure where the deployment said persistence is required (docker-compose
    # does); a test or development Redis without it stays ready.
    return persistent or not settings.BROKER_REQUIRE_PERSISTENCE, detail
