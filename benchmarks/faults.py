"""Faults in the middle of an SMS spike, reconciled: accepted = stored = processed, none twice.

Each scenario builds a private world (its own PostgreSQL cluster from ``initdb`` and its
own ``redis-server`` on free loopback ports, or the embedded SQLite + filesystem broker),
starts gunicorn, a Celery worker and beat as child processes, sends an open-loop spike of
signed Twilio webhooks, injects the fault part-way, then waits until nothing is pending
and checks the database. The machine's shared PostgreSQL and Redis are never touched, so
a fault can be injected for real (a cluster stopped with ``pg_ctl``, a Redis killed).

Used by tests/integration/test_faults.py at a small size and by ``benchmarks/run.py p8``
at spike size.
"""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import harness
from benchmarks.loadgen import Result, open_loop
from benchmarks.workload import SmsFactory

SMS_PATH = harness.SMS_PATH


def pg_bin(program: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{program}"))
    if found:
        return found[-1]
    path = shutil.which(program)
    if path is None:
        raise RuntimeError(f"{program} not found (PostgreSQL server binaries are needed)")
    return path


def _as_postgres(argv: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the postgres user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *argv]
    return argv


class PrivatePostgres:
    """A throw-away cluster on a free port, trust auth, fsync off. Its folder is a fresh
    one in the system's temporary directory: the postgres user must reach it, and a
    test's own tmp_path sits under a folder only root may enter."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="veille-pg-"))
        self.data = self.root / "data"
        self.port = harness.free_port()
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        self._run([pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
        self.start()
        subprocess.run(
            [pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "veille"],
            check=True,
            capture_output=True,
        )

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/veille"

    def _run(self, argv: list[str]) -> None:
        result = subprocess.run(_as_postgres(argv), capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed: {result.stdout}\n{result.stderr}")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50"
        self._run([pg_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start"])

    def stop(self) -> None:
        """Fast shutdown: every open connection is cut, as in a crash or a failover."""
        self._run([pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"])

    def destroy(self) -> None:
        try:
            self._run([pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"])
        except RuntimeError:
            pass  # already stopped
        shutil.rmtree(self.root, ignore_errors=True)


class PrivateRedis:
    """``redis-server`` on a free port, no persistence (a restart loses the queue)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = harness.free_port()
        root.mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        argv += ["--daemonize", "no", "--dir", str(self.root)]
        log = (self.root / "redis.log").open("ab")
        self.process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        import redis

        deadline = time.monotonic() + 20
        while True:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("private redis-server did not start") from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()  # SIGKILL: what a crash or an OOM kill does
            self.process.wait(timeout=10)


@dataclass
class World:
    stack: harness.Stack
    root: Path
    postgres: PrivatePostgres | None = None
    redis: PrivateRedis | None = None
    processes: list[harness.Process] = field(default_factory=list)

    def log_count(self, process: str, text: str) -> int:
        return sum(p.log_text().count(text) for p in self.processes if p.name == process)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.log_text()[-4000:]}" for p in self.processes)

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.postgres is not None:
            import psycopg

            with psycopg.connect(self.postgres.url, connect_timeout=3) as conn:
                return list(conn.execute(sql).fetchall())
        with sqlite3.connect(self.root / "var" / "veille.sqlite3", timeout=20) as conn:
            return list(conn.execute(sql).fetchall())


ENV = {
    # Tasks go through the broker to the worker (the test process runs them inline).
    "CELERY_TASK_ALWAYS_EAGER": "0",
    # Tight loops so a test sees the sweeps within seconds.
    "SWEEP_GRACE_SECONDS": "0",
    "SWEEP_INBOUND_SECONDS": "2",
    "SWEEP_OUTBOUND_SECONDS": "2",
    "CELERY_VISIBILITY_TIMEOUT": "10",
    "SMS_BACKEND": "messaging.backends.console.ConsoleBackend",
    "SMS_SEND_RATE_PER_SECOND": "1000",
    "LOG_LEVEL": "INFO",
}


