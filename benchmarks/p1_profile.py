"""P1's profile: the CPU cost of one webhook request, and where it goes.

``python -m benchmarks.p1_profile [--requests N] [--top K] [--handoff list|task]`` builds a
throw-away PostgreSQL database (as P1 does; Redis db ``BENCH_REDIS_DB``) and runs, in a
child process with the stack's environment, N signed Twilio requests through Django's
full handler (every middleware, the real view; the test client stands in for gunicorn's
WSGI call) after a warm-up, alternating the webhook and the in-project bare view:

- CPU per request (``time.process_time``), for both and as a ratio;
- then a cProfile of the webhook, the K heaviest functions by own time.

No server, no load generator: what it shows is the request's own Python cost, which is
what the throughput ratio of ``p1`` is made of on two cores.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from benchmarks import harness

DB_NAME = "veille_bench_p1prof"


def _inner(count: int, top: int) -> None:
    import cProfile
    import io
    import pstats

    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from benchmarks.harness import BASELINE_PATH, SMS_PATH
    from benchmarks.workload import SmsFactory

    client = Client(HTTP_HOST="127.0.0.1")
    factories = {
        "webhook": SmsFactory(
            token=settings.TWILIO_AUTH_TOKEN, public_base_url=settings.PUBLIC_BASE_URL, path=SMS_PATH, first_sender=0
        ),
        "baseline": SmsFactory(
            token=settings.TWILIO_AUTH_TOKEN,
            public_base_url=settings.PUBLIC_BASE_URL,
            path=BASELINE_PATH,
            sign_path=SMS_PATH,
            first_sender=5_000_000,
        ),
    }

    def drive(name: str, n: int) -> float:
        requests = [factories[name]() for _ in range(n)]
        started = time.process_time()
        for path, body, headers in requests:
            response = client.generic(
                "POST",
                path,
                body,
                content_type=headers["Content-Type"],
                HTTP_X_TWILIO_SIGNATURE=headers["X-Twilio-Signature"],
            )
            if response.status_code != 200:
                raise SystemExit(f"{name}: HTTP {response.status_code}")
        return (time.process_time() - started) * 1000 / n

    for name in factories:
        drive(name, 200)  # warm-up: connections, caches, imports
    cpu: dict[str, list[float]] = {name: [] for name in factories}
    for _ in range(3):
        for name in factories:
            cpu[name].append(drive(name, count))
    profile = cProfile.Profile()
    profile.enable()
    drive("webhook", count)
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(top)
    print(json.dumps({"cpu_ms": cpu, "profile": out.getvalue()}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1000, help="requests per measurement")
    parser.add_argument("--top", type=int, default=30, help="functions listed from the profile")
    parser.add_argument("--handoff", choices=["list", "task"], default=None, help="INBOUND_HANDOFF for the run")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner:
        _inner(args.requests, args.top)
        return 0
    redis_url = f"{harness.REDIS_BASE_URL}/{harness.REDIS_DB}"
    database_url = harness.pg_database(DB_NAME)
    harness.redis_flush(redis_url)
    try:
        with harness.temp_dir("veille-bench-p1prof-") as var_dir:
            extra = {"INBOUND_HANDOFF": args.handoff} if args.handoff else {}
            stack = harness.Stack("P1 profile", database_url, redis_url, var_dir, 8000, extra_env=extra)
            stack.prepare()
            result = subprocess.run(
                [
                    harness.PYTHON,
                    "-m",
                    "benchmarks.p1_profile",
                    "--inner",
                    f"--requests={args.requests}",
                    f"--top={args.top}",
                ],
                cwd=harness.ROOT,
                env=stack.env(),
                capture_output=True,
                text=True,
                timeout=1800,
            )
            if result.returncode != 0:
                print(result.stdout, result.stderr, file=sys.stderr)
                return 1
            found = json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        harness.redis_flush(redis_url)
        harness.pg_drop(DB_NAME)
    cpu = found["cpu_ms"]
    for name, values in cpu.items():
        print(f"{name:8s} CPU per request: " + ", ".join(f"{v:.3f}" for v in values) + " ms")
    ratios = [b / w for w, b in zip(cpu["webhook"], cpu["baseline"], strict=True)]
    print("bare view / webhook CPU: " + ", ".join(f"{r:.2f}" for r in ratios))
    print(found["profile"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
