"""SMS Gateway for Android's webhooks: SMS received, delivery reports, pings.

``POST /channels/android/webhook/`` with JSON ``{"deviceId", "event", "id", "payload",
"webhookId"}``. ``X-Signature`` is the hex HMAC-SHA256, under the signing key, of the
raw body followed by the ``X-Timestamp`` header (Unix seconds). Refused with 403: a bad
or missing signature, a timestamp more than ``ANDROID_GATEWAY_WEBHOOK_TOLERANCE_SECONDS``
off. A replayed or retried event id is answered 200 and changes nothing (the app retries
a non-2xx answer for days). ``payload.messageId`` is content-based, not unique, so the
event id is what identifies an inbound SMS. Stored first, answered at once, processed in
the worker, as for Twilio. The sender's number is read for the encrypted store only.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import re
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from messaging import gateways, services
from messaging.models import ProviderEvent
from messaging.providers import enabled
from messaging.providers.android.statuses import IGNORED_EVENTS, MMS_DOWNLOADED, PING, RECEIVED, STATUS_EVENTS
from veille.timeutil import now_minute

logger = logging.getLogger(__name__)

PROVIDER = "android"
EVENT_ID = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
DEVICE_ID = re.compile(r"^[A-Za-z0-9_\-]{0,64}$")


def signature_is_valid(raw_body: bytes, timestamp: str, signature: str) -> bool:
    if not signature or not timestamp:
        return False
    expected = hmac.new(
        settings.ANDROID_GATEWAY_SIGNING_KEY.encode(), raw_body + timestamp.encode(), hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, signature.strip().lower())


def timestamp_is_fresh(timestamp: str) -> bool:
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    return abs(time.time() - sent) <= settings.ANDROID_GATEWAY_WEBHOOK_TOLERANCE_SECONDS


def _plain(text: str, status: int) -> HttpResponse:
    return HttpResponse(text, content_type="text/plain; charset=utf-8", status=status)


@csrf_exempt
@require_POST
def receive(request: HttpRequest) -> HttpResponse:
    if not enabled(PROVIDER):
        raise Http404("android is not enabled")
    raw = request.body
    timestamp = request.headers.get("X-Timestamp", "")
    if not signature_is_valid(raw, timestamp, request.headers.get("X-Signature", "")):
        logger.warning("android webhook: signature rejected")
        return _plain("invalid signature", 403)
    if not timestamp_is_fresh(timestamp):
        logger.warning("android webhook: stale timestamp")
        return _plain("stale timestamp", 403)
    try:
        event = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _plain("body must be UTF-8 JSON", 400)
    if not isinstance(event, dict) or not isinstance(event.get("payload", {}), dict):
        return _plain("body must be a JSON object with an object payload", 400)
    event_id, kind = event.get("id"), event.get("event")
    device_id = event.get("deviceId") or ""
    payload = event.get("payload") or {}
    if not isinstance(event_id, str) or not EVENT_ID.match(event_id):
        return _plain("id is required", 400)
    if not isinstance(kind, str) or kind not in {RECEIVED, MMS_DOWNLOADED, PING, *STATUS_EVENTS, *IGNORED_EVENTS}:
        return _plain("unknown event", 400)
    if not isinstance(device_id, str) or not DEVICE_ID.match(device_id):
        return _plain("deviceId is malformed", 400)
    if kind == RECEIVED:
        sender, body = payload.get("phoneNumber"), payload.get("message")
        if not isinstance(sender, str) or not sender.strip() or not isinstance(body, str):
            return _plain("payload.phoneNumber and payload.message are required", 400)
    if kind == MMS_DOWNLOADED:
        sender = payload.get("sender") or payload.get("phoneNumber")
        if not isinstance(sender, str) or not sender.strip() or not isinstance(payload.get("attachments", []), list):
            return _plain("payload.sender and payload.attachments are required", 400)
    try:
        with transaction.atomic():
            ProviderEvent.objects.create(provider=PROVIDER, event_id=event_id, kind=kind, received_at=now_minute())
            _apply(kind, device_id, payload, event_id)
    except IntegrityError:
        # The same event again: the app's own retry, or a replay. Already handled.
        return JsonResponse({"ok": True, "duplicate": True})
    return JsonResponse({"ok": True})


MAX_MMS_PICTURES = 10


def _mms_pictures(attachments: list) -> list[str]:
    """The base64 image parts of an MMS, as the phone sent them: checked to be base64,
    decoded and re-encoded from their pixels later by the report's intake."""
    pictures = []
    for part in attachments[:MAX_MMS_PICTURES]:
        if not isinstance(part, dict) or not str(part.get("contentType", "")).startswith("image/"):
            continue
        data = part.get("data")
        if isinstance(data, str) and data:
            try:
                base64.b64decode(data, validate=True)
            except (binascii.Error, ValueError):
                continue
            pictures.append(data)
    return pictures


def _apply(kind: str, device_id: str, payload: dict, event_id: str) -> None:
    if kind == RECEIVED:
        services.inbound_store(
            provider=PROVIDER,
            provider_message_id=event_id,
            sender=payload["phoneNumber"],
            body=payload["message"],
        )
    elif kind == MMS_DOWNLOADED:
        pictures = _mms_pictures(payload.get("attachments") or [])
        body = payload.get("body")
        services.inbound_store(
            provider=PROVIDER,
            provider_message_id=event_id,
            sender=payload.get("sender") or payload["phoneNumber"],
            body=body if isinstance(body, str) else "",
            num_media=len(pictures),
            media_data=pictures,
        )
    elif kind == PING:
        gateways.gateway_ping(provider=PROVIDER, device_id=device_id)
    elif kind in STATUS_EVENTS:
        message_id = payload.get("messageId")
        if isinstance(message_id, str) and message_id:
            services.outbound_status_update(
                provider=PROVIDER, provider_message_id=message_id[:64], status=STATUS_EVENTS[kind]
            )
        gateways.gateway_record_send(provider=PROVIDER, device_id=device_id, ok=kind != "sms:failed")
