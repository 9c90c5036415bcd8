"""Database probes run inside a benchmark's Django environment: ``python -m benchmarks.probe CMD``.

Prints JSON on stdout. Kept apart from the scripts so that the load generator never
imports Django (and never shares its process with the server's code).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import django


def create_baseline_table() -> dict[str, Any]:
    from django.db import connection

    primary_key = "id INTEGER PRIMARY KEY" if connection.vendor == "sqlite" else "id BIGSERIAL PRIMARY KEY"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS bench_baseline ({primary_key}, message_sid VARCHAR(64) NOT NULL, "
            "sender_length INTEGER NOT NULL, body TEXT NOT NULL, num_media INTEGER NOT NULL, "
            "received_at TIMESTAMP WITH TIME ZONE NOT NULL, handed_at TIMESTAMP WITH TIME ZONE NULL)"
        )
        cursor.execute("DELETE FROM bench_baseline")
    return {"vendor": connection.vendor}


def counts() -> dict[str, Any]:
    """What the reconciliation needs: stored messages by status, reports and what joined them."""
    from django.db import connection
    from django.db.models import Count, Sum

    from messaging.models import InboundMessage, OutboundMessage
    from reporting.models import Report

    by_status = dict(InboundMessage.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    sms_reports = Report.objects.filter(channel="sms")
    duplicate_senders = sms_reports.values("sender_pseudonym").annotate(n=Count("pk")).filter(n__gt=1).count()
    with connection.cursor() as cursor:
        try:
            cursor.execute("SELECT COUNT(*) FROM bench_baseline")
            baseline_rows = cursor.fetchone()[0]
        except Exception:
            baseline_rows = None
    handled = dict(
        InboundMessage.objects.values_list("handled_by").annotate(n=Count("pk")).values_list("handled_by", "n")
    )
    return {
        "inbound_total": InboundMessage.objects.count(),
        "inbound_by_status": by_status,
        "inbound_handled_by": handled,
        "inbound_distinct_ids": InboundMessage.objects.values("provider_message_id").distinct().count(),
        "sms_reports": sms_reports.count(),
        "sms_report_messages": sms_reports.aggregate(n=Sum("message_count"))["n"] or 0,
        "sms_reports_duplicate_senders": duplicate_senders,
        "reports_total": Report.objects.count(),
        "outbound_total": OutboundMessage.objects.count(),
        "baseline_rows": baseline_rows,
    }


def inbound_ids() -> list[str]:
    from messaging.models import InboundMessage

    return sorted(InboundMessage.objects.values_list("provider_message_id", flat=True))


def pending() -> dict[str, int]:
    from messaging.models import InboundMessage

    return {
        "pending": InboundMessage.objects.filter(status="pending").count(),
        "failed": InboundMessage.objects.filter(status="failed").count(),
        "total": InboundMessage.objects.count(),
    }


def p4_progress() -> dict[str, Any]:
    """Whether the notification pipeline has settled: nothing pending, nothing left to send."""
    from django.db import connection
    from django.db.models import Count

    from messaging.models import InboundMessage, OutboundMessage

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*), COUNT(handed_at) FROM bench_baseline")
        baseline_rows, baseline_handed = cursor.fetchone()
    outbound = OutboundMessage.objects.values_list("purpose", "status").annotate(n=Count("pk"))
    return {
        "inbound_pending": InboundMessage.objects.filter(status="pending").count(),
        "inbound_total": InboundMessage.objects.count(),
        "outbound": {f"{purpose}:{status}": n for purpose, status, n in outbound},
        "notices_waiting": OutboundMessage.objects.filter(
            purpose="relay_notice", status__in=["queued", "sending"]
        ).count(),
        "baseline_rows": baseline_rows,
        "baseline_handed": baseline_handed,
    }


def p4_veille() -> dict[str, Any]:
    """For every stored SMS (by MessageSid): when its report's first relay notice was handed
    to the SMS backend (epoch seconds), or None. Joined through the sender's pseudonym (one
    sender per SMS in the benchmark) and the report reference quoted in the notice."""
    import re

    from messaging.models import InboundMessage, OutboundMessage
    from reporting.models import Report

    reference_by_sender = dict(Report.objects.filter(channel="sms").values_list("sender_pseudonym", "reference"))
    first_sent: dict[str, float] = {}
    notices = 0
    for message in OutboundMessage.objects.filter(purpose="relay_notice", sent_at__isnull=False).only(
        "body", "sent_at"
    ):
        notices += 1
        match = re.search(r"R-([A-Z0-9]+)", message.body)
        if match is None:
            continue
        at = message.sent_at.timestamp()
        reference = match.group(1)
        if reference not in first_sent or at < first_sent[reference]:
            first_sent[reference] = at
    handed = {}
    for sid, pseudonym in InboundMessage.objects.values_list("provider_message_id", "sender_pseudonym"):
        reference = reference_by_sender.get(pseudonym)
        handed[sid] = first_sent.get(reference) if reference else None
    return {"handed": handed, "notices_sent": notices, "reports": len(reference_by_sender)}


def p4_baseline() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT message_sid, handed_at FROM bench_baseline")
        rows = cursor.fetchall()
    return {"handed": {sid: at.timestamp() if at else None for sid, at in rows}}


P5_COMMUNE = "Douentza"


def p5_setup(count: str) -> dict[str, Any]:
    """``count`` residents subscribed to one commune, and a community alert proposed by
    the national coordination, waiting for the regional coordinator's approval."""
    from alerts.community import community_alert_propose
    from alerts.models import Subscription
    from focal_points.models import Member, Role
    from places.models import Commune
    from veille.phones import pseudonym_for

    commune = Commune.objects.get(name=P5_COMMUNE)
    numbers = [f"+2236{index:07d}" for index in range(int(count))]
    Subscription.objects.bulk_create(
        [Subscription(pseudonym=pseudonym_for(n), number=n, commune=commune, language="fr") for n in numbers],
        batch_size=500,
    )
    national = Member.objects.get(role=Role.NATIONAL_COORDINATOR)
    alert = community_alert_propose(
        member=national,
        text="Engin explosif signale sur la route de Douentza a Boni. Evitez-la jusqu'a nouvel ordre.",
        commune_ids=[commune.pk],
    )
    return {"alert_id": alert.pk, "subscribers": len(numbers)}


