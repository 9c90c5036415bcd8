"""P3: a spike with the workers stopped, then the workers restarted.

1. Gunicorn on PostgreSQL + Redis, no worker and no scheduler: N SMS arrive open loop
   over D seconds (target: 10,000 in 600 s; quick: 2,000 in 60 s), each from its own
   sender. Every 2xx must already be a stored, pending InboundMessage.
2. A worker (concurrency 2, as in docker-compose.yml) and the beat scheduler (with its
   inbound sweep) start; the clock runs until no message is pending.
3. Reconciliation: accepted MessageSids == stored MessageSids == processed messages, one
   SMS report per sender, message counts adding up: zero lost, zero duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

import psycopg

from benchmarks import harness
from benchmarks.harness import SMS_PATH, Stack, log
from benchmarks.loadgen import open_loop
from benchmarks.workload import SmsFactory

DB_NAME = "veille_bench_p3"
TARGET_COUNT = 10_000
TARGET_DRAIN_S = 300.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("P3")
    group.add_argument("--p3-count", type=int, default=None, help="SMS in the spike (quick 2000, full 10000)")
    group.add_argument("--p3-seconds", type=float, default=None, help="spike duration (quick 60, full 600)")
    group.add_argument("--p3-drain-timeout", type=float, default=900.0, help="give up draining after this many s")
    group.add_argument("--p3-worker-concurrency", type=int, default=2)


def _status_counts(conn: psycopg.Connection) -> dict[str, int]:
    with conn.cursor() as cursor:
        cursor.execute("SELECT status, COUNT(*) FROM messaging_inboundmessage GROUP BY status")
        counts = {status: int(n) for status, n in cursor.fetchall()}
    conn.commit()
    return counts


def run(args: argparse.Namespace) -> dict[str, Any]:
    count = args.p3_count or (2_000 if args.quick else TARGET_COUNT)
    seconds = args.p3_seconds or (60.0 if args.quick else 600.0)
    rate = count / seconds
    redis_url = f"{harness.REDIS_BASE_URL}/{harness.REDIS_DB}"
    database_url = harness.pg_database(DB_NAME)
    harness.redis_flush(redis_url)
    processes: list[harness.Process] = []
    timeline: list[dict[str, Any]] = []
    try:
        with harness.temp_dir("veille-bench-p3-", keep=args.keep) as var_dir:
            stack = Stack("P3", database_url, redis_url, var_dir, harness.free_port())
            # The sweep takes rows older than this; shorter than production's 60 s so that a
            # quick run also exercises it beside the queue.
            stack.extra_env["SWEEP_GRACE_SECONDS"] = "30"
            stack.prepare()
            processes.append(harness.start_gunicorn(stack))
            factory = SmsFactory(token=stack.token, public_base_url=stack.base_url, path=SMS_PATH, first_sender=0)
            requests, sids = factory.batch(count)
            log(f"P3: spike of {count} SMS over {seconds:.0f} s ({rate:.1f}/s), workers stopped")
            spike = asyncio.run(open_loop("spike", stack.base_url, requests, rate, sids))
            log(f"  accepted {spike.ok}, non-2xx {spike.non_2xx}, p99 {spike.percentile(99):.1f} ms")
            with psycopg.connect(database_url) as conn:
                before = _status_counts(conn)
                queued = harness.redis_queue_length(redis_url)
                log(f"  stored before restart: {before}; tasks waiting in Redis: {queued}")
                processes.append(harness.start_worker(stack, concurrency=args.p3_worker_concurrency))
                processes.append(harness.start_beat(stack))
                started = time.monotonic()
                drained_at: float | None = None
                deadline = started + args.p3_drain_timeout
                while time.monotonic() < deadline:
                    counts = _status_counts(conn)
                    elapsed = time.monotonic() - started
                    timeline.append({"t_s": round(elapsed, 1), **counts})
                    if counts.get("pending", 0) == 0:
                        drained_at = elapsed
                        break
                    if not processes[-2].alive():
                        raise RuntimeError(f"worker died:\n{processes[-2].log_text()[-3000:]}")
                    if len(timeline) % 10 == 0:
                        log(f"  {elapsed:5.0f} s: {counts}")
                    time.sleep(1.0)
                after = _status_counts(conn)
            log(f"  drained in {f'{drained_at:.1f}' if drained_at is not None else 'NOT'} s: {after}")
            # Let the tasks queued by processing (receipts) settle before counting reports.
            time.sleep(3)
            counts = stack.probe("counts")
            stored_ids = set(stack.probe("inbound-ids"))
            worker_log = processes[-2].log_text()
    finally:
        harness.stop_all(processes)
        harness.redis_flush(redis_url)
        if not args.keep:
            harness.pg_drop(DB_NAME)

    accepted = set(spike.ok_ids)
    lost = len(accepted - stored_ids)
    unexpected = len(stored_ids - set(sids))
    processed = counts["inbound_by_status"].get("processed", 0)
    failed = counts["inbound_by_status"].get("failed", 0)
    drain_rate = processed / drained_at if drained_at else 0.0
    # Worker start-up is paid once; the projection adds it to 10,000 at the steady rate.
    first = next((p for p in timeline if p.get("processed", 0) > 0), None)
    startup = first["t_s"] if first else 0.0
    steady_rate = (
        (processed - first.get("processed", 0)) / (drained_at - startup)
        if first and drained_at and drained_at > startup
        else drain_rate
    )
    projected = startup + TARGET_COUNT / steady_rate if steady_rate else float("inf")
    errors_in_log = worker_log.count("Traceback")
    checks = [
        {"check": "spike non-2xx", "value": str(spike.non_2xx), "goal": "0", "pass": spike.non_2xx == 0},
        {
            "check": "stored before workers restart (pending)",
            "value": f"{before.get('pending', 0)} of {spike.ok} accepted",
            "goal": "all",
            "pass": before.get("pending", 0) == spike.ok,
        },
        {
            "check": "lost: accepted MessageSid not stored",
            "value": str(lost),
            "goal": "0",
            "pass": lost == 0,
        },
        {
            "check": "duplicated: rows vs distinct ids, unknown ids",
            "value": f"{counts['inbound_total']} rows, {counts['inbound_distinct_ids']} distinct, {unexpected} unknown",
            "goal": "equal, 0",
            "pass": counts["inbound_total"] == counts["inbound_distinct_ids"] == len(accepted) and unexpected == 0,
        },
        {
            "check": "processed == accepted (failed)",
            "value": f"{processed} == {len(accepted)} (failed {failed})",
            "goal": "equal, 0 failed",
            "pass": processed == len(accepted) and failed == 0,
        },
        {
            "check": "SMS reports == accepted (one sender each)",
            "value": f"{counts['sms_reports']} reports, {counts['sms_report_messages']} messages in them, "
            f"{counts['sms_reports_duplicate_senders']} senders with 2+ reports",
            "goal": "equal, 0",
            "pass": counts["sms_reports"] == counts["sms_report_messages"] == len(accepted)
            and counts["sms_reports_duplicate_senders"] == 0,
        },
        {
            "check": f"backlog drain time ({count} messages)",
            "value": f"{drained_at:.0f} s ({drain_rate:.1f} msg/s)" if drained_at else "did not drain",
            "goal": f"< {TARGET_DRAIN_S * count / TARGET_COUNT:.0f} s (scaled)",
            "pass": drained_at is not None and drained_at < TARGET_DRAIN_S * count / TARGET_COUNT,
        },
        {
            "check": f"drain time projected to {TARGET_COUNT} messages",
            "value": f"{projected:.0f} s (start-up {startup:.0f} s, then {steady_rate:.1f} msg/s)",
            "goal": f"< {TARGET_DRAIN_S:.0f} s",
            "pass": projected < TARGET_DRAIN_S,
        },
    ]
    return {
        "target": "P3",
        "config": {"count": count, "seconds": seconds, "rate": rate, "worker_concurrency": args.p3_worker_concurrency},
        "checks": checks,
        "runs": [spike.summary()],
        "before_restart": before,
        "redis_tasks_before_restart": queued,
        "timeline": timeline,
        "counts": counts,
        "worker_tracebacks": errors_in_log,
    }
