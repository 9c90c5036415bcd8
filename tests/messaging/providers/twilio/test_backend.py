"""The production Twilio backend, built from settings exactly as a worker builds it, with
only the HTTP transport replaced (``twilio_transport``): the request that would leave is
asserted field by field, and the provider's error answers are replayed as a table."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

import pytest
import requests

from messaging import services
from messaging.backends import get_backend
from messaging.models import InboundMessage, OptOut, OutboundMessage, OutboundStatus
from messaging.providers.twilio.backend import TwilioBackend
from tests.conftest import twilio_signature
from tests.messaging.providers.twilio.transport import API, twilio_error
from veille.phones import pseudonym_for

pytestmark = pytest.mark.django_db

NUMBER = "+22376123456"
BODY = "Veille: message recu. Code de suivi: K7M2"


def queue_one() -> OutboundMessage:
    message = services.outbound_enqueue(to_number=NUMBER, body=BODY, purpose="receipt")
    assert message is not None
    return message


def send(message: OutboundMessage) -> str:
    """What the worker's task does: the service, with the backend built from settings."""
    outcome = services.outbound_send(message_id=message.pk)
    message.refresh_from_db()
    return outcome


def test_the_backend_is_built_from_settings_with_a_bounded_timeout(twilio_transport, settings):
    settings.TWILIO_HTTP_TIMEOUT_SECONDS = 7.5

    backend = get_backend()

    assert isinstance(backend, TwilioBackend)
    assert backend.client.http_client.timeout == 7.5


