"""Set-up and tear-down for the benchmarks: throw-away databases, servers and workers.

Everything started here is started in its own process group and stopped by that group's
id in a ``finally`` block, so an interrupted benchmark leaves no server behind. Only
loopback addresses are used.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
REDIS_BASE_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379")
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "9"))
# Appended to every benchmark database's name, so two checkouts benchmarking on one
# PostgreSQL never drop each other's database (as BENCH_REDIS_DB keeps their Redis apart).
DB_SUFFIX = os.environ.get("BENCH_DB_SUFFIX", "")
BASELINE_SETTINGS = "benchmarks.baseline.settings"
SMS_PATH = "/channels/twilio/sms/"
BASELINE_PATH = "/channels/bench-baseline/sms/"
# The USSD callback carries its secret in the path; the stack's gateway calls from loopback.
USSD_SECRET = secrets.token_urlsafe(32)
USSD_PATH = f"/channels/ussd/africastalking/{USSD_SECRET}/"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def _key(kid: str) -> str:
    return f"{kid}:{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip('=')}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Stack:
    """One benchmark's world: database, broker, keys, a var directory and the processes."""

    name: str
    database_url: str
    redis_url: str
    var_dir: Path
    port: int
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    extra_env: dict[str, str] = field(default_factory=dict)
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    data_keys: str = field(default_factory=lambda: _key("b1"))
    pseudonym_keys: str = field(default_factory=lambda: _key("p1"))

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self, settings_module: str = BASELINE_SETTINGS) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "VEILLE_", "GUNICORN_"))}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": settings_module,
                "VEILLE_SKIP_ENV_FILE": "1",
                "VEILLE_VAR_DIR": str(self.var_dir),
                "SECRET_KEY": self.secret_key,
                "VEILLE_DATA_KEYS": self.data_keys,
                "VEILLE_PSEUDONYM_KEYS": self.pseudonym_keys,
                "TWILIO_AUTH_TOKEN": self.token,
                "AFRICASTALKING_CALLBACK_SECRET": USSD_SECRET,
                "AFRICASTALKING_ALLOWED_NETWORKS": "127.0.0.1/32",
                "PUBLIC_BASE_URL": self.base_url,
                "SMS_BACKEND": "messaging.backends.locmem.LocmemBackend",
                "DATABASE_URL": self.database_url,
                "REDIS_URL": self.redis_url,
                "LOG_LEVEL": "WARNING",
                "DEBUG": "0",
                "PYTHONPATH": str(ROOT),
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.extra_env)
        return env

    def manage(self, *args: str, quiet: bool = True) -> str:
        result = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=900,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        if not quiet:
            print(result.stdout, end="")
        return result.stdout

    def prepare(self) -> None:
        """Schema, gazetteer, cache table and the baseline table, as a fresh deployment."""
        started = time.monotonic()
        (self.var_dir / "broker" / "queue").mkdir(parents=True, exist_ok=True)
        (self.var_dir / "broker" / "processed").mkdir(parents=True, exist_ok=True)
        self.manage("migrate", "--noinput")
        self.manage("createcachetable")
        self.manage("import_gazetteer")
        self.probe("create-baseline-table")
        log(f"{self.name}: database ready in {time.monotonic() - started:.0f} s")

    def probe(self, command: str, *args: str) -> Any:
        """Run benchmarks/probe.py in this stack's environment and return its JSON."""
        result = subprocess.run(
            [PYTHON, "-m", "benchmarks.probe", command, *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0:
            raise RuntimeError(f"probe {command} failed:\n{result.stdout}\n{result.stderr}")
        return json.loads(result.stdout)


def pg_database(name: str) -> str:
    """Drop and create a dedicated PostgreSQL database; returns its URL."""
    name += DB_SUFFIX
    host_url = PG_ADMIN_URL.rstrip("/")
    for sql in (f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'):
        subprocess.run(
            ["psql", f"{host_url}/postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
            check=True,
            capture_output=True,
            timeout=120,
        )
    return f"{host_url}/{name}"


def pg_drop(name: str) -> None:
    name += DB_SUFFIX
    subprocess.run(
        ["psql", f"{PG_ADMIN_URL.rstrip('/')}/postgres", "-q", "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
        capture_output=True,
        timeout=120,
    )


def redis_flush(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    client.flushdb()
    client.close()


def redis_queue_length(url: str, queue: str = "default") -> int:
    """Messages waiting in a Celery queue on Redis (priority sub-queues included)."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        total = 0
        for key in client.scan_iter(match=f"{queue}*"):
            if client.type(key) == b"list":
                total += int(client.llen(key))
        return total
    finally:
        client.close()


def redis_purge_queue(url: str, queue: str = "default") -> int:
    """Drop the tasks waiting in a Celery queue (priority sub-queues included)."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        keys = [key for key in client.scan_iter(match=f"{queue}*") if client.type(key) == b"list"]
        return int(client.delete(*keys)) if keys else 0
    finally:
        client.close()


@contextmanager
def temp_dir(prefix: str, keep: bool = False) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        if not keep:
            shutil.rmtree(path, ignore_errors=True)


class Process:
    """A child process in its own session, stopped by its process-group id."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_path: Path) -> None:
        self.name = name
        self.log_path = log_path
        self._log = log_path.open("ab")
        self.proc = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, grace: float = 15.0) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=10)
        self._log.close()

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""


def start_gunicorn(
    stack: Stack,
    workers: int = 2,
    threads: int = 2,
    settings_module: str = BASELINE_SETTINGS,
    app: str = "veille.wsgi",
    port: int | None = None,
) -> Process:
    """Gunicorn with the production config file (veille/gunicorn.conf.py), sized for 2 cores.
    ``app``/``port``: another WSGI application (P1's bare project) under the same config."""
    env = stack.env(settings_module)
    port = port or stack.port
    base_url = f"http://127.0.0.1:{port}"
    env.update(
        {
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_THREADS": str(threads),
        }
    )
    name = "gunicorn" if app == "veille.wsgi" else f"gunicorn-{app}"
    proc = Process(
        name,
        [PYTHON, "-m", "gunicorn", app, "-c", "veille/gunicorn.conf.py"],
        env,
        stack.var_dir / f"{name}.log",
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if not proc.alive():
            raise RuntimeError(f"gunicorn exited:\n{proc.log_text()[-3000:]}")
        try:
            # A GET on the webhook answers 405 once Django is loaded in a worker.
            urllib.request.urlopen(base_url + SMS_PATH, timeout=2)
        except urllib.error.HTTPError:
            return proc
        except OSError:
            time.sleep(0.3)
            continue
        return proc
    proc.stop()
    raise RuntimeError("gunicorn did not answer within 60 s")


def start_worker(stack: Stack, concurrency: int = 2, pool: str = "prefork", beat: bool = False) -> Process:
    """A Celery worker as in docker-compose.yml (concurrency 2, default queue)."""
    argv = [
        PYTHON,
        "-m",
        "celery",
        "-A",
        "veille",
        "worker",
        f"--concurrency={concurrency}",
        f"--pool={pool}",
        "--loglevel=WARNING",
        "-Q",
        "default",
        "--without-mingle",
        "--without-gossip",
    ]
    if beat:
        argv += ["--beat", f"--schedule={stack.var_dir / 'celerybeat-schedule'}"]
    return Process("worker", argv, stack.env(), stack.var_dir / "worker.log")


def start_beat(stack: Stack) -> Process:
    argv = [
        PYTHON,
        "-m",
        "celery",
        "-A",
        "veille",
        "beat",
        "--loglevel=WARNING",
        f"--schedule={stack.var_dir / 'celerybeat-schedule'}",
    ]
    return Process("beat", argv, stack.env(), stack.var_dir / "beat.log")


def group_cpu_seconds(pgid: int) -> float:
    """CPU time (user + system) of the live processes of a process group: a worker's
    main process and its pool children."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command name: state, ppid, pgrp, ..., utime (12th), stime (13th).
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def tracebacks_check(log_text: str, who: str = "worker") -> dict[str, Any]:
    """The check row every target ends with: no traceback in a process's log."""
    count = log_text.count("Traceback")
    return {"check": f"{who} tracebacks", "value": str(count), "goal": "0", "pass": count == 0}


def stop_all(processes: list[Process]) -> None:
    for proc in reversed(processes):
        try:
            proc.stop()
        except Exception as exc:  # keep stopping the others
            log(f"could not stop {proc.name}: {exc}")
