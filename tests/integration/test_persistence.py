"""What the webhook writes is really in PostgreSQL (another connection sees it) and what
PostgreSQL holds, byte for byte, has neither the sender's number nor the SMS text."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connections

from messaging.models import InboundMessage, InboundStatus
from reporting.models import Report
from tests.integration.conftest import post_sms, sid, wait_until, worker_database_url
from veille.phones import number_variants

pytestmark = pytest.mark.integration

NUMBER = "+22376123456"
BODY = "trois hommes armes au puits de Boni, ils cherchent Moussa"


def secrets() -> list[bytes]:
    return [variant.encode() for variant in number_variants(NUMBER)] + [BODY.encode(), b"cherchent Moussa"]


def every_stored_byte(conn: psycopg.Connection) -> dict[str, bytes]:
    """Each table's rows, values as PostgreSQL returns them (bytea as raw bytes)."""
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'places\\_%'"
        )
    ]
    dump: dict[str, bytes] = {}
    for table in tables:
        chunks: list[bytes] = []
        for row in conn.execute(psycopg.sql.SQL("SELECT * FROM {}").format(psycopg.sql.Identifier(table))):
            for value in row:
                if isinstance(value, bytes | memoryview):
                    chunks.append(bytes(value))
                elif value is not None:
                    chunks.append(str(value).encode("utf-8"))
        dump[table] = b"\x00".join(chunks)
    return dump


def test_the_webhook_input_is_committed_and_encrypted_in_postgresql(workers):
    response = post_sms(NUMBER, BODY, sid(9, "e"))
    assert response.status_code == 200
    connections.close_all()  # nothing below may come from this process's connection

    with psycopg.connect(worker_database_url()) as other:
        rows = other.execute("SELECT id, status, sender_pseudonym, payload FROM messaging_inboundmessage").fetchall()
        assert len(rows) == 1
        inbound_id, status, pseudonym, payload = rows[0]
        assert status == InboundStatus.PENDING  # no worker yet
        assert pseudonym.startswith("p1:")
        raw = bytes(payload)
        assert len(raw) > len(BODY)  # the text and the number are in there, sealed
        for secret in secrets():
            assert secret not in raw, f"{secret!r} in the stored payload"

    # A new Django connection opens it again.
    message = InboundMessage.objects.get(pk=inbound_id)
    assert message.payload == {"body": BODY, "num_media": 0, "reply_to": NUMBER}

    workers.start("w1")
    wait_until(
        lambda: InboundMessage.objects.filter(pk=inbound_id, status=InboundStatus.PROCESSED).exists(),
        timeout=30,
        what=f"the worker to process the message\n{workers.logs()}",
    )
    wait_until(lambda: Report.objects.exists(), timeout=10, what="the report")

    with psycopg.connect(worker_database_url()) as other:
        dump = every_stored_byte(other)
    assert dump["messaging_contactvaultentry"], "the vault should hold the (encrypted) number"
    assert dump["reporting_report"]
    for table, stored in dump.items():
        for secret in secrets():
            assert secret not in stored, f"{secret!r} stored in clear in {table}"
    assert Report.objects.get().description == BODY
