"""P4: a report accepted, its first relay notification handed to the SMS provider.

Gunicorn, a Celery worker (concurrency 2, as in docker-compose.yml) and beat on
PostgreSQL + Redis, with the Mopti deployment's relays loaded. SMS reports arrive open
loop at 50/s, each from its own sender and naming a place in the region; for each one the
clock runs from the moment its webhook answered 2xx (the report is accepted) to the
moment the worker handed the first relay notice quoting its reference to the SMS backend
(``OutboundMessage.sent_at``, stamped when the backend's ``send`` returned). Target: p95
under 2 s.

The reference, alternated with the target in the same run, is the shortest possible
path: a bare view that does one INSERT and enqueues a bare task that hands one SMS to the
same backend (benchmarks/baseline/). Both run through the same server, broker and worker.

The backend is the in-memory one: the provider's own HTTP round trip (Twilio's API, some
hundreds of milliseconds from Bamako) is not part of what the platform controls. The send
rate is set to what a short code allows (``--p4-send-rate``, default 100/s), since at 50
reports/s the notices alone need more than a long code's 1/s.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from benchmarks import harness
from benchmarks.harness import ROOT, SMS_PATH, Stack, log
from benchmarks.loadgen import Result, open_loop, percentile
from benchmarks.workload import SmsFactory

DB_NAME = "veille_bench_p4"
NOTIFY_BASELINE_PATH = "/channels/bench-baseline/notify/"
TARGET_P95_MS = 2000.0
# The worker's CPU per report (processing, receipt, notices, beat): held here and by
# ``benchmarks/run.py cost`` (benchmarks/cost.py), so later work keeps it.
CPU_BUDGET_MS = 20.0
DEPLOYMENT_CSV = ROOT / "focal_points" / "fixtures" / "deployment_mopti.csv"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("P4")
    group.add_argument("--p4-rate", type=float, default=50.0, help="reports per second (open loop)")
    group.add_argument("--p4-seconds", type=float, default=None, help="seconds per run (quick 20, full 60)")
    group.add_argument(
        "--p4-rounds", type=int, default=None, help="alternated baseline/target rounds (quick 1, full 2)"
    )
    group.add_argument("--p4-send-rate", type=float, default=100.0, help="SMS_SEND_RATE_PER_SECOND for the run")
    group.add_argument("--p4-worker-concurrency", type=int, default=2)
    group.add_argument("--p4-settle-timeout", type=float, default=300.0)


def _settle(stack: Stack, done: Any, timeout: float, what: str) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        progress = stack.probe("p4-progress")
        if done(progress):
            return time.monotonic() - started
        time.sleep(1.0)
    log(f"  {what} did not settle in {timeout:.0f} s: {progress}")
    return None


def _latencies(result: Result, handed: dict[str, float | None]) -> tuple[list[float], int]:
    """Accepted-to-handed latency (ms) per accepted request, and how many were never handed."""
    latencies, missing = [], 0
    for request_id, accepted in result.accepted_at.items():
        at = handed.get(request_id)
        if at is None:
            missing += 1
        else:
            latencies.append((at - accepted) * 1000)
    return latencies, missing


def _summary(name: str, latencies: list[float], missing: int) -> dict[str, Any]:
    return {
        "name": name,
        "handed": len(latencies),
        "never_handed": missing,
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies), 1) if latencies else None,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    seconds = args.p4_seconds or (20.0 if args.quick else 60.0)
    rounds = args.p4_rounds or (1 if args.quick else 2)
    rate = args.p4_rate
    count = int(rate * seconds)
    redis_url = f"{harness.REDIS_BASE_URL}/{harness.REDIS_DB}"
    database_url = harness.pg_database(DB_NAME)
    harness.redis_flush(redis_url)
    processes: list[harness.Process] = []
    baseline_runs: list[Result] = []
    target_runs: list[Result] = []
    settle_times: list[dict[str, Any]] = []
    worker_cpu = 0.0  # CPU seconds the worker spent on the Veille runs (beat included)
    try:
        with harness.temp_dir("veille-bench-p4-", keep=args.keep) as var_dir:
            stack = Stack("P4", database_url, redis_url, var_dir, harness.free_port())
            stack.extra_env["SMS_SEND_RATE_PER_SECOND"] = str(args.p4_send_rate)
            stack.prepare()
            stack.manage("import_members", str(DEPLOYMENT_CSV))
            processes.append(harness.start_gunicorn(stack))
            processes.append(harness.start_worker(stack, concurrency=args.p4_worker_concurrency))
            processes.append(harness.start_beat(stack))
            target = SmsFactory(token=stack.token, public_base_url=stack.base_url, path=SMS_PATH, first_sender=0)
            baseline = SmsFactory(
                token=stack.token,
                public_base_url=stack.base_url,
                path=NOTIFY_BASELINE_PATH,
                sign_path=SMS_PATH,
                first_sender=5_000_000,
            )
            # Warm-up: imports, connections, the place index, both paths, then settle.
            for factory in (baseline, target):
                requests, ids = factory.batch(20)
                asyncio.run(open_loop("warm-up", stack.base_url, requests, 10.0, ids))
            _settle(
                stack,
                lambda p: p["inbound_pending"] == 0 and p["notices_waiting"] == 0 and p["baseline_handed"] == 20,
                120,
                "warm-up",
            )
            for round_number in range(1, rounds + 1):
                requests, ids = baseline.batch(count)
                log(f"P4 round {round_number}: baseline, {count} at {rate:.0f}/s")
                result = asyncio.run(open_loop(f"baseline {round_number}", stack.base_url, requests, rate, ids))
                baseline_runs.append(result)
                waited = _settle(
                    stack,
                    lambda p: p["baseline_handed"] == p["baseline_rows"],
                    args.p4_settle_timeout,
                    "baseline",
                )
                settle_times.append({"run": result.name, "settled_after_s": waited})
                requests, ids = target.batch(count)
                log(f"P4 round {round_number}: Veille, {count} SMS reports at {rate:.0f}/s")
                cpu_before = harness.group_cpu_seconds(processes[1].proc.pid)
                result = asyncio.run(open_loop(f"veille {round_number}", stack.base_url, requests, rate, ids))
                target_runs.append(result)
                waited = _settle(
                    stack,
                    lambda p: p["inbound_pending"] == 0 and p["notices_waiting"] == 0,
                    args.p4_settle_timeout,
                    "Veille",
                )
                worker_cpu += harness.group_cpu_seconds(processes[1].proc.pid) - cpu_before
                settle_times.append({"run": result.name, "settled_after_s": waited})
                log(f"  settled {waited} s after the last request")
            veille_handed = stack.probe("p4-veille")
            baseline_handed = stack.probe("p4-baseline")
            progress = stack.probe("p4-progress")
            worker_log = processes[1].log_text()
    finally:
        harness.stop_all(processes)
        harness.redis_flush(redis_url)
        if not args.keep:
            harness.pg_drop(DB_NAME)

    runs: list[dict[str, Any]] = []
    all_target: list[float] = []
    all_baseline: list[float] = []
    target_missing = 0
    for result in baseline_runs:
        latencies, missing = _latencies(result, baseline_handed["handed"])
        all_baseline += latencies
        runs.append({**result.summary(), "pipeline": _summary(result.name, latencies, missing)})
    for result in target_runs:
        latencies, missing = _latencies(result, veille_handed["handed"])
        all_target += latencies
        target_missing += missing
        runs.append({**result.summary(), "pipeline": _summary(result.name, latencies, missing)})
    accepted = sum(r.ok for r in target_runs)
    non_2xx = sum(r.non_2xx for r in [*target_runs, *baseline_runs])
    # Sustained pipeline throughput: reports whose notice was handed, per second from the
    # first acceptance to the last hand-off of each run.
    spans = []
    for result in target_runs:
        handed_times = [veille_handed["handed"].get(i) for i in result.accepted_at]
        handed_times = [t for t in handed_times if t is not None]
        if handed_times:
            spans.append((len(handed_times), max(handed_times) - min(result.accepted_at.values())))
    throughput = sum(n for n, _ in spans) / sum(span for _, span in spans) if spans else 0.0
    cpu_per_report_ms = worker_cpu / accepted * 1000 if accepted else 0.0
    p95_target = percentile(all_target, 95)
    p95_baseline = percentile(all_baseline, 95)
    checks = [
        {"check": "webhook non-2xx (both paths)", "value": str(non_2xx), "goal": "0", "pass": non_2xx == 0},
        {
            "check": "accepted reports whose relays were notified",
            "value": f"{accepted - target_missing} of {accepted}",
            "goal": "all",
            "pass": target_missing == 0 and accepted == len(target_runs) * count,
        },
        {
            "check": "accepted -> first relay notice handed, p50 / p95 / p99",
            "value": f"{percentile(all_target, 50):.0f} / {p95_target:.0f} / {percentile(all_target, 99):.0f} ms",
            "goal": f"p95 < {TARGET_P95_MS:.0f} ms",
            "pass": p95_target < TARGET_P95_MS,
        },
        {
            "check": "pipeline throughput (reports notified per second)",
            "value": f"{throughput:.1f}/s for {rate:g}/s offered",
            "goal": f">= {rate:g}/s to keep up",
            "pass": None,
        },
        {
            "check": "worker CPU per report (process, receipt, notices, beat)",
            "value": f"{cpu_per_report_ms:.0f} ms: {cpu_per_report_ms * rate / 1000:.1f} cores at {rate:g}/s",
            "goal": f"<= {CPU_BUDGET_MS:.0f} ms",
            "pass": cpu_per_report_ms <= CPU_BUDGET_MS,
        },
        {
            "check": "baseline (insert + bare task + send), p50 / p95 / p99",
            "value": f"{percentile(all_baseline, 50):.0f} / {p95_baseline:.0f} / {percentile(all_baseline, 99):.0f} ms",
            "goal": "reference",
            "pass": None,
        },
        {
            "check": "p95 ratio Veille / baseline",
            "value": f"{p95_target / p95_baseline:.1f}" if p95_baseline else "n/a",
            "goal": "information",
            "pass": None,
        },
        harness.tracebacks_check(worker_log),
    ]
    return {
        "target": "P4",
        "config": {
            "rate": rate,
            "seconds": seconds,
            "rounds": rounds,
            "send_rate": args.p4_send_rate,
            "worker_concurrency": args.p4_worker_concurrency,
        },
        "checks": checks,
        "runs": runs,
        "settle": settle_times,
        "notices_sent": veille_handed["notices_sent"],
        "reports": veille_handed["reports"],
        "final_progress": progress,
    }
