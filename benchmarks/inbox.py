"""Issue 3 target: the relay inbox stays fast with 100,000 reports (p95 < 200 ms).

Builds a database with N reports spread over Mali (a tenth in the deployment's areas),
then times the inbox page as the view builds it (visibility, open status, severity and
age ordering, the first page of 50 and its count) for a relay, a regional coordinator and
the national coordination, against a bare baseline (the 50 newest reports, no filter).

    python benchmarks/inbox.py --db sqlite --reports 100000
    python benchmarks/inbox.py --db postgres --reports 100000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def configure(db: str) -> None:
    env = {
        "VEILLE_SKIP_ENV_FILE": "1",
        "SECRET_KEY": "benchmark-secret-key-0123456789abcdefghij",
        "VEILLE_DATA_KEYS": "b1:" + "A" * 43,
        "VEILLE_PSEUDONYM_KEYS": "p1:" + "B" * 43,
        "TWILIO_AUTH_TOKEN": "bench",
        "PUBLIC_BASE_URL": "http://127.0.0.1",
        "SMS_BACKEND": "messaging.backends.locmem.LocmemBackend",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "VEILLE_VAR_DIR": tempfile.mkdtemp(prefix="veille-bench-"),
        "DJANGO_SETTINGS_MODULE": "veille.settings",
    }
    if db == "postgres":
        env["DATABASE_URL"] = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/veille_bench_inbox")
    os.environ.update(env)


def reset_postgres() -> None:
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def build(n_reports: int) -> None:
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from focal_points.models import Category
    from focal_points.services import members_import_csv
    from places.models import Commune
    from reporting.models import Report, ReportStatus, Severity

    call_command("migrate", verbosity=0)
    call_command("import_gazetteer", verbosity=0)
    members_import_csv((ROOT / "focal_points" / "fixtures" / "deployment_mopti.csv").read_text())
    communes = list(Commune.objects.select_related("cercle"))
    mopti = [c for c in communes if c.cercle.region.name == "Mopti"]
    categories = [c for c in Category.values if c != Category.GBV]
    rng = random.Random(7)
    now = timezone.now()
    batch: list[Report] = []
    for i in range(n_reports):
        commune = rng.choice(mopti) if rng.random() < 0.1 else rng.choice(communes)
        at = now - timezone.timedelta(minutes=rng.randint(0, 60 * 24 * 365))
        batch.append(
            Report(
                reference=f"B{i:07d}",
                receipt_digest=f"bench:{i}",
                channel="sms",
                category=rng.choice(categories),
                status=rng.choice(
                    [ReportStatus.RECEIVED, ReportStatus.IN_REVIEW, ReportStatus.CLOSED, ReportStatus.CLOSED]
                ),
                severity=rng.choice(["", *Severity.values]),
                region_id=commune.cercle.region_id,
                cercle_id=commune.cercle_id,
                commune_id=commune.pk,
                description="rapport de test",
                received_at=at,
                last_message_at=at,
            )
        )
        if len(batch) == 5000:
            with transaction.atomic():
                Report.objects.bulk_create(batch)
            batch.clear()
    if batch:
        Report.objects.bulk_create(batch)
    from django.db import connection

    with connection.cursor() as cursor:  # fresh statistics, as a running database has
        cursor.execute("ANALYZE")


def time_inbox(member_name: str | None, rounds: int) -> list[float]:
    from django.core.paginator import Paginator

    from focal_points.models import Member
    from reporting.access import reports_visible_to
    from reporting.models import Report, ReportStatus
    from reporting.staff_views import SEVERITY_RANK

    member = Member.objects.select_related("organisation").get(name=member_name) if member_name else None
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        if member is None:  # baseline: the 50 newest reports, nothing else
            list(Report.objects.order_by("-received_at")[:50])
        else:
            qs = (
                reports_visible_to(member)
                .exclude(status=ReportStatus.CLOSED)
                .select_related("commune", "cercle", "region", "claimed_by")
                .annotate(rank=SEVERITY_RANK)
                .order_by("rank", "-received_at", "-pk")
            )
            page = Paginator(qs, 50).get_page(1)
            list(page)
            page.paginator.count  # noqa: B018 (the page shows the total)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    configure(args.db)
    if args.db == "postgres":
        reset_postgres()
    import django

    django.setup()
    started = time.perf_counter()
    build(args.reports)
    print(f"built {args.reports} reports on {args.db} in {time.perf_counter() - started:.0f} s")
    results = {}
    for label, name in [
        ("baseline (50 newest)", None),
        ("relay", "Aminata Guindo"),
        ("regional coordinator", "Mariam Traoré"),
        ("national", "Ibrahim Keita"),
    ]:
        timings = sorted(time_inbox(name, args.rounds))
        p50 = statistics.median(timings)
        p95 = timings[int(len(timings) * 0.95) - 1]
        results[label] = {"p50_ms": round(p50, 1), "p95_ms": round(p95, 1)}
    base = results["baseline (50 newest)"]["p95_ms"]
    for label, figures in results.items():
        ratio = figures["p95_ms"] / base if base else float("nan")
        print(f"{label:24} p50 {figures['p50_ms']:7.1f} ms   p95 {figures['p95_ms']:7.1f} ms   x{ratio:5.1f} baseline")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"inbox-{args.db}.json").write_text(json.dumps({"reports": args.reports, **results}, indent=1))


if __name__ == "__main__":
    main()
