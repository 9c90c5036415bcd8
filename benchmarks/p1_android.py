"""P1 for the SMS Gateway for Android webhook: the same runs as P1 (closed-loop ratio,
steady-rate p99, reconciliation), the signed JSON event against a bare view that parses
the same JSON and does one INSERT."""

from __future__ import annotations

import argparse
from typing import Any

from benchmarks import p1_ingest


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """P1's options serve both; registered once by p1_ingest."""


def run(args: argparse.Namespace) -> dict[str, Any]:
    args.p1_provider = "android"
    return p1_ingest.run(args)
