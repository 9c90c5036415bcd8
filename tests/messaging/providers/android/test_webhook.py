"""SMS Gateway for Android's webhook, replayed from recorded payloads as a table: each
row is what the app (or someone pretending to be it) sends, and gets a defined answer.
Nothing unsigned, stale, replayed, truncated or garbled is stored."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass

import pytest
from django.db import connection

from messaging.models import GatewayDevice, InboundMessage, OutboundMessage, OutboundStatus, ProviderEvent
from messaging.services import outbound_enqueue
from reporting.models import Report
from tests.messaging.providers.android.conftest import SIGNING_KEY

pytestmark = pytest.mark.django_db

PATH = "/channels/android/webhook/"
NUMBER_AS_NETWORK_GIVES_IT = "22376123456"  # often without "+"
BODY = "des hommes armes ont attaque le marche de Boni ce matin"


def recorded(event: str = "sms:received", event_id: str = "Ey3hGq0aQ7rT", **payload: object) -> dict:
    """As the app posts it (the shape of its webhook documentation)."""
    default: dict[str, object] = {
        "sms:received": {
            "messageId": "abc123content",
            "message": BODY,
            "phoneNumber": NUMBER_AS_NETWORK_GIVES_IT,
            "simNumber": 1,
            "receivedAt": "2026-12-01T10:15:00.000+00:00",
        },
        "sms:sent": {"messageId": "OUT1", "phoneNumber": "+22376123456", "sentAt": "2026-12-01T10:15:00Z"},
        "sms:delivered": {"messageId": "OUT1", "phoneNumber": "+22376123456", "deliveredAt": "2026-12-01T10:16:00Z"},
        "sms:failed": {"messageId": "OUT1", "phoneNumber": "+22376123456", "reason": "RESULT_ERROR_NO_SERVICE"},
        "system:ping": {},
    }[event]
    return {
        "deviceId": "ffffffff0123456789abcdef",
        "event": event,
        "id": event_id,
        "payload": {**default, **payload},
        "webhookId": "LreFUt-Z3sSq0JufY9uWB",
    }


def sign(raw: bytes, timestamp: str, key: str = SIGNING_KEY) -> str:
    return hmac.new(key.encode(), raw + timestamp.encode(), hashlib.sha256).hexdigest()


def post(client, raw: bytes | dict, *, timestamp: str | None = None, signature: str | None = None, capture=None):
    body = raw if isinstance(raw, bytes) else json.dumps(raw).encode()
    stamp = timestamp if timestamp is not None else str(int(time.time()))
    headers = {"HTTP_X_TIMESTAMP": stamp, "HTTP_X_SIGNATURE": signature if signature is not None else sign(body, stamp)}

    def send():
        return client.post(PATH, data=body, content_type="application/json", **headers)

    if capture is None:
        return send()
    with capture(execute=True):
        return send()


@dataclass(frozen=True)
class Case:
    name: str
    body: bytes
    headers: dict
    status: int


def _raw(event: dict) -> bytes:
    return json.dumps(event).encode()


def test_a_signed_sms_is_stored_encrypted_answered_at_once_and_becomes_a_report(
    android, client, gazetteer, django_capture_on_commit_callbacks
):
    response = post(client, recorded(), capture=django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert response.json() == {"ok": True}
    message = InboundMessage.objects.get()
    assert (message.provider, message.provider_message_id, message.status) == ("android", "Ey3hGq0aQ7rT", "processed")
    assert Report.objects.count() == 1
    # Neither the number (in any form) nor the text is in the row in clear.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM messaging_inboundmessage")
        row = repr(cursor.fetchall())
    assert NUMBER_AS_NETWORK_GIVES_IT not in row and "76123456" not in row and "Boni" not in row


def test_the_app_retrying_the_same_event_changes_nothing(
    android, client, gazetteer, django_capture_on_commit_callbacks
):
    post(client, recorded(), capture=django_capture_on_commit_callbacks)

    again = post(client, recorded(), capture=django_capture_on_commit_callbacks)

    assert again.status_code == 200 and again.json() == {"ok": True, "duplicate": True}
    assert InboundMessage.objects.count() == 1 and Report.objects.count() == 1


def test_the_same_content_under_a_new_event_id_is_a_new_message(
    android, client, gazetteer, django_capture_on_commit_callbacks
):
    # messageId is content-based: two residents sending the same words share it.
    post(client, recorded(event_id="first-event"), capture=django_capture_on_commit_callbacks)
    post(
        client,
        recorded(event_id="second-event", phoneNumber="22366000000"),
        capture=django_capture_on_commit_callbacks,
    )

    assert InboundMessage.objects.count() == 2


REFUSED = [
    ("no signature", lambda raw, ts: {"HTTP_X_TIMESTAMP": ts}, 403),
    ("no timestamp", lambda raw, ts: {"HTTP_X_SIGNATURE": sign(raw, ts)}, 403),
    ("wrong key", lambda raw, ts: {"HTTP_X_TIMESTAMP": ts, "HTTP_X_SIGNATURE": sign(raw, ts, "another-key")}, 403),
    (
        "signature of another body",
        lambda raw, ts: {"HTTP_X_TIMESTAMP": ts, "HTTP_X_SIGNATURE": sign(raw + b" ", ts)},
        403,
    ),
    (
        "signature without the timestamp",
        lambda raw, ts: {
            "HTTP_X_TIMESTAMP": ts,
            "HTTP_X_SIGNATURE": hmac.new(SIGNING_KEY.encode(), raw, hashlib.sha256).hexdigest(),
        },
        403,
    ),
    (
        "stale by ten minutes",
        lambda raw, ts: {"HTTP_X_TIMESTAMP": str(int(ts) - 600), "HTTP_X_SIGNATURE": sign(raw, str(int(ts) - 600))},
        403,
    ),
    (
        "from the future",
        lambda raw, ts: {"HTTP_X_TIMESTAMP": str(int(ts) + 600), "HTTP_X_SIGNATURE": sign(raw, str(int(ts) + 600))},
        403,
    ),
    (
        "timestamp not a number",
        lambda raw, ts: {"HTTP_X_TIMESTAMP": "soon", "HTTP_X_SIGNATURE": sign(raw, "soon")},
        403,
    ),
]


@pytest.mark.parametrize("name, headers, status", REFUSED, ids=[row[0] for row in REFUSED])
def test_unsigned_forged_or_stale_requests_are_refused_and_store_nothing(android, client, name, headers, status):
    raw = _raw(recorded())
    response = client.post(PATH, data=raw, content_type="application/json", **headers(raw, str(int(time.time()))))

    assert response.status_code == status
    assert b"Boni" not in response.content
    assert not InboundMessage.objects.exists() and not ProviderEvent.objects.exists()


MALFORMED = [
    ("truncated JSON", _raw(recorded())[:-20]),
    ("not UTF-8", b'{"id": "x1", "event": "sms:received", "payload": {"message": "\xff\xfe"}}'),
    ("a list", b"[1, 2, 3]"),
    ("no id", _raw({k: v for k, v in recorded().items() if k != "id"})),
    ("id too long", _raw({**recorded(), "id": "x" * 65})),
    ("unknown event", _raw({**recorded(), "event": "sms:teleported"})),
    ("payload not an object", _raw({**recorded(), "payload": "hello"})),
    ("received without a number", _raw(recorded(phoneNumber=""))),
    ("received without a text", _raw({**recorded(), "payload": {"phoneNumber": "22376123456"}})),
    ("device id with a slash", _raw({**recorded(), "deviceId": "../etc"})),
]


@pytest.mark.parametrize("name, raw", MALFORMED, ids=[row[0] for row in MALFORMED])
def test_signed_but_malformed_bodies_get_400_and_store_nothing(android, client, name, raw):
    response = post(client, raw)

    assert response.status_code == 400
    assert not InboundMessage.objects.exists() and not ProviderEvent.objects.exists()


def test_it_answers_404_when_the_gateway_is_not_enabled(android, client, settings):
    settings.SMS_PROVIDERS = ["twilio"]

    assert post(client, recorded()).status_code == 404


def test_delivery_reports_move_the_status_forward_only(android, client, django_capture_on_commit_callbacks):
    message = outbound_enqueue(to_number="+22376123456", body="Veille: recu", purpose="receipt")
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=OutboundStatus.SENT, provider="android", provider_message_id="OUT1"
    )

    post(client, recorded("sms:delivered", event_id="ev-delivered"), capture=django_capture_on_commit_callbacks)
    post(client, recorded("sms:sent", event_id="ev-sent-late"), capture=django_capture_on_commit_callbacks)

    message.refresh_from_db()
    assert message.status == OutboundStatus.DELIVERED


def test_a_report_about_another_providers_message_changes_nothing(android, client):
    message = outbound_enqueue(to_number="+22376123456", body="Veille: recu", purpose="receipt")
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=OutboundStatus.SENT, provider="twilio", provider_message_id="OUT1"
    )

    post(client, recorded("sms:failed", event_id="ev-failed"))

    message.refresh_from_db()
    assert message.status == OutboundStatus.SENT


def test_a_ping_is_the_phones_heartbeat(android, client):
    assert post(client, recorded("system:ping", event_id="ping-1")).status_code == 200

    device = GatewayDevice.objects.get()
    assert (device.provider, device.device_id, device.state) == ("android", "ffffffff0123456789abcdef", "up")
    assert device.last_ping_at is not None


def test_an_event_we_do_not_use_is_acknowledged_and_ignored(android, client):
    response = post(client, {**recorded(), "event": "app:started", "payload": {}})

    assert response.status_code == 200
    assert not InboundMessage.objects.exists()
