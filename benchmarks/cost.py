"""The worker's CPU per report, and how it scales from one worker process to two.

PostgreSQL + Redis, the Mopti deployment loaded, gunicorn up and no worker: N SMS reports
are posted first (they wait, stored and queued), then a worker starts and drains them.
The CPU clock (``/proc``, the worker's whole process group) starts once the first few
reports are processed, so the worker's own start-up is left out, and stops when every
report is processed and every SMS it caused (receipt, relay notices) is handed to the
backend. CPU per report = that CPU / the reports processed in between.

Modes (``--cost-modes``, each its own fresh database):

- ``solo``: one worker process (``--pool=solo``), send rate ``--cost-send-rate`` (1,000/s:
  the pace never waits), the figure the 20 ms budget is held against.
- ``duo``: two worker processes (prefork, concurrency 2), same rate: the drain rate
  against ``solo`` is the scale-out measure.
- ``p4``: the P4 set-up: prefork 2, beat, send rate ``--cost-paced-rate`` (100/s) under a
  demand of three SMS per report, so messages wait for their pacing slots; also checks
  that no 1 s window holds more sends than the rate (+1), across both processes.

Exit code 1 when a mode's CPU per report is above ``--cost-budget-ms`` (20). With
``--cost-profile`` one more solo run goes under cProfile (``profile`` mode: its CPU figure
carries the profiler's overhead, about double, and is not held to the budget); its top
entries are printed and the ``.prof`` file is written to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pstats
import time
from pathlib import Path
from typing import Any

from benchmarks import harness
from benchmarks.harness import ROOT, SMS_PATH, Stack, log
from benchmarks.loadgen import open_loop
from benchmarks.workload import SmsFactory

DB_NAME = "veille_bench_cost"
DEPLOYMENT_CSV = ROOT / "focal_points" / "fixtures" / "deployment_mopti.csv"
RESULTS_DIR = Path(__file__).resolve().parent / "results"
# The clock starts once this many reports are processed: the worker is up and warm.
# Progress is polled every 0.1 s and a drain commits its messages one by one, so the
# poll that first sees WARM usually sees a few more (5 to 17 of a 300 run): "reports" in
# the summary is what was processed between the two CPU readings, not the count posted.
WARM = 5


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("cost (worker CPU per report)")
    group.add_argument("--cost-count", type=int, default=None, help="reports queued first (quick 300, full 1000)")
    group.add_argument("--cost-modes", default="solo,duo,p4", help="comma-separated: solo, duo, p4")
    group.add_argument("--cost-send-rate", type=float, default=1000.0, help="send rate for solo and duo")
    group.add_argument("--cost-paced-rate", type=float, default=100.0, help="send rate for the p4 mode")
    group.add_argument("--cost-budget-ms", type=float, default=20.0, help="CPU per report allowed")
    group.add_argument(
        "--cost-profile", action="store_true", help="one more solo run, under cProfile (not held to the budget)"
    )
    group.add_argument("--cost-timeout", type=float, default=600.0)


def _progress(database_url: str) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        pending, processed = conn.execute(
            "SELECT COUNT(*) FILTER (WHERE status = 'pending'), COUNT(*) FILTER (WHERE status = 'processed') "
            "FROM messaging_inboundmessage"
        ).fetchone()
        waiting, handed = conn.execute(
            "SELECT COUNT(*) FILTER (WHERE status IN ('queued', 'sending')), "
            "COUNT(*) FILTER (WHERE sent_at IS NOT NULL) FROM messaging_outboundmessage"
        ).fetchone()
    return {"pending": pending, "processed": processed, "waiting": waiting, "handed": handed}


def _max_per_second(database_url: str) -> int:
    """The most sends whose ``sent_at`` falls in any 1 s window (sliding, to the ms)."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        times = [
            row[0].timestamp()
            for row in conn.execute(
                # Times kept to the minute (messages to reporters) say nothing of the pace.
                "SELECT sent_at FROM messaging_outboundmessage WHERE sent_at IS NOT NULL AND NOT coarse_times "
                "ORDER BY sent_at"
            )
        ]
    best, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= 1.0:
            first += 1
        best = max(best, last - first + 1)
    return best


def _worker_argv(mode: str, profile_path: Path | None, stack: Stack) -> list[str]:
    argv = [harness.PYTHON]
    if profile_path is not None:
        argv += ["-m", "cProfile", "-o", str(profile_path)]
    argv += ["-m", "celery", "-A", "veille", "worker", "--loglevel=WARNING", "-Q", "default"]
    argv += ["--without-mingle", "--without-gossip"]
    if mode in {"solo", "profile"}:
        argv += ["--pool=solo"]
    else:
        argv += ["--pool=prefork", "--concurrency=2"]
    if mode == "p4":
        argv += ["--beat", f"--schedule={stack.var_dir / 'celerybeat-schedule'}"]
    return argv