@contextmanager
def world(root: Path, *, embedded: bool = False, extra_env: dict[str, str] | None = None) -> Iterator[World]:
    """A private deployment: web (gunicorn), one worker, beat."""
    postgres = redis_server = None
    processes: list[harness.Process] = []
    try:
        var_dir = root / "var"
        var_dir.mkdir(parents=True, exist_ok=True)
        if embedded:
            database_url = f"sqlite:///{var_dir / 'veille.sqlite3'}"
            redis_url = ""
        else:
            postgres = PrivatePostgres()
            redis_server = PrivateRedis(root / "redis")
            database_url, redis_url = postgres.url, redis_server.url
        stack = harness.Stack("faults", database_url, redis_url, var_dir, harness.free_port())
        stack.extra_env.update(ENV)
        stack.extra_env.update(extra_env or {})
        if embedded:
            stack.extra_env["REDIS_URL"] = ""
        stack.manage("migrate", "--noinput")
        found = World(stack=stack, root=root, postgres=postgres, redis=redis_server, processes=processes)
        processes.append(harness.start_gunicorn(stack, workers=1, threads=4, settings_module="veille.settings"))
        pool = "threads" if embedded else "prefork"
        argv = [harness.PYTHON, "-m", "celery", "-A", "veille", "worker", "--concurrency=1", "--loglevel=INFO"]
        argv += [f"--pool={pool}", "-Q", "default", "--without-mingle", "--without-gossip"]
        worker = harness.Process("worker", argv, stack.env(), stack.var_dir / "worker.log")
        processes.append(worker)
        processes.append(harness.start_beat(stack))
        # The fault must hit a running worker, not one still starting.
        deadline = time.monotonic() + 60
        while " ready." not in worker.log_text():
            if not worker.alive() or time.monotonic() > deadline:
                raise RuntimeError(f"worker did not start:\n{worker.log_text()[-3000:]}")
            time.sleep(0.2)
        yield found
    finally:
        harness.stop_all(processes)
        if redis_server is not None:
            redis_server.stop()
        if postgres is not None:
            postgres.destroy()


@dataclass
class Spike:
    result: Result
    sids: list[str]
    fault_log: list[str]


def spike(w: World, *, count: int, seconds: float, fault: Callable[[], None] | None = None, at: float = 0.3) -> Spike:
    """Send ``count`` SMS over ``seconds`` (open loop); run ``fault`` in a thread once
    ``at`` of the spike has been sent."""
    factory = SmsFactory(token=w.stack.token, public_base_url=w.stack.base_url, path=SMS_PATH, first_sender=0)
    requests, sids = factory.batch(count)
    fault_log: list[str] = []

    def inject() -> None:
        time.sleep(seconds * at)
        started = time.monotonic()
        fault()
        fault_log.append(f"fault done in {time.monotonic() - started:.1f}s")

    thread = threading.Thread(target=inject) if fault else None
    if thread:
        thread.start()
    result = asyncio.run(open_loop("spike", w.stack.base_url, requests, count / seconds, sids, timeout=20))
    if thread:
        thread.join()
    return Spike(result=result, sids=sids, fault_log=fault_log)


def reconcile(w: World, sent: Spike, *, timeout: float = 60) -> dict[str, Any]:
    """Wait until every accepted SMS is processed; return the counts to compare."""
    accepted = set(sent.result.ok_ids)
    deadline = time.monotonic() + timeout
    while True:
        try:
            rows = w.query("SELECT provider_message_id, status FROM messaging_inboundmessage")
        except Exception:
            rows = None  # the database may still be coming back
        if rows is not None:
            statuses = {sid: status for sid, status in rows if sid in set(sent.sids)}
            processed = {sid for sid, status in statuses.items() if status == "processed"}
            if accepted <= processed and not any(s == "pending" for s in statuses.values()):
                break
        if time.monotonic() > deadline:
            break
        time.sleep(0.5)
    ids = [sid for (sid,) in w.query("SELECT provider_message_id FROM messaging_inboundmessage")]
    reports = w.query("SELECT COUNT(*) FROM reporting_report WHERE channel = 'sms'")[0][0]
    spooled = list((w.stack.var_dir / "spool").glob("*")) if (w.stack.var_dir / "spool").exists() else []
    return {
        "sent": sent.result.sent,
        "accepted": len(accepted),
        "non_2xx": sent.result.non_2xx,
        "statuses": dict(sent.result.statuses),
        "errors": dict(sent.result.errors),
        "stored": len(set(ids) & set(sent.sids)),
        "stored_rows": len(ids),
        "processed": len(processed) if rows is not None else 0,
        "accepted_not_processed": sorted(accepted - processed)[:5] if rows is not None else ["db down"],
        "reports": reports,
        "spool_left": len(spooled),
        "spooled": w.log_count("gunicorn", "SMS spooled"),
        "publish_failed": w.log_count("gunicorn", "broker unavailable"),
        "p99_ms": round(sent.result.percentile(99), 1),
        "max_ms": round(max(sent.result.latencies_ms), 1) if sent.result.latencies_ms else None,
    }
