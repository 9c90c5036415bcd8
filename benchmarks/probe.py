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
            "received_at TIMESTAMP WITH TIME ZONE NOT NULL)"
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


COMMANDS = {
    "create-baseline-table": create_baseline_table,
    "counts": counts,
    "inbound-ids": inbound_ids,
    "pending": pending,
}


def main() -> None:
    django.setup()
    command = sys.argv[1]
    print(json.dumps(COMMANDS[command]()))


if __name__ == "__main__":
    main()