def test_the_worker_sends_the_request_twilio_expects(twilio_transport, settings):
    message = queue_one()

    assert send(message) == "sent"

    (request,) = twilio_transport.requests
    assert request.method == "POST"
    assert request.url == f"{API}/Accounts/{settings.TWILIO_ACCOUNT_SID}/Messages.json"
    assert request.form == {
        "To": NUMBER,
        "From": settings.TWILIO_FROM_NUMBER,
        "Body": BODY,
        "StatusCallback": "https://veille.example.org/channels/twilio/status/",
    }
    expected_auth = base64.b64encode(f"{settings.TWILIO_ACCOUNT_SID}:{settings.TWILIO_AUTH_TOKEN}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {expected_auth}"
    assert request.timeout == settings.TWILIO_HTTP_TIMEOUT_SECONDS
    assert (message.status, message.provider) == (OutboundStatus.SENT, "twilio")
    assert message.provider_message_id.startswith("SM") and len(message.provider_message_id) == 34


def test_a_messaging_service_replaces_the_from_number(twilio_transport, settings):
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "2" * 32

    send(queue_one())

    form = twilio_transport.sends[0].form
    assert form["MessagingServiceSid"] == "MG" + "2" * 32
    assert "From" not in form


def test_no_status_callback_is_asked_for_without_https(twilio_transport, settings):
    # Twilio signs callbacks against the URL; a plain-HTTP base URL cannot be verified.
    settings.PUBLIC_BASE_URL = "http://veille.example.org"

    send(queue_one())

    assert "StatusCallback" not in twilio_transport.sends[0].form


PERMANENT = [21211, 21408, 21612, 21614]


@pytest.mark.parametrize("code", PERMANENT)
def test_a_permanent_twilio_error_fails_the_message_at_once(twilio_transport, code):
    twilio_transport.queue(twilio_error(400, code))
    message = queue_one()

    assert send(message) == "failed"
    assert (message.status, message.error_code, message.attempts) == (OutboundStatus.FAILED, str(code), 1)
    assert not OptOut.objects.exists()


def test_error_21610_at_send_time_records_the_opt_out_like_a_stop(twilio_transport):
    twilio_transport.queue(twilio_error(400, 21610, "Attempt to send to unsubscribed recipient"))
    message = queue_one()
    later = queue_one()

    assert send(message) == "failed"

    assert message.error_code == "21610"
    assert OptOut.objects.filter(pseudonym=pseudonym_for(NUMBER)).exists()
    later.refresh_from_db()
    assert later.status == OutboundStatus.CANCELLED  # nothing more goes to that phone
    assert services.outbound_enqueue(to_number=NUMBER, body="x", purpose="receipt") is None


TRANSIENT = [
    (twilio_error(429, 20429, "Too Many Requests"), "20429"),
    (twilio_error(500, None), "500"),
    (twilio_error(503, None), "503"),
    (requests.exceptions.ReadTimeout("read timed out"), "timeout"),
    (requests.exceptions.ConnectTimeout("connect timed out"), "timeout"),
    (requests.exceptions.ConnectionError("connection refused"), "network"),
]


@pytest.mark.parametrize("reply, code", TRANSIENT, ids=[code for _, code in TRANSIENT])
def test_rate_limits_server_errors_and_timeouts_are_retried(twilio_transport, reply, code):
    twilio_transport.queue(reply)
    message = queue_one()

    assert send(message) == "retry"

    assert (message.status, message.error_code) == (OutboundStatus.QUEUED, code)
    assert message.next_attempt_at is not None


def test_a_retried_message_is_sent_on_its_next_attempt(twilio_transport):
    twilio_transport.queue(twilio_error(503, None))
    message = queue_one()
    send(message)
    OutboundMessage.objects.filter(pk=message.pk).update(next_attempt_at=None)

    assert send(message) == "sent"
    assert len(twilio_transport.sends) == 2
    assert message.attempts == 2


def test_a_backend_missing_its_credentials_fails_the_message_with_the_reason(twilio_transport, settings, caplog):
    settings.TWILIO_ACCOUNT_SID = ""
    message = queue_one()

    assert send(message) == "failed"

    assert (message.status, message.error_code) == (OutboundStatus.FAILED, "backend")
    detail = message.events.get(status=OutboundStatus.FAILED).detail
    assert detail.startswith("backend unavailable: BackendUnavailable: Twilio backend not configured")
    assert "TWILIO_ACCOUNT_SID" in detail
    assert "TWILIO_ACCOUNT_SID" in caplog.text
    assert twilio_transport.requests == []


# --- The provider's copies -----------------------------------------------------------


def post_inbound(client, sid: str) -> None:
    params = {"MessageSid": sid, "From": NUMBER, "To": "+22370000000", "Body": "attaque a Hombori", "NumMedia": "0"}
    path = "/channels/twilio/sms/"
    answer = client.post(
        path,
        data=urlencode(params),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=twilio_signature(path, params),
    )
    assert answer.status_code == 200


def test_an_inbound_sms_is_deleted_from_twilio_once_processed(
    twilio_transport, gazetteer, client, settings, django_capture_on_commit_callbacks
):
    sid = "SM" + "c" * 32
    with django_capture_on_commit_callbacks(execute=True):
        post_inbound(client, sid)

    assert InboundMessage.objects.get().status == "processed"
    (delete,) = twilio_transport.deletes
    assert delete.url == f"{API}/Accounts/{settings.TWILIO_ACCOUNT_SID}/Messages/{sid}.json"
    assert delete.timeout == settings.TWILIO_HTTP_TIMEOUT_SECONDS
    assert delete.headers["Authorization"].startswith("Basic ")


def test_an_inbound_copy_already_gone_counts_as_deleted(twilio_transport):
    twilio_transport.queue(twilio_error(404, 20404))

    assert get_backend().delete_copy("SM" + "d" * 32) is True


def test_a_failed_deletion_is_transient_and_retried_by_the_task(twilio_transport):
    from messaging.backends import TransientSendError

    twilio_transport.queue(requests.exceptions.ConnectionError("refused"))

    with pytest.raises(TransientSendError):
        get_backend().delete_copy("SM" + "d" * 32)


def test_no_copy_is_deleted_when_the_setting_is_off(twilio_transport, settings):
    settings.TWILIO_DELETE_INBOUND = False

    assert get_backend().delete_copy("SM" + "d" * 32) is False
    assert twilio_transport.requests == []


def status_callback(client, sid: str, status: str, error_code: str = ""):
    params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "0" * 32}
    if error_code:
        params["ErrorCode"] = error_code
    path = "/channels/twilio/status/"
    return client.post(
        path,
        data=urlencode(params),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=twilio_signature(path, params),
    )