def p5_baseline(count: str) -> dict[str, Any]:
    """The reference fan-out: ``count`` rows in one INSERT and one bare task per row."""
    import time

    from django.db import connection, transaction
    from django.utils import timezone

    from benchmarks.baseline.tasks import bare_notify

    started = time.perf_counter()
    with transaction.atomic():
        now = timezone.now()
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO bench_baseline (message_sid, sender_length, body, num_media, received_at) "
                "VALUES (%s, %s, %s, %s, %s)",
                [(f"fanout-{i}", 12, "Veille: bare broadcast", 0, now) for i in range(int(count))],
            )
            cursor.execute("SELECT id FROM bench_baseline WHERE message_sid LIKE 'fanout-%%'")
            ids = [row[0] for row in cursor.fetchall()]
        for row_id in ids:
            transaction.on_commit(lambda row_id=row_id: bare_notify.delay(row_id))
    return {"queued_s": time.perf_counter() - started, "rows": len(ids)}


def p5_approve(alert_id: str) -> dict[str, Any]:
    """The second coordinator approves: every SMS stored and its task published."""
    import time

    from alerts.community import community_alert_decide
    from focal_points.models import Member, Role
    from messaging.tasks import dispatch_outbound

    regional = Member.objects.get(role=Role.COORDINATOR)
    # The approval comes through a warm web worker: its imports done, its database and
    # broker connections open. A no-op dispatch does the same for this fresh process.
    dispatch_outbound.apply_async(args=[[], 9], priority=9)
    at = time.time()
    started = time.perf_counter()
    alert = community_alert_decide(member=regional, alert_id=int(alert_id), approve=True)
    return {"queued_s": time.perf_counter() - started, "recipients": alert.recipients, "approved_at": at}


def p5_urgent() -> dict[str, Any]:
    """An urgent alert SMS to a focal point, queued as ``alerts.services`` queues one."""
    import time

    from django.db import transaction

    from messaging import services as messaging
    from messaging.models import Priority

    with transaction.atomic():
        message = messaging.outbound_enqueue(
            to_number="+22376100099",
            body="Veille A-BENCH urgent: attaque en cours, Douentza. Repondez OK BENCH.",
            purpose="alert",
            priority=Priority.URGENT,
        )
    return {"id": message.pk if message else None, "queued_at": time.time()}


def p5_progress() -> dict[str, Any]:
    from django.db.models import Count

    from messaging.models import OutboundMessage

    rows = OutboundMessage.objects.values_list("purpose", "status").annotate(n=Count("pk"))
    return {f"{purpose}:{status}": n for purpose, status, n in rows}


def p5_sends() -> list[dict[str, Any]]:
    from messaging.models import OutboundMessage

    return [
        {"id": pk, "purpose": purpose, "sent_at": sent_at.timestamp(), "attempts": attempts}
        for pk, purpose, sent_at, attempts in OutboundMessage.objects.filter(sent_at__isnull=False).values_list(
            "pk", "purpose", "sent_at", "attempts"
        )
    ]


COMMANDS = {
    "create-baseline-table": create_baseline_table,
    "counts": counts,
    "inbound-ids": inbound_ids,
    "pending": pending,
    "p4-progress": p4_progress,
    "p4-veille": p4_veille,
    "p4-baseline": p4_baseline,
    "p5-setup": p5_setup,
    "p5-baseline": p5_baseline,
    "p5-approve": p5_approve,
    "p5-urgent": p5_urgent,
    "p5-progress": p5_progress,
    "p5-sends": p5_sends,
}


def main() -> None:
    django.setup()
    command = sys.argv[1]
    print(json.dumps(COMMANDS[command](*sys.argv[2:])))


if __name__ == "__main__":
    main()