def _one_mode(mode: str, count: int, args: argparse.Namespace, stamp: str) -> dict[str, Any]:
    rate = args.cost_paced_rate if mode == "p4" else args.cost_send_rate
    redis_url = f"{harness.REDIS_BASE_URL}/{harness.REDIS_DB}"
    database_url = harness.pg_database(DB_NAME)
    harness.redis_flush(redis_url)
    processes: list[harness.Process] = []
    profile_path = RESULTS_DIR / f"cost-{stamp}-{mode}.prof" if mode == "profile" else None
    try:
        with harness.temp_dir(f"veille-bench-cost-{mode}-", keep=args.keep) as var_dir:
            stack = Stack(f"cost {mode}", database_url, redis_url, var_dir, harness.free_port())
            stack.extra_env["SMS_SEND_RATE_PER_SECOND"] = str(rate)
            stack.prepare()
            stack.manage("import_members", str(DEPLOYMENT_CSV))
            processes.append(harness.start_gunicorn(stack))
            factory = SmsFactory(token=stack.token, public_base_url=stack.base_url, path=SMS_PATH, first_sender=0)
            requests, ids = factory.batch(count)
            log(f"cost {mode}: {count} SMS reports posted with no worker running")
            result = asyncio.run(open_loop(f"queue {mode}", stack.base_url, requests, 100.0, ids))
            if result.ok != count:
                raise RuntimeError(
                    f"{count - result.ok} reports not accepted: {result.summary()}; gunicorn log: "
                    f"{(var_dir / 'gunicorn.log').read_text()[-2000:] if (var_dir / 'gunicorn.log').exists() else ''}"
                )
            RESULTS_DIR.mkdir(exist_ok=True)
            worker = harness.Process("worker", _worker_argv(mode, profile_path, stack), stack.env(), var_dir / "w.log")
            processes.append(worker)
            started = time.monotonic()
            cpu0 = done0 = None
            t0 = 0.0
            progress = _progress(database_url)
            while time.monotonic() - started < args.cost_timeout:
                progress = _progress(database_url)
                if cpu0 is None and progress["processed"] >= WARM:
                    cpu0, done0, t0 = (
                        harness.group_cpu_seconds(worker.proc.pid),
                        progress["processed"],
                        time.monotonic(),
                    )
                if cpu0 is not None and progress["pending"] == 0 and progress["waiting"] == 0:
                    break
                time.sleep(0.1)
            else:
                raise RuntimeError(f"the worker did not drain in {args.cost_timeout:.0f} s: {progress}")
            cpu1, t1 = harness.group_cpu_seconds(worker.proc.pid), time.monotonic()
            worker_log = worker.log_text()
            max_window = _max_per_second(database_url)
    finally:
        harness.stop_all(processes)
        harness.redis_flush(redis_url)
        if not args.keep:
            harness.pg_drop(DB_NAME)
    reports = count - done0
    summary = {
        "mode": mode,
        "reports": reports,
        "sms_handed": progress["handed"],
        "cpu_s": round(cpu1 - cpu0, 2),
        "cpu_ms_per_report": round((cpu1 - cpu0) / reports * 1000, 1),
        "wall_s": round(t1 - t0, 2),
        "reports_per_s": round(reports / (t1 - t0), 1),
        "send_rate": rate,
        "max_sends_in_1s": max_window,
        "tracebacks": worker_log.count("Traceback"),
    }
    if profile_path is not None and profile_path.exists():
        summary["profile"] = str(profile_path.relative_to(ROOT))
        print(f"\n-- cProfile of the solo worker ({profile_path.name}), top by cumulative time --")
        pstats.Stats(str(profile_path)).sort_stats("cumulative").print_stats(40)
    log(f"cost {mode}: {summary}")
    return summary


def run(args: argparse.Namespace) -> dict[str, Any]:
    count = args.cost_count or (300 if args.quick else 1000)
    modes = [m.strip() for m in args.cost_modes.split(",") if m.strip()]
    if args.cost_profile and "profile" not in modes:
        modes.append("profile")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    summaries = {mode: _one_mode(mode, count, args, stamp) for mode in modes}
    checks: list[dict[str, Any]] = []
    for mode, s in summaries.items():
        if mode == "profile":  # cProfile's own overhead: a profile, not a measure
            checks.append(
                {
                    "check": "solo worker under cProfile (profile only)",
                    "value": f"{s['cpu_ms_per_report']:.1f} ms, {s.get('profile', '')}",
                    "goal": "information",
                    "pass": None,
                }
            )
            continue
        checks.append(
            {
                "check": f"worker CPU per report, {mode} (receipt and notices included)",
                "value": f"{s['cpu_ms_per_report']:.1f} ms ({s['reports_per_s']:.0f} reports/s drained)",
                "goal": f"<= {args.cost_budget_ms:g} ms",
                "pass": s["cpu_ms_per_report"] <= args.cost_budget_ms,
            }
        )
        checks.append(
            {
                "check": f"sends in any 1 s window, {mode}",
                "value": str(s["max_sends_in_1s"]),
                "goal": f"<= {s['send_rate'] + 1:g}",
                "pass": s["max_sends_in_1s"] <= s["send_rate"] + 1,
            }
        )
        checks.append(
            {
                "check": f"worker tracebacks, {mode}",
                "value": str(s["tracebacks"]),
                "goal": "0",
                "pass": s["tracebacks"] == 0,
            }
        )
    if "solo" in summaries and "duo" in summaries:
        solo, duo = summaries["solo"], summaries["duo"]
        ratio = duo["reports_per_s"] / solo["reports_per_s"] if solo["reports_per_s"] else 0.0
        cores = os.cpu_count() or 1
        checks.append(
            {
                "check": "scale-out: drain rate 2 processes / 1 process",
                "value": f"{ratio:.2f} ({duo['reports_per_s']:.0f} vs {solo['reports_per_s']:.0f}/s, {cores} cores)",
                "goal": "information",
                "pass": None,
            }
        )
        per_core = 1000.0 / duo["cpu_ms_per_report"] if duo["cpu_ms_per_report"] else 0.0
        checks.append(
            {
                "check": "projection: reports/s per spare core given to the worker (1000 / CPU ms)",
                "value": f"{per_core:.0f}/s per core; 50/s needs {50 / per_core:.2f} cores" if per_core else "n/a",
                "goal": "information",
                "pass": None,
            }
        )
    return {
        "target": "COST",
        "config": {
            "count": count,
            "modes": modes,
            "send_rate": args.cost_send_rate,
            "paced_rate": args.cost_paced_rate,
        },
        "checks": checks,
        "modes": summaries,
    }