@pytest.mark.parametrize("final", ["delivered", "undelivered", "failed"])
def test_a_sent_sms_is_deleted_from_twilio_once_its_status_is_final(
    twilio_transport, client, settings, django_capture_on_commit_callbacks, final
):
    message = queue_one()
    send(message)
    with django_capture_on_commit_callbacks(execute=True):
        assert status_callback(client, message.provider_message_id, "sent").status_code == 204
    assert twilio_transport.deletes == []  # Twilio refuses to delete a message in flight

    with django_capture_on_commit_callbacks(execute=True):
        assert status_callback(client, message.provider_message_id, final).status_code == 204

    (delete,) = twilio_transport.deletes
    assert delete.url == f"{API}/Accounts/{settings.TWILIO_ACCOUNT_SID}/Messages/{message.provider_message_id}.json"


def test_a_sent_sms_is_kept_at_twilio_when_deleting_is_off(
    twilio_transport, client, settings, django_capture_on_commit_callbacks
):
    settings.TWILIO_DELETE_INBOUND = False
    message = queue_one()
    send(message)

    with django_capture_on_commit_callbacks(execute=True):
        status_callback(client, message.provider_message_id, "delivered")

    assert twilio_transport.deletes == []


def test_a_status_callback_with_21610_records_the_opt_out(twilio_transport, client, django_capture_on_commit_callbacks):
    message = queue_one()
    send(message)

    with django_capture_on_commit_callbacks(execute=True):
        status_callback(client, message.provider_message_id, "failed", "21610")

    assert OptOut.objects.filter(pseudonym=pseudonym_for(NUMBER)).exists()


def test_a_slow_twilio_is_cut_off_at_the_timeout_not_waited_for(settings, monkeypatch):
    """A real socket: a loopback server that accepts and never answers. The client built
    from settings gives up after TWILIO_HTTP_TIMEOUT_SECONDS and the send is retried."""
    import socket
    import time

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    port = silent.getsockname()[1]
    settings.SMS_BACKEND = "messaging.providers.twilio.backend.TwilioBackend"
    settings.TWILIO_HTTP_TIMEOUT_SECONDS = 0.5
    backend = get_backend()
    # Point the real client's base URL at the silent server (its only change).
    monkeypatch.setattr(backend.client.api, "base_url", f"http://127.0.0.1:{port}")
    monkeypatch.setattr(type(backend.client.api.v2010), "base_url", f"http://127.0.0.1:{port}", raising=False)
    message = queue_one()
    started = time.monotonic()
    try:
        outcome = send(message)
    finally:
        silent.close()

    assert outcome == "retry"
    assert message.error_code == "timeout"
    assert time.monotonic() - started < 5


def test_the_status_callback_is_not_answered_when_twilio_is_not_enabled(client, settings):
    settings.SMS_PROVIDERS = []

    assert status_callback(client, "SM" + "1" * 32, "delivered").status_code == 404


def test_an_unknown_delivery_report_changes_nothing(twilio_transport, client):
    message = queue_one()
    send(message)

    assert status_callback(client, "SM" + "f" * 32, "delivered").status_code == 204

    message.refresh_from_db()
    assert message.status == OutboundStatus.SENT


def test_a_late_sent_report_never_undoes_delivered(twilio_transport, client, django_capture_on_commit_callbacks):
    message = queue_one()
    send(message)
    with django_capture_on_commit_callbacks(execute=True):
        status_callback(client, message.provider_message_id, "delivered")
        status_callback(client, message.provider_message_id, "sent")

    message.refresh_from_db()
    assert message.status == OutboundStatus.DELIVERED
    assert len(twilio_transport.deletes) == 1
