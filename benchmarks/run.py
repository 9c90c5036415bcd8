#!/usr/bin/env python
"""Veille load benchmarks: ``benchmarks/run.py p1|p2|p3|p4|p5|p6|p7|p8|cost|all [--quick]``.

Each target sets up its own throw-away database, servers and workers, stops them in a
``finally`` block, prints a table of checks and writes its figures as JSON to
benchmarks/results/ (git-ignored). See benchmarks/README.md for what each one measures.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import sys
import time
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGETS = {
    "p1": "benchmarks.p1_ingest",
    "p1a": "benchmarks.p1_android",
    "p2": "benchmarks.p2_ussd",
    "p3": "benchmarks.p3_spike",
    "p4": "benchmarks.p4_notify",
    "p5": "benchmarks.p5_fanout",
    "p6": "benchmarks.p6_templates",
    "p7": "benchmarks.p7_sqlite",
    "p8": "benchmarks.p8_faults",
    "cost": "benchmarks.cost",
}
RESULTS_DIR = Path(__file__).resolve().parent / "results"


def _verdict(passed: bool | None) -> str:
    return "INFO" if passed is None else "PASS" if passed else "FAIL"


def print_checks(report: dict[str, Any]) -> None:
    rows = [(c["check"], c["value"], c["goal"], _verdict(c["pass"])) for c in report["checks"]]
    headers = ("check", "measured", "goal", "")
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(4)]
    line = "  ".join("-" * w for w in widths)
    print(f"\n== {report['target']} ==")
    print("  ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True)))
    print(line)
    for row in rows:
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)))


def print_runs(report: dict[str, Any]) -> None:
    runs = report.get("runs") or []
    if not runs:
        return
    columns = ("name", "mode", "sent", "ok", "non_2xx", "throughput_rps", "p50_ms", "p95_ms", "p99_ms", "max_ms")
    rows = [[str(run.get(c, "")) for c in columns] for run in runs]
    widths = [max(len(x) for x in [c, *(row[i] for row in rows)]) for i, c in enumerate(columns)]
    print()
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    for row in rows:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))


def _exists(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "targets", nargs="+", choices=[*TARGETS, "all"], metavar="{p1,p1a,p2,p3,p4,p5,p6,p7,p8,cost,all}"
    )
    parser.add_argument("--quick", action="store_true", help="short runs (the default sizes are the full ones)")
    parser.add_argument("--keep", action="store_true", help="keep databases and var directories for inspection")
    # Only the targets asked for are imported (all of them for "all" or --help): some
    # read Django settings at import (p2's screens) and need the environment they set up.
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("targets", nargs="*")
    asked = set(pre.parse_known_args(argv)[0].targets)
    wanted = TARGETS if not asked or "all" in asked else {n: p for n, p in TARGETS.items() if n in asked}
    modules = {name: importlib.import_module(path) for name, path in wanted.items() if _exists(path)}
    for module in modules.values():
        if hasattr(module, "add_arguments"):
            module.add_arguments(parser)
    args = parser.parse_args(argv)
    chosen = list(modules) if "all" in args.targets else list(dict.fromkeys(args.targets))
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    reports: list[dict[str, Any]] = []
    for name in chosen:
        started = time.monotonic()
        try:
            report = modules[name].run(args)
        except Exception as exc:
            traceback.print_exc()
            report = {
                "target": name.upper(),
                "checks": [
                    {
                        "check": "benchmark ran",
                        "value": f"{type(exc).__name__}: {exc}"[:200],
                        "goal": "ran",
                        "pass": False,
                    }
                ],
            }
        report["elapsed_s"] = round(time.monotonic() - started, 1)
        report["quick"] = args.quick
        path = RESULTS_DIR / f"{name}-{stamp}{'-quick' if args.quick else ''}.json"
        path.write_text(json.dumps(report, indent=2, default=str) + "\n")
        print_runs(report)
        print_checks(report)
        print(f"({report['elapsed_s']} s; JSON in {path.relative_to(ROOT)})")
        reports.append(report)
    failed = [r["target"] for r in reports if any(c["pass"] is False for c in r["checks"])]
    met = len(reports) - len(failed)
    print(f"\nSummary: {met}/{len(reports)} targets met" + (f"; not met: {failed}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
