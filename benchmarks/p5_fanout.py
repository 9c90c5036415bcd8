"""P5: a community alert fanned out to 1,000 residents, paced, with an urgent alert
jumping ahead of it.

PostgreSQL + Redis, a Celery worker (concurrency 2) and beat, the Mopti deployment, and
1,000 residents subscribed to one commune. The national coordination proposes a warning;
the regional coordinator approves it, which queues one bulk SMS per resident:

1. Queued: the approval call, from its start until every SMS is stored with its event
   and its task is published on Redis, must take under 2 s. The reference is a bare
   fan-out on the same database and broker: one multi-row INSERT and one bare task per
   row (benchmarks/baseline/), timed the same way.
2. Paced: the send times the worker stamps (``OutboundMessage.sent_at``) must never
   exceed the configured rate (``--p5-send-rate``): at most rate + 1 sends in any
   one-second window (the +1 is the window's closing edge: slots start every 1/rate s),
   and the mean rate over the broadcast at or under the rate.
3. Urgent first: once a third of the broadcast is out, an urgent alert SMS is queued as
   ``alerts.services`` queues one (priority 0); it must be handed to the provider within
   2 s while bulk messages are still waiting, with no more bulk messages sent between its
   queueing and its sending than the worker already held (its concurrency, plus one).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from benchmarks import harness
from benchmarks.harness import ROOT, Stack, log

DB_NAME = "veille_bench_p5"
TARGET_QUEUED_S = 2.0
TARGET_URGENT_S = 2.0
DEPLOYMENT_CSV = ROOT / "focal_points" / "fixtures" / "deployment_mopti.csv"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("P5")
    group.add_argument("--p5-recipients", type=int, default=1000)
    group.add_argument("--p5-send-rate", type=float, default=None, help="SMS per second (quick 25, full 10)")
    group.add_argument("--p5-worker-concurrency", type=int, default=2)


def max_in_window(times: list[float], window: float) -> int:
    """The largest number of events inside any half-open window [t, t + window)."""
    ordered = sorted(times)
    best, first = 0, 0
    for last, at in enumerate(ordered):
        while ordered[first] <= at - window:
            first += 1
        best = max(best, last - first + 1)
    return best


def _wait(stack: Stack, done: Any, timeout: float) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    progress = stack.probe("p5-progress")
    while not done(progress) and time.monotonic() < deadline:
        time.sleep(0.5)
        progress = stack.probe("p5-progress")
    return progress


def run(args: argparse.Namespace) -> dict[str, Any]:
    recipients = args.p5_recipients
    rate = args.p5_send_rate or (25.0 if args.quick else 10.0)
    redis_url = f"{harness.REDIS_BASE_URL}/{harness.REDIS_DB}"
    database_url = harness.pg_database(DB_NAME)
    harness.redis_flush(redis_url)
    processes: list[harness.Process] = []
    try:
        with harness.temp_dir("veille-bench-p5-", keep=args.keep) as var_dir:
            stack = Stack("P5", database_url, redis_url, var_dir, harness.free_port())
            stack.extra_env["SMS_SEND_RATE_PER_SECOND"] = str(rate)
            stack.prepare()
            stack.manage("import_members", str(DEPLOYMENT_CSV))
            setup = stack.probe("p5-setup", str(recipients))
            # The reference fan-out first, with no worker: its tasks are then dropped.
            baseline = stack.probe("p5-baseline", str(recipients))
            dropped = harness.redis_purge_queue(redis_url)
            log(f"P5: baseline fan-out of {baseline['rows']} queued in {baseline['queued_s']:.3f} s ({dropped} keys)")
            processes.append(harness.start_worker(stack, concurrency=args.p5_worker_concurrency))
            processes.append(harness.start_beat(stack))
            time.sleep(8)  # worker start-up: imports and broker connection
            approval = stack.probe("p5-approve", str(setup["alert_id"]))
            log(f"P5: {approval['recipients']} SMS queued in {approval['queued_s']:.3f} s; sending at {rate:g}/s")
            third = approval["recipients"] // 3
            progress = _wait(stack, lambda p: p.get("community_alert:sent", 0) >= third, recipients / rate + 60)
            urgent = stack.probe("p5-urgent")
            bulk_waiting = progress.get("community_alert:queued", 0)
            log(f"P5: urgent alert queued with {progress.get('community_alert:sent', 0)} sent, {bulk_waiting} waiting")
            progress = _wait(
                stack,
                lambda p: (
                    p.get("community_alert:sent", 0) + p.get("community_alert:failed", 0) >= approval["recipients"]
                    and p.get("alert:sent", 0) == 1
                ),
                2 * recipients / rate + 120,
            )
            sends = stack.probe("p5-sends")
            worker_log = processes[0].log_text()
    finally:
        harness.stop_all(processes)
        harness.redis_flush(redis_url)
        if not args.keep:
            harness.pg_drop(DB_NAME)

    bulk_times = sorted(s["sent_at"] for s in sends if s["purpose"] == "community_alert")
    urgent_sent = next((s["sent_at"] for s in sends if s["id"] == urgent["id"]), None)
    all_times = sorted(s["sent_at"] for s in sends)
    peak_1s = max_in_window(all_times, 1.0)
    peak_10s = max_in_window(all_times, 10.0)
    span = all_times[-1] - all_times[0] if len(all_times) > 1 else 0.0
    mean_rate = (len(all_times) - 1) / span if span else 0.0
    urgent_wait = urgent_sent - urgent["queued_at"] if urgent_sent else None
    overtaken_by = (
        sum(1 for t in bulk_times if urgent["queued_at"] <= t < urgent_sent) if urgent_sent is not None else None
    )
    allowed_overtakes = args.p5_worker_concurrency + 1
    checks = [
        {
            "check": f"{recipients} SMS queued (rows, events, tasks published)",
            "value": f"{approval['queued_s']:.2f} s for {approval['recipients']}",
            "goal": f"< {TARGET_QUEUED_S:.0f} s, all",
            "pass": approval["queued_s"] < TARGET_QUEUED_S and approval["recipients"] == recipients,
        },
        {
            "check": "baseline fan-out (one INSERT, bare tasks)",
            "value": f"{baseline['queued_s']:.2f} s; "
            f"ratio Veille/baseline {approval['queued_s'] / baseline['queued_s']:.1f}",
            "goal": "reference",
            "pass": None,
        },
        {
            "check": "broadcast sent (each once)",
            "value": f"{len(bulk_times)} of {approval['recipients']}",
            "goal": "all",
            "pass": len(bulk_times) == approval["recipients"],
        },
        {
            "check": f"peak sends in any 1 s window (rate {rate:g}/s)",
            "value": str(peak_1s),
            "goal": f"<= {int(rate) + 1}",
            "pass": peak_1s <= int(rate) + 1,
        },
        {
            "check": "peak sends in any 10 s window",
            "value": str(peak_10s),
            "goal": f"<= {int(rate * 10) + 1}",
            "pass": peak_10s <= int(rate * 10) + 1,
        },
        {
            "check": "mean send rate over the broadcast",
            "value": f"{mean_rate:.2f}/s over {span:.0f} s",
            "goal": f"<= {rate:g}/s",
            "pass": mean_rate <= rate * 1.001,
        },
        {
            "check": "urgent alert: queued -> handed to provider",
            "value": f"{urgent_wait:.2f} s with {bulk_waiting} bulk waiting" if urgent_wait is not None else "not sent",
            "goal": f"< {TARGET_URGENT_S:.0f} s, bulk waiting > 0",
            "pass": urgent_wait is not None and urgent_wait < TARGET_URGENT_S and bulk_waiting > 0,
        },
        {
            "check": "bulk SMS sent between the urgent one's queueing and its sending",
            "value": str(overtaken_by),
            "goal": f"<= {allowed_overtakes} (already held by the worker)",
            "pass": overtaken_by is not None and overtaken_by <= allowed_overtakes,
        },
        harness.tracebacks_check(worker_log),
    ]
    return {
        "target": "P5",
        "config": {"recipients": recipients, "send_rate": rate, "worker_concurrency": args.p5_worker_concurrency},
        "checks": checks,
        "approval": approval,
        "baseline": baseline,
        "urgent": {**urgent, "sent_at": urgent_sent},
        "final_progress": progress,
        # Sends per second from the first one: what the pacing looked like.
        "sends_per_second": [
            sum(1 for t in all_times if second <= t - all_times[0] < second + 1) for second in range(int(span) + 1)
        ]
        if all_times
        else [],
    }
