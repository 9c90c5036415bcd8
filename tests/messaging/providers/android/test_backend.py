"""The Android gateway's backend, built from settings as a worker builds it, with only
``requests``' transport replaced: the request that would reach the phone, its errors,
end-to-end encryption, and the refusal of an unencrypted cloud."""

from __future__ import annotations

import base64

import pytest
import requests

from messaging import services
from messaging.backends import BackendUnavailable, get_backend
from messaging.models import OutboundMessage, OutboundStatus
from messaging.providers.android.backend import AndroidGatewayBackend
from tests.messaging.providers.android.transport import GATEWAY_URL, json_response

pytestmark = pytest.mark.django_db
NUMBER = "+22376123456"
BODY = "Veille: message recu. Code de suivi: K7M2Q9"


def send_one() -> OutboundMessage:
    message = services.outbound_enqueue(to_number=NUMBER, body=BODY, purpose="receipt")
    services.outbound_send(message_id=message.pk)
    message.refresh_from_db()
    return message


def test_the_worker_sends_the_request_the_phone_expects(android, settings):
    message = send_one()

    (request,) = android.gateway.sends
    assert request.url == f"{GATEWAY_URL}/messages"
    assert request.json["phoneNumbers"] == [NUMBER]
    assert request.json["textMessage"] == {"text": BODY}
    assert request.json["withDeliveryReport"] is True
    assert request.json["ttl"] == settings.ANDROID_GATEWAY_MESSAGE_TTL_SECONDS
    assert "deviceId" not in request.json  # local mode: the phone is the server
    expected = base64.b64encode(b"sms:gateway-password").decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert request.timeout == settings.ANDROID_GATEWAY_HTTP_TIMEOUT_SECONDS
    assert (message.status, message.provider, message.lane) == (OutboundStatus.SENT, "android", "android:default")
    assert android.twilio.requests == []


def test_each_phone_of_an_account_is_its_own_lane(android, settings):
    settings.ANDROID_GATEWAY_MODE = "private"
    settings.ANDROID_GATEWAY_DEVICES = ["phoneA", "phoneB"]

    backend = get_backend("messaging.providers.android.backend.AndroidGatewayBackend")

    assert [lane.key for lane in backend.lanes()] == ["android:phoneA", "android:phoneB"]
    assert backend.lanes()[0].rate == pytest.approx(settings.ANDROID_GATEWAY_SMS_PER_MINUTE / 60)
    send_one()
    assert android.gateway.sends[0].json["deviceId"] in {"phoneA", "phoneB"}


def test_the_pace_of_one_phone_defaults_to_androids_own_limit():
    from django.conf import settings as live

    assert live.ANDROID_GATEWAY_SMS_PER_MINUTE == 29


def test_with_a_passphrase_the_number_and_text_leave_encrypted(android, settings):
    settings.ANDROID_GATEWAY_PASSPHRASE = "correct horse battery staple"
    settings.ANDROID_GATEWAY_ENCRYPTION_ITERATIONS = 1000

    send_one()

    payload = android.gateway.sends[0].json
    assert payload["isEncrypted"] is True
    assert NUMBER not in str(payload) and "K7M2Q9" not in str(payload)
    from android_sms_gateway.encryption import AESEncryptor

    decrypt = AESEncryptor("correct horse battery staple", iterations=1000).decrypt
    assert decrypt(payload["phoneNumbers"][0]) == NUMBER
    assert decrypt(payload["textMessage"]["text"]) == BODY


def test_cloud_mode_without_encryption_is_refused(android, settings):
    settings.ANDROID_GATEWAY_MODE = "cloud"

    with pytest.raises(BackendUnavailable, match="cloud without end-to-end encryption"):
        AndroidGatewayBackend()


@pytest.mark.parametrize("status", [400, 422])
def test_a_request_the_phone_refuses_fails_the_message(android, status):
    android.gateway.replies = [json_response(status, {"code": status, "message": "invalid phone number"})]

    message = send_one()

    assert (message.status, message.error_code) == (OutboundStatus.FAILED, str(status))
    assert android.twilio.requests == []


@pytest.mark.parametrize(
    "reply",
    [
        json_response(500, {"code": 500, "message": "internal"}),
        json_response(503, {"code": 503, "message": "unavailable"}),
        json_response(401, {"code": 401, "message": "unauthorized"}),
        requests.exceptions.ConnectTimeout("timed out"),
        requests.exceptions.ConnectionError("refused"),
    ],
    ids=["500", "503", "401", "timeout", "refused"],
)
def test_a_phone_that_fails_hands_the_message_to_the_next_provider(android, reply):
    android.gateway.replies = [reply]

    message = send_one()

    assert (message.status, message.provider) == (OutboundStatus.SENT, "twilio")
    assert android.twilio.sends[0].form["To"] == NUMBER
    details = list(message.events.values_list("detail", flat=True))
    assert any(detail.startswith("failover from android") for detail in details)
