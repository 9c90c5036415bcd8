"""P8: faults at spike size, reconciled (benchmarks/faults.py does the work).

PostgreSQL stopped, Redis killed, and the embedded broker's folder filled (a tmpfs; needs
root), each for ``--p8-outage`` seconds a third of the way through an open-loop spike of
``--p8-count`` SMS. Checks: no non-2xx, accepted = stored = processed = SMS reports, no
duplicate row, spool empty, and the time from the end of the spike to the last SMS
processed. Uses private PostgreSQL and Redis instances on free ports.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import faults
from benchmarks.harness import log


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("P8")
    group.add_argument("--p8-count", type=int, default=None, help="SMS per spike (quick 600, full 2000)")
    group.add_argument("--p8-seconds", type=float, default=None, help="spike duration (quick 20, full 60)")
    group.add_argument("--p8-outage", type=float, default=None, help="seconds each fault lasts (quick 5, full 15)")
    group.add_argument("--p8-faults", default="postgres,redis,disk", help="which faults, comma-separated")


def _scenario(name: str, count: int, seconds: float, outage: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"veille-p8-{name}-") as tmp:
        root = Path(tmp)
        mounted = False
        if name == "disk":
            broker = root / "var" / "broker"
            broker.mkdir(parents=True)
            subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(broker)], check=True)
            mounted = True
        try:
            with faults.world(root, embedded=name == "disk") as w:

                def fault() -> None:
                    if name == "postgres":
                        w.postgres.stop()
                        time.sleep(outage)
                        w.postgres.start()
                    elif name == "redis":
                        w.redis.stop()
                        time.sleep(outage)
                        w.redis.start()
                    else:
                        filler = root / "var" / "broker" / "filler"
                        with filler.open("wb") as out:
                            try:
                                while True:
                                    out.write(b"\0" * 65536)
                                    out.flush()
                            except OSError:
                                pass
                        time.sleep(outage)
                        filler.unlink()

                log(f"P8 {name}: {count} SMS over {seconds:.0f} s, fault of {outage:.0f} s at a third")
                sent = faults.spike(w, count=count, seconds=seconds, fault=fault, at=1 / 3)
                ended = time.monotonic()
                found = faults.reconcile(w, sent, timeout=max(180.0, count / 2))
                found["drain_after_spike_s"] = round(time.monotonic() - ended, 1)
                found["worker_tracebacks"] = w.log_count("worker", "Unrecoverable")
                log(f"  {found}")
                return found
        finally:
            if mounted:
                subprocess.run(["umount", "-l", str(root / "var" / "broker")], check=False)


def run(args: argparse.Namespace) -> dict[str, Any]:
    count = args.p8_count or (600 if args.quick else 2000)
    seconds = args.p8_seconds or (20.0 if args.quick else 60.0)
    outage = args.p8_outage or (5.0 if args.quick else 15.0)
    checks: list[dict[str, Any]] = []
    results = {}
    for name in [n.strip() for n in args.p8_faults.split(",") if n.strip()]:
        if name == "disk" and os.geteuid() != 0:
            checks.append({"check": "disk: full broker folder", "value": "not run", "goal": "root", "pass": None})
            continue
        found = _scenario(name, count, seconds, outage)
        results[name] = found
        ok = (
            found["non_2xx"] == 0
            and found["accepted"] == found["stored"] == found["processed"] == found["reports"] == count
            and found["stored_rows"] == count
            and found["spool_left"] == 0
        )
        checks.append(
            {
                "check": f"{name}: accepted = stored = processed = reports, no duplicate",
                "value": f"{found['accepted']} / {found['stored']} / {found['processed']} / {found['reports']}, "
                f"{found['stored_rows']} rows, non-2xx {found['non_2xx']}, spool {found['spool_left']}",
                "goal": f"all {count}",
                "pass": ok,
            }
        )
        checks.append(
            {
                "check": f"{name}: drained after the spike",
                "value": f"{found['drain_after_spike_s']} s (p99 answer {found['p99_ms']} ms)",
                "goal": "info",
                "pass": None,
            }
        )
    return {
        "target": "P8",
        "config": {"count": count, "seconds": seconds, "outage": outage},
        "checks": checks,
        "results": results,
    }
