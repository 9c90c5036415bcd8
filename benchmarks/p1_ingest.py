"""P1: SMS webhook ingest under gunicorn on PostgreSQL, against the bare one-INSERT view.

1. Maximum throughput, closed loop with K connections, the references and the webhook
   alternated for R rounds, with the asyncio generator and with wrk (a C generator that
   costs the shared cores next to nothing): the ratio of the webhook's median to each
   reference's must be >= 0.5. The references: the bare view inside the project's
   settings (same server, same middleware), and a bare Django project (benchmarks/bare/:
   no app, no middleware, the same one INSERT) under the same gunicorn config.
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
from benchmarks import wrk as p1_wrk
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
    group.add_argument(
        "--p1-loadgen",
        choices=["asyncio", "wrk", "both"],
        default="both",
        help="closed-loop generator(s): the asyncio one, wrk (C, Debian package), or both (default; "
        "asyncio alone when wrk is missing)",
    )
    group.add_argument("--p1-wrk-threads", type=int, default=1, help="wrk threads (its connections: --p1-concurrency)")
    group.add_argument(
        "--p1-wrk-max-rate",
        type=float,
        default=3000.0,
        help="requests prepared per second of a wrk run (each its own MessageSid; more are sent again)",
    )
    group.add_argument(
        "--p1-no-bare",
        action="store_true",
        help="skip the bare Django project baseline (benchmarks/bare/: no middleware, one INSERT)",
    )
    group.add_argument(
        "--p1-handoff",
        choices=["list", "task"],
        default=None,
        help="INBOUND_HANDOFF for the server (default: the settings' choice, list with Redis); "
        "task = one Celery publish per SMS, to measure the difference",
    )
    group.add_argument("--worker", action="store_true", help="run a Celery worker beside the server (P1, P2)")
    group.add_argument("--web-workers", type=int, default=2, help="gunicorn workers")
    group.add_argument("--web-threads", type=int, default=2, help="gunicorn threads per worker")
    group.add_argument(
        "--p1-provider",
        choices=["twilio", "android"],
        default="twilio",
        help="which webhook to load (p1a is p1 with --p1-provider android)",
    )


# The references and the target, in the order each round runs them.
BARE, BASELINE, WEBHOOK = "bare", "baseline", "webhook"
REFERENCES = {BARE: "bare Django project", BASELINE: "bare view in the project"}


def run(args: argparse.Namespace) -> dict[str, Any]:
    rounds = args.p1_rounds or (2 if args.quick else 3)
    window = args.p1_window or (8.0 if args.quick else 20.0)
    steady = args.p1_steady or (15.0 if args.quick else 60.0)
    concurrency = args.p1_concurrency
    loadgens = ["asyncio", "wrk"] if args.p1_loadgen == "both" else [args.p1_loadgen]
    if "wrk" in loadgens and p1_wrk.WRK is None:
        if args.p1_loadgen == "wrk":
            raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
        log("P1: wrk not installed, the asyncio generator only")
        loadgens = ["asyncio"]
    with_bare = not args.p1_no_bare
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
            if getattr(args, "p1_handoff", None):
                extra["INBOUND_HANDOFF"] = args.p1_handoff
            stack = Stack("P1", database_url, redis_url, var_dir, harness.free_port(), extra_env=extra)
            stack.prepare()
            processes.append(harness.start_gunicorn(stack, workers=args.web_workers, threads=args.web_threads))
            urls = {BASELINE: stack.base_url, WEBHOOK: stack.base_url}
            if with_bare:
                # The bare project: its own gunicorn (same config file, same sizes) on its
                # own port, idle while the others are measured.
                bare_port = harness.free_port()
                processes.append(
                    harness.start_gunicorn(
                        stack,
                        workers=args.web_workers,
                        threads=args.web_threads,
                        settings_module="benchmarks.bare.settings",
                        app="benchmarks.bare.wsgi",
                        port=bare_port,
                    )
                )
                urls[BARE] = f"http://127.0.0.1:{bare_port}"
            if args.worker:
                processes.append(harness.start_worker(stack))
            if android:
                target = AndroidSmsFactory(signing_key=signing_key, path=ANDROID_PATH, first_sender=0)
                baseline = AndroidSmsFactory(
                    signing_key=signing_key, path=ANDROID_BASELINE_PATH, first_sender=5_000_000
                )
                bare = AndroidSmsFactory(signing_key=signing_key, path=ANDROID_BASELINE_PATH, first_sender=7_000_000)
            else:
                target = SmsFactory(token=stack.token, public_base_url=stack.base_url, path=SMS_PATH, first_sender=0)
                baseline = SmsFactory(
                    token=stack.token,
                    public_base_url=stack.base_url,
                    path=BASELINE_PATH,
                    sign_path=SMS_PATH,
                    first_sender=5_000_000,
                )
                bare = SmsFactory(
                    token=stack.token,
                    public_base_url=stack.base_url,
                    path=BASELINE_PATH,
                    sign_path=SMS_PATH,
                    first_sender=7_000_000,
                )
            factories: dict[str, Any] = {BARE: bare, BASELINE: baseline, WEBHOOK: target}
            if not with_bare:
                del factories[BARE]
            runs: list[Any] = []

            def closed(name: str, loadgen: str, seconds: float) -> Any:
                if loadgen == "wrk":
                    requests = [factories[name]() for _ in range(int(seconds * args.p1_wrk_max_rate) + 1)]
                    return p1_wrk.run(
                        f"{name}-wrk",
                        urls[name],
                        requests,
                        var_dir,
                        connections=concurrency,
                        threads=args.p1_wrk_threads,
                        seconds=seconds,
                    )
                return asyncio.run(closed_loop(name, urls[name], factories[name], concurrency, seconds))

            log(
                f"P1: warm-up, then {rounds} alternated rounds of {window:.0f} s at {concurrency} connections "
                f"({', '.join(loadgens)}; {', '.join(factories)})"
            )
            for name in factories:
                result = closed(name, "asyncio", 3.0)
                result.name = f"warmup-{name}"
                runs.append(result)
            measured: dict[tuple[str, str], list[Any]] = {(n, g): [] for n in factories for g in loadgens}
            for round_no in range(1, rounds + 1):
                for loadgen in loadgens:
                    for name in factories:
                        result = closed(name, loadgen, window)
                        result.name = f"{name}-{loadgen}-max-r{round_no}"
                        measured[(name, loadgen)].append(result)
                        runs.append(result)
                        log(
                            f"  round {round_no} {loadgen:7s} {name:8s}: {result.throughput:7.1f} req/s, "
                            f"p99 {result.percentile(99):6.1f} ms, non-2xx {result.non_2xx}"
                        )

            log(f"P1: steady {args.p1_rate:.0f} req/s for {steady:.0f} s (open loop), each in turn")
            steady_runs: dict[str, Result] = {}
            count = int(args.p1_rate * steady)
            for name, factory in factories.items():
                requests, sids = factory.batch(count)
                result = asyncio.run(open_loop(f"{name}-steady", urls[name], requests, args.p1_rate, sids))
                steady_runs[name] = result
                runs.append(result)
                log(f"  steady {name:8s}: p50 {result.percentile(50):.1f} ms, p99 {result.percentile(99):.1f} ms")

            counts = stack.probe("counts")
    finally:
        harness.stop_all(processes)
        harness.redis_flush(redis_url)
        if not args.keep:
            harness.pg_drop(DB_NAME)

    checks = []
    ratios: dict[str, float] = {}
    for loadgen in loadgens:
        hook_tp = statistics.median(r.throughput for r in measured[(WEBHOOK, loadgen)])
        for ref in (BARE, BASELINE):
            if ref not in factories:
                continue
            ref_tp = statistics.median(r.throughput for r in measured[(ref, loadgen)])
            ratio = hook_tp / ref_tp if ref_tp else 0.0
            ratios[f"{loadgen}/{ref}"] = round(ratio, 3)
            checks.append(
                {
                    "check": f"throughput ratio webhook / {REFERENCES[ref]}, {loadgen} (median of rounds)",
                    "value": f"{ratio:.2f} ({hook_tp:.0f} / {ref_tp:.0f} req/s)",
                    "goal": ">= 0.50",
                    "pass": ratio >= 0.5,
                }
            )
    hook_runs = [r for r in runs if r.name.startswith((WEBHOOK, f"warmup-{WEBHOOK}"))]
    ref_runs = [r for r in runs if not r.name.startswith((WEBHOOK, f"warmup-{WEBHOOK}"))]
    wrk_hook_runs = [r for r in hook_runs if r.mode == "wrk"]
    wrk_ref_runs = [r for r in ref_runs if r.mode == "wrk"]
    hook_ok = sum(r.ok for r in hook_runs)
    ref_ok = sum(r.ok for r in ref_runs)
    hook_non2xx = sum(r.non_2xx + getattr(r, "socket_errors", 0) for r in hook_runs)
    wrapped = [r.name for r in wrk_hook_runs if r.wrapped]
    # wrk counts the answers it read: a request in flight when its clock stopped may be
    # stored without being counted, at most one per connection and run.
    hook_slack = concurrency * len(wrk_hook_runs)
    ref_slack = concurrency * len(wrk_ref_runs)
    p99 = steady_runs[WEBHOOK].percentile(99)
    stored = counts["inbound_total"]
    resent = f"; wrk sent prepared requests again: {', '.join(wrapped)}" if wrapped else ""
    checks += [
        {
            "check": f"webhook p99 at steady {args.p1_rate:.0f} req/s (open loop)",
            "value": f"{p99:.1f} ms ("
            + ", ".join(f"{n} {steady_runs[n].percentile(99):.1f} ms" for n in factories if n != WEBHOOK)
            + ")",
            "goal": "< 250 ms",
            "pass": p99 < 250,
        },
        {"check": "webhook non-2xx (all runs)", "value": str(hook_non2xx), "goal": "0", "pass": hook_non2xx == 0},
        {
            "check": "reconcile: webhook 2xx == InboundMessage rows (wrk: + in flight at its stop)",
            "value": f"{hook_ok} <= {stored} <= {hook_ok + hook_slack} (distinct ids "
            f"{counts['inbound_distinct_ids']}{resent})",
            "goal": "equal",
            "pass": hook_ok <= stored <= hook_ok + hook_slack
            and stored == counts["inbound_distinct_ids"]
            and not wrapped,
        },
        {
            "check": "reconcile: references' 2xx == bench_baseline rows (wrk: + in flight)",
            "value": f"{ref_ok} <= {counts['baseline_rows']} <= {ref_ok + ref_slack}",
            "goal": "equal",
            "pass": ref_ok <= (counts["baseline_rows"] or 0) <= ref_ok + ref_slack,
        },
    ]
    return {
        "target": "P1 (Android gateway webhook)" if android else "P1",
        "config": {
            "rounds": rounds,
            "window_s": window,
            "concurrency": concurrency,
            "loadgens": loadgens,
            "references": [REFERENCES[n] for n in factories if n != WEBHOOK],
            "steady_rate": args.p1_rate,
            "steady_s": steady,
            "worker": args.worker,
            "gunicorn": f"-c veille/gunicorn.conf.py, {args.web_workers} workers x {args.web_threads} threads",
        },
        "ratios": ratios,
        "checks": checks,
        "runs": [r.summary() for r in runs],
        "counts": counts,
    }
