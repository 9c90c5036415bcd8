"""The bare view: read the same form fields as the Twilio webhook, one INSERT, empty TwiML.

No signature check, no pseudonym, no encryption, no queue: what is left is the cost of
Django, the WSGI server and one database round trip, i.e. the limit of this stack.
The table is created by the benchmark scripts (benchmarks/probe.py), not by a migration.
"""

from __future__ import annotations

import json

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def _insert(request: HttpRequest) -> int:
    """The one INSERT both bare views do; returns the row's id."""
    post = request.POST
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_baseline (message_sid, sender_length, body, num_media, received_at) "
            "VALUES (%s, %s, %s, %s, %s) RETURNING id",
            [
                post.get("MessageSid", ""),
                # Read like the webhook reads it, but never stored: not even synthetic numbers.
                len(post.get("From", "")),
                post.get("Body", ""),
                int(post.get("NumMedia", "0") or 0),
                timezone.now(),
            ],
        )
        (row_id,) = cursor.fetchone()
    return row_id


@csrf_exempt
@require_POST
def bare_insert(request: HttpRequest) -> HttpResponse:
    _insert(request)
    return HttpResponse(EMPTY_TWIML, content_type="text/xml; charset=utf-8")


@csrf_exempt
@require_POST
def bare_insert_json(request: HttpRequest) -> HttpResponse:
    """The Android gateway's baseline: parse the same JSON event, one INSERT, a JSON answer."""
    event = json.loads(request.body)
    payload = event.get("payload") or {}
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_baseline (message_sid, sender_length, body, num_media, received_at) "
            "VALUES (%s, %s, %s, %s, %s)",
            [event.get("id", ""), len(payload.get("phoneNumber", "")), payload.get("message", ""), 0, timezone.now()],
        )
    return JsonResponse({"ok": True})


@csrf_exempt
@require_POST
def bare_insert_notify(request: HttpRequest) -> HttpResponse:
    """P4's reference: the same INSERT, then the bare notification task after commit."""
    from benchmarks.baseline.tasks import bare_notify

    row_id = _insert(request)
    transaction.on_commit(lambda: bare_notify.delay(row_id))
    return HttpResponse(EMPTY_TWIML, content_type="text/xml; charset=utf-8")
