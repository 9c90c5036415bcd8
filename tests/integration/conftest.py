"""Real PostgreSQL, real Redis, real Celery workers in their own processes.

Every test here is marked ``integration`` and skipped unless both DATABASE_URL (a
PostgreSQL URL) and REDIS_URL are set: the first ``make test`` run (SQLite) skips them,
the second (PostgreSQL + Redis) runs them. Workers are subprocesses, so the tests use
``transactional_db``: a worker sees only committed rows.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parents[1]
SKIP_REASON = "needs PostgreSQL and Redis (make test runs them)"
WORKER_START_SECONDS = 30


def services_configured() -> bool:
    database_url = os.environ.get("DATABASE_URL", "")
    return database_url.startswith(("postgres://", "postgresql://")) and bool(os.environ.get("REDIS_URL"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.integration)
            if not services_configured():
                item.add_marker(skip)


def wait_until(predicate: Callable[[], Any], *, timeout: float, what: str, interval: float = 0.2) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def worker_database_url() -> str:
    """The URL of the database pytest-django created (``test_<name>``), for the workers."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    credentials = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"


def flush_redis() -> None:
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    try:
        client.flushdb()
    finally:
        client.close()


@dataclass
class Worker:
    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, unacknowledged messages stay unacknowledged."""
        if self.alive():
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@dataclass
class Workers:
    """Starts real ``celery worker`` processes on the test database; kills them all at
    teardown, before pytest-django flushes the tables."""

    tmp: Path
    env: dict[str, str]
    started: list[Worker] = field(default_factory=list)

    def start(self, name: str = "w1", *, wait_ready: bool = True, extra_args: tuple[str, ...] = ()) -> Worker:
        log = self.tmp / f"{name}.log"
        handle = log.open("wb")
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "veille",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            "default",
            "-n",
            f"{name}@%h",
            "--without-mingle",
            "--without-gossip",
            "-l",
            "info",
            *extra_args,
        ]
        process = subprocess.Popen(command, cwd=PROJECT, env=self.env, stdout=handle, stderr=subprocess.STDOUT)
        handle.close()
        worker = Worker(name=name, process=process, log=log)
        self.started.append(worker)
        if wait_ready:
            wait_until(
                lambda: " ready." in worker.output() or not worker.alive(),
                timeout=WORKER_START_SECONDS,
                what=f"worker {name} to be ready",
            )
            assert worker.alive(), f"worker {name} died at start:\n{worker.output()[-3000:]}"
        return worker

    def stop_all(self) -> None:
        for worker in self.started:
            worker.stop()

    def logs(self) -> str:
        return "\n".join(f"--- {w.name}\n{w.output()[-4000:]}" for w in self.started)


@pytest.fixture
def eager_off() -> Iterator[None]:
    """The test process publishes to the real broker while the test runs."""
    from veille.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = before


@pytest.fixture
def workers(transactional_db, gazetteer, eager_off, tmp_path: Path) -> Iterator[Workers]:
    flush_redis()
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "veille.test_settings",
            "DATABASE_URL": worker_database_url(),
            "REDIS_URL": os.environ["REDIS_URL"],
            "CELERY_TASK_ALWAYS_EAGER": "0",
            # Visible in the worker's log and shared through no memory: locmem would be.
            "SMS_BACKEND": "messaging.backends.console.ConsoleBackend",
            # Unacknowledged messages of a killed worker come back after 5 s.
            "CELERY_VISIBILITY_TIMEOUT": "5",
            # The sweeps, when a test asks for them, take everything pending.
            "SWEEP_GRACE_SECONDS": "0",
            "PYTHONUNBUFFERED": "1",
        }
    )
    pool = Workers(tmp=tmp_path, env=env)
    try:
        yield pool
    finally:
        pool.stop_all()
        # The test process's own connections to the broker go with the flush below.
        flush_redis()


@pytest.fixture
def no_grace(settings) -> None:
    settings.SWEEP_GRACE_SECONDS = 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def broker_unreachable() -> Iterator[str]:
    """Point the test process's publishing at a port nobody listens on: a real
    connection refusal, through the real kombu/redis stack."""
    from veille.celery import app

    def reset_pools() -> None:
        app._pool = None
        app.amqp._producer_pool = None

    before = app.conf.broker_url
    dead = f"redis://127.0.0.1:{free_port()}/12"
    app.conf.broker_url = dead
    reset_pools()
    try:
        yield dead
    finally:
        app.conf.broker_url = before
        reset_pools()


def sms_params(number: str, body: str, sid: str) -> dict[str, str]:
    from django.conf import settings

    return {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": settings.TWILIO_ACCOUNT_SID,
        "From": number,
        "To": settings.TWILIO_FROM_NUMBER,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "FromCity": "DOUENTZA",
        "FromState": "MOPTI",
        "FromCountry": "ML",
    }


def post_sms(number: str, body: str, sid: str):
    """What Twilio posts, signed, through the whole Django stack of the test process
    (a fresh client: safe to call from several threads)."""
    from urllib.parse import urlencode

    from django.test import Client

    from tests.conftest import twilio_signature

    path = "/channels/twilio/sms/"
    params = sms_params(number, body, sid)
    return Client().post(
        path,
        data=urlencode(params),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=twilio_signature(path, params),
    )


def sid(n: int, prefix: str = "a") -> str:
    return "SM" + f"{prefix}{n:031x}"[-32:]
