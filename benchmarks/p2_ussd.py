"""P2: USSD screen answers with 100 concurrent sessions, beside P1's SMS load.

Gunicorn (production config, 2 workers x 2 threads) on PostgreSQL + Redis. For D seconds:
- SMS webhooks arrive open loop at 100 req/s (P1's steady load);
- 100 simulated phones each run USSD sessions back to back on the Africa's Talking
  contract (sessionId, serviceCode, phoneNumber, networkCode, text = inputs joined by
  '*'), pausing a human think time between screens. Each CON screen is answered with the
  next input of ``--p2-inputs`` (default: always "1"); an END screen or the screen cap
  ends the session and the phone starts a new one.
Every USSD answer must be 2xx and start with "CON " or "END "; p99 under 200 ms, none
over 2 s (the gateway gives up at 10-15 s).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import random
import time
import urllib.error
import urllib.request
import uuid
from typing import Any

import aiohttp

from benchmarks import harness
from benchmarks.harness import SMS_PATH, USSD_PATH, Stack, log
from benchmarks.loadgen import Result, open_loop
from benchmarks.workload import SmsFactory, ussd_request

DB_NAME = "veille_bench_p2"


@functools.cache
def _error_screens() -> frozenset[str]:
    """The USSD error screen in every language: the view answers it with HTTP 200.
    Read when first needed, not at import: the languages come from Django's settings,
    which ``run.py --help`` or another target never configures."""
    try:
        from reporting.ussd.texts import T
    except ImportError:
        return frozenset()
    return frozenset(f"END {value}" for value in T.get("error", {}).values())


SERVICE_CODE = "*555#"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("P2")
    group.add_argument("--p2-seconds", type=float, default=None, help="duration (quick 30, full 120)")
    group.add_argument("--p2-sessions", type=int, default=100, help="concurrent USSD sessions")
    group.add_argument("--p2-sms-rate", type=float, default=100.0, help="SMS webhooks per second beside them")
    group.add_argument("--p2-think", default="1,3", help="think time between screens, min,max seconds")
    group.add_argument("--p2-inputs", default="", help="answers to successive CON screens, comma-separated")
    group.add_argument("--p2-max-screens", type=int, default=12, help="screens before a session is abandoned")


async def _phone(
    number: int,
    session: aiohttp.ClientSession,
    base_url: str,
    end: float,
    result: Result,
    stats: dict[str, int],
    inputs: list[str],
    think: tuple[float, float],
    max_screens: int,
) -> None:
    rng = random.Random(number)
    phone = f"+2236{number:07d}"
    # Stagger the starts so the sessions do not move in lock step.
    await asyncio.sleep(rng.uniform(0, think[1]))
    while time.perf_counter() < end:
        session_id = "ATUid_" + uuid.uuid4().hex
        answers: list[str] = []
        stats["sessions"] += 1
        for screen in range(max_screens):
            path, body, headers = ussd_request(
                path=USSD_PATH, session_id=session_id, phone=phone, text="*".join(answers), service_code=SERVICE_CODE
            )
            sent = time.perf_counter()
            text = ""
            try:
                async with session.post(base_url + path, data=body, headers=headers) as response:
                    text = await response.text()
                    result.statuses[response.status] += 1
                    if not 200 <= response.status < 300:
                        stats["sessions_broken"] += 1
                        break
            except TimeoutError:
                result.errors["timeout"] += 1
                stats["sessions_broken"] += 1
                break
            except aiohttp.ClientError as exc:
                result.errors[type(exc).__name__] += 1
                stats["sessions_broken"] += 1
                break
            finally:
                result.latencies_ms.append((time.perf_counter() - sent) * 1000)
            if text.startswith("END "):
                if text.strip() in _error_screens():
                    stats["error_screens"] += 1
                else:
                    stats["sessions_ended"] += 1
                break
            if not text.startswith("CON "):
                result.bodies_bad += 1
                stats["sessions_broken"] += 1
                break
            answers.append(inputs[screen] if screen < len(inputs) else "1")
            await asyncio.sleep(rng.uniform(*think))
            if time.perf_counter() >= end:
                break
        else:
            stats["sessions_capped"] += 1


async def _ussd_load(
    base_url: str, sessions: int, seconds: float, inputs: list[str], think: tuple[float, float], max_screens: int
) -> tuple[Result, dict[str, int]]:
    result = Result(name="ussd", mode=f"{sessions} sessions", concurrency=sessions)
    stats = {"sessions": 0, "sessions_ended": 0, "sessions_capped": 0, "sessions_broken": 0, "error_screens": 0}
    connector = aiohttp.TCPConnector(limit=sessions)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as session:
        start = time.perf_counter()
        end = start + seconds
        await asyncio.gather(
            *(_phone(i, session, base_url, end, result, stats, inputs, think, max_screens) for i in range(sessions))
        )
        result.duration = time.perf_counter() - start
    return result, stats


def _endpoint_exists(stack: Stack) -> tuple[bool, str]:
    _, body, headers = ussd_request(
        path=USSD_PATH, session_id="probe-" + uuid.uuid4().hex, phone="+22369999999", text="", service_code=SERVICE_CODE
    )
    request = urllib.request.Request(stack.base_url + USSD_PATH, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode(errors="replace")
            return text.startswith(("CON ", "END ")), text[:80]
    except urllib.error.HTTPError as exc:
        return False, f"HTTP {exc.code}"


def run(args: argparse.Namespace) -> dict[str, Any]:
    seconds = args.p2_seconds or (30.0 if args.quick else 120.0)
    think_min, think_max = (float(x) for x in args.p2_think.split(","))
    inputs = [x for x in args.p2_inputs.split(",") if x]
    redis_url = f"{harness.REDIS_BASE_URL}/{harness.REDIS_DB}"
    database_url = harness.pg_database(DB_NAME)
    harness.redis_flush(redis_url)
    processes: list[harness.Process] = []
    try:
        with harness.temp_dir("veille-bench-p2-", keep=args.keep) as var_dir:
            stack = Stack("P2", database_url, redis_url, var_dir, harness.free_port())
            stack.extra_env["USSD_ALLOWED_SERVICE_CODES"] = SERVICE_CODE
            stack.prepare()
            processes.append(harness.start_gunicorn(stack, workers=args.web_workers, threads=args.web_threads))
            if args.worker:
                processes.append(harness.start_worker(stack))
            exists, first_screen = _endpoint_exists(stack)
            if not exists:
                log(f"P2: USSD endpoint {USSD_PATH} not answering CON/END yet ({first_screen}): pending")
                return {
                    "target": "P2",
                    "checks": [
                        {
                            "check": f"USSD endpoint {USSD_PATH}",
                            "value": f"not there yet ({first_screen})",
                            "goal": "answers CON/END",
                            "pass": False,
                        }
                    ],
                }
            log(f"P2: first screen {first_screen!r}")
            factory = SmsFactory(token=stack.token, public_base_url=stack.base_url, path=SMS_PATH, first_sender=0)
            requests, sids = factory.batch(int(args.p2_sms_rate * seconds))
            log(f"P2: {args.p2_sessions} USSD sessions + {args.p2_sms_rate:.0f} SMS/s for {seconds:.0f} s")

            async def both() -> tuple[Result, tuple[Result, dict[str, int]]]:
                sms_task = open_loop("sms-beside", stack.base_url, requests, args.p2_sms_rate, sids)
                ussd_task = _ussd_load(
                    stack.base_url, args.p2_sessions, seconds, inputs, (think_min, think_max), args.p2_max_screens
                )
                sms, ussd = await asyncio.gather(sms_task, ussd_task)
                return sms, ussd

            sms, (ussd, stats) = asyncio.run(both())
            counts = stack.probe("counts")
    finally:
        harness.stop_all(processes)
        harness.redis_flush(redis_url)
        if not args.keep:
            harness.pg_drop(DB_NAME)

    p99 = ussd.percentile(99)
    over = sum(1 for x in ussd.latencies_ms if x > 2000)
    checks = [
        {
            "check": f"USSD p99 ({ussd.sent} screens, {stats['sessions']} sessions)",
            "value": f"{p99:.1f} ms (p50 {ussd.percentile(50):.1f}, max {max(ussd.latencies_ms or [0]):.0f})",
            "goal": "< 200 ms",
            "pass": p99 < 200,
        },
        {"check": "USSD answers over 2 s", "value": str(over), "goal": "0", "pass": over == 0},
        {
            "check": "USSD non-2xx / not CON-END / error screens",
            "value": f"{ussd.non_2xx} / {ussd.bodies_bad} / {stats['error_screens']}",
            "goal": "0 / 0 / 0",
            "pass": ussd.non_2xx == 0 and ussd.bodies_bad == 0 and stats["error_screens"] == 0,
        },
        {
            "check": "USSD sessions ended with a receipt (END)",
            "value": f"{stats['sessions_ended']} of {stats['sessions']} started (others cut by the end of the run)",
            "goal": "info",
            "pass": None,
        },
        {
            "check": f"SMS beside: {args.p2_sms_rate:.0f} req/s",
            "value": f"{sms.throughput:.1f} ok/s, p99 {sms.percentile(99):.1f} ms, non-2xx {sms.non_2xx}",
            "goal": "0 non-2xx",
            "pass": sms.non_2xx == 0,
        },
        {
            "check": "reconcile: SMS 2xx == stored messages",
            "value": f"{sms.ok} == {counts['inbound_total']}",
            "goal": "equal",
            "pass": sms.ok == counts["inbound_total"],
        },
    ]
    return {
        "target": "P2",
        "config": {
            "seconds": seconds,
            "sessions": args.p2_sessions,
            "sms_rate": args.p2_sms_rate,
            "think_s": [think_min, think_max],
            "inputs": inputs,
            "worker": args.worker,
        },
        "checks": checks,
        "runs": [sms.summary(), ussd.summary()],
        "ussd_sessions": stats,
        "counts": counts,
    }
