"""P1: SMS webhook ingest under gunicorn on PostgreSQL, against the bare one-INSERT view.

1. Maximum throughput, closed loop with K connections, baseline and webhook alternated
   for R rounds in the same server: the ratio of the medians must be >= 0.5.
2. A steady 100 requests/s, open loop, baseline then webhook: the webhook's p99 must be
   under 250 ms with zero non-2xx.
3. Reconciliation: every 2xx of the webhook is one stored InboundMessage, every 2xx of
   the baseline one row of bench_baseline.

By default no Celery worker runs: ingest is "store and enqueue", and the messages wait
in Redis. ``--worker`` runs one beside the server (the worker then takes CPU from it).
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
from typing import Any

from benchmarks import harness
from benchmarks.harness import BASELINE_PATH, SMS_PATH, Stack, log
from benchmarks.loadgen import Result, closed_loop, open_loop
from benchmarks.workload import AndroidSmsFactory, SmsFactory

DB_NAME = "veille_bench_p1"
ANDROID_PATH = "/channels/android/webhook/"
ANDROID_BASELINE_PATH = "/channels/bench-baseline/android/"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("P1")
    group.add_argument("--p1-rounds", type=int, default=None, help="alternated rounds (quick 2, full 3)")
    group.add_argument("--p1-window", type=float, default=None, help="seconds per closed-loop run (quick 8, full 20)")
    group.add_argument("--p1-concurrency", type=int, default=8, help="connections in the closed loop")
    group.add_argument("--p1-rate", type=float, default=100.0, help="steady open-loop rate (req/s)")
    group.add_argument("--p1-steady", type=float, default=None, help="seconds of steady load (quick 15, full 60)")
    group.add_argument("--worker", action="store_true", help="run a Celery worker beside the server (P1, P2)")
    group.add_argument("--web-workers", type=int, default=2, help="gunicorn workers")
    group.add_argument("--web-threads", type=int, default=2, help="gunicorn threads per worker")
    group.add_argument(
        "--p1-provider",
        choices=["twilio", "android"],
        default="twilio",
        help="which webhook to load (p1a is p1 with --p1-provider android)",
    )


def run(args: argparse.Namespace) -> dict[str, Any]:
    rounds = args.p1_rounds or (2 if args.quick else 3)
    window = args.p1_window or (8.0 if args.quick else 20.0)
    steady = args.p1_steady or (15.0 if args.quick else 60.0)
    concurrency = args.p1_concurrency
    redis_url = f"{harness.REDIS_BASE_URL}/{harness.REDIS_DB}"
    database_url = harness.pg_database(DB_NAME)
    harness.redis_flush(redis_url)
    processes: list[harness.Process] = []
    try:
        with harness.temp_dir("veille-bench-p1-", keep=args.keep) as var_dir:
            android = getattr(args, "p1_provider", "twilio") == "android"
            signing_key = secrets.token_hex(16)
            extra = (
                {
                    "SMS_PROVIDERS": "twilio,android",
                    "ANDROID_GATEWAY_SIGNING_KEY": signing_key,
                    "ANDROID_GATEWAY_URL": "http://127.0.0.1:9",
                    "ANDROID_GATEWAY_PASSWORD": "bench",
                }
                if android
                else {}
            )
            stack = Stack("P1", database_url, redis_url, var_dir, harness.free_port(), extra_env=extra)
            stack.prepare()
            processes.append(harness.start_gunicorn(stack, workers=args.web_workers, threads=args.web_threads))
            if args.worker:
                processes.append(harness.start_worker(stack))
            if android:
                target = AndroidSmsFactory(signing_key=signing_key, path=ANDROID_PATH, first_sender=0)
                baseline = AndroidSmsFactory(
                    signing_key=signing_key, path=ANDROID_BASELINE_PATH, first_sender=5_000_000
                )
            else:
                target = SmsFactory(token=stack.token, public_base_url=stack.base_url, path=SMS_PATH, first_sender=0)
                baseline = SmsFactory(
                    token=stack.token,
                    public_base_url=stack.base_url,
                    path=BASELINE_PATH,
                    sign_path=SMS_PATH,
                    first_sender=5_000_000,
                )
            factories = {"baseline": baseline, "webhook": target}
            runs: list[Result] = []

            log(f"P1: warm-up, then {rounds} alternated rounds of {window:.0f} s at {concurrency} connections")
            for name, factory in factories.items():
                runs.append(asyncio.run(closed_loop(f"warmup-{name}", stack.base_url, factory, concurrency, 3.0)))
            closed: dict[str, list[Result]] = {"baseline": [], "webhook": []}
            for round_no in range(1, rounds + 1):
                for name, factory in factories.items():
                    result = asyncio.run(
                        closed_loop(f"{name}-max-r{round_no}", stack.base_url, factory, concurrency, window)
                    )
                    closed[name].append(result)
                    runs.append(result)
                    log(f"  round {round_no} {name:8s}: {result.throughput:7.1f} req/s, non-2xx {result.non_2xx}")

            log(f"P1: steady {args.p1_rate:.0f} req/s for {steady:.0f} s, baseline then webhook")
            steady_runs: dict[str, Result] = {}
            count = int(args.p1_rate * steady)
            for name, factory in factories.items():
                requests, sids = factory.batch(count)
                result = asyncio.run(open_loop(f"{name}-steady", stack.base_url, requests, args.p1_rate, sids))
                steady_runs[name] = result
                runs.append(result)
                log(f"  steady {name:8s}: p50 {result.percentile(50):.1f} ms, p99 {result.percentile(99):.1f} ms")

            counts = stack.probe("counts")
    finally:
        harness.stop_all(processes)
        harness.redis_flush(redis_url)
        if not args.keep:
            harness.pg_drop(DB_NAME)

    base_tp = statistics.median(r.throughput for r in closed["baseline"])
    hook_tp = statistics.median(r.throughput for r in closed["webhook"])
    ratio = hook_tp / base_tp if base_tp else 0.0
    hook_runs = [r for r in runs if r.name.startswith(("webhook", "warmup-webhook"))]
    base_runs = [r for r in runs if r.name.startswith(("baseline", "warmup-baseline"))]
    hook_ok = sum(r.ok for r in hook_runs)
    base_ok = sum(r.ok for r in base_runs)
    hook_non2xx = sum(r.non_2xx for r in hook_runs)
    p99 = steady_runs["webhook"].percentile(99)
    checks = [
        {
            "check": "throughput ratio webhook/baseline (median of rounds)",
            "value": f"{ratio:.2f} ({hook_tp:.0f} / {base_tp:.0f} req/s)",
            "goal": ">= 0.50",
            "pass": ratio >= 0.5,
        },
        {
            "check": f"webhook p99 at steady {args.p1_rate:.0f} req/s",
            "value": f"{p99:.1f} ms (baseline {steady_runs['baseline'].percentile(99):.1f} ms)",
            "goal": "< 250 ms",
            "pass": p99 < 250,
        },
        {"check": "webhook non-2xx (all runs)", "value": str(hook_non2xx), "goal": "0", "pass": hook_non2xx == 0},
        {
            "check": "reconcile: webhook 2xx == InboundMessage rows",
            "value": f"{hook_ok} == {counts['inbound_total']} (distinct ids {counts['inbound_distinct_ids']})",
            "goal": "equal",
            "pass": hook_ok == counts["inbound_total"] == counts["inbound_distinct_ids"],
        },
        {
            "check": "reconcile: baseline 2xx == bench_baseline rows",
            "value": f"{base_ok} == {counts['baseline_rows']}",
            "goal": "equal",
            "pass": base_ok == counts["baseline_rows"],
        },
    ]
    return {
        "target": "P1 (Android gateway webhook)" if android else "P1",
        "config": {
            "rounds": rounds,
            "window_s": window,
            "concurrency": concurrency,
            "steady_rate": args.p1_rate,
            "steady_s": steady,
            "worker": args.worker,
            "gunicorn": f"-c veille/gunicorn.conf.py, {args.web_workers} workers x {args.web_threads} threads",
        },
        "checks": checks,
        "runs": [r.summary() for r in runs],
        "counts": counts,
    }
