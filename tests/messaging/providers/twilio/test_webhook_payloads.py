"""Recorded Twilio payloads replayed against the SMS webhook and the status callback.

Each table row is what Twilio (or someone pretending to be Twilio) really sends; every
row gets a defined answer, and nothing of the provider's location fields survives in the
database, in clear or inside the ciphertext.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection
from django.http import QueryDict
from django.test import Client

from messaging.models import (
    ContactVaultEntry,
    InboundMessage,
    InboundStatus,
    OptOut,
    OutboundEvent,
    OutboundMessage,
    OutboundStatus,
)
from messaging.services import outbound_enqueue, vault_store
from reporting.models import Report
from tests.conftest import twilio_signature
from veille.phones import number_variants, pseudonym_for

pytestmark = pytest.mark.django_db

SMS_PATH = "/channels/twilio/sms/"
STATUS_PATH = "/channels/twilio/status/"
NUMBER = "+22376123456"
SID = "SM" + "5e0c1a7b" * 4
BODY = "des hommes armes ont attaque le marche de Boni ce matin"
# Values chosen so that a search of the stored bytes cannot match anything else.
LOCATION = {
    "FromCity": "DOUENTZA",
    "FromState": "MOPTI",
    "FromZip": "99071",
    "FromCountry": "ML",
    "ToCity": "KAYESVILLE",
    "ToState": "KAYES-ETAT",
    "ToZip": "99001",
    "ToCountry": "ML",
}
LOCATION_MARKERS = ["DOUENTZA", "MOPTI", "99071", "KAYESVILLE", "KAYES-ETAT", "99001"]


def recorded_sms(**changes: str | None) -> dict[str, str]:
    """Every field Twilio posts for an inbound SMS, as captured from a real request.
    A change to None drops the field."""
    params = {
        "ToCountry": LOCATION["ToCountry"],
        "ToState": LOCATION["ToState"],
        "SmsMessageSid": SID,
        "NumMedia": "0",
        "ToCity": LOCATION["ToCity"],
        "FromZip": LOCATION["FromZip"],
        "SmsSid": SID,
        "FromState": LOCATION["FromState"],
        "SmsStatus": "received",
        "FromCity": LOCATION["FromCity"],
        "Body": BODY,
        "FromCountry": LOCATION["FromCountry"],
        "To": "+22370000000",
        "MessagingServiceSid": "MG" + "9d4b" * 8,
        "ToZip": LOCATION["ToZip"],
        "NumSegments": "1",
        "MessageSid": SID,
        "AccountSid": "AC" + "0" * 32,
        "From": NUMBER,
        "ApiVersion": "2010-04-01",
    }
    for name, value in changes.items():
        if value is None:
            params.pop(name, None)
        else:
            params[name] = value
    return params


def signed_post(
    client: Client,
    params: dict[str, str] | QueryDict,
    *,
    path: str = SMS_PATH,
    body: bytes | str | None = None,
    signature: str | None = None,
):
    """POST form-encoded ``body`` (default: ``params`` encoded) signed over ``params``."""
    if signature is None:
        signature = twilio_signature(path, params)
    return client.post(
        path,
        data=urlencode(params) if body is None else body,
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
    )


def stored_bytes() -> bytes:
    """Every value of every row outside the gazetteer, as the database holds it."""
    chunks: list[bytes] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table.startswith("places_"):
                continue  # the gazetteer names real places, by design
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | bytearray | memoryview):
                        chunks.append(bytes(value))
                    elif value is not None:
                        chunks.append(str(value).encode("utf-8"))
    return b"\x00".join(chunks)


def decrypted_texts() -> str:
    """What the ciphertext columns open to: payloads, report text, queued SMS."""
    parts: list[str] = []
    parts += [repr(m.payload) for m in InboundMessage.objects.all()]
    parts += [r.description or "" for r in Report.objects.all()]
    parts += [f"{m.recipient} {m.body}" for m in OutboundMessage.objects.all()]
    return "\n".join(parts)


def _as_token(marker: str) -> re.Pattern[bytes]:
    # A marker as a value or a word of one, not five characters inside a digest, a
    # random code or a ciphertext (a hex digest held "99001" once in a while by chance).
    return re.compile(rb"(?<![0-9A-Za-z])" + re.escape(marker.encode()) + rb"(?![0-9A-Za-z])")


def assert_no_location_stored() -> None:
    raw, opened = stored_bytes(), decrypted_texts()
    for marker in LOCATION_MARKERS:
        assert not _as_token(marker).search(raw), f"{marker} is in the database"
        assert not _as_token(marker).search(opened.encode()), f"{marker} is inside a ciphertext"


@pytest.fixture
def post(client: Client, django_capture_on_commit_callbacks) -> Callable[..., object]:
    """A signed post whose after-commit work (the eager worker) runs as a commit would."""

    def send(params, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return signed_post(client, params, **kwargs)

    return send


# --- Inbound SMS: accepted -----------------------------------------------------------


@dataclass(frozen=True)
class Accepted:
    params: dict[str, str]
    num_media: int
    body: str = BODY


ACCEPTED = {
    "genuine sms, every field twilio sends": Accepted(recorded_sms(), num_media=0),
    "mms with a photo": Accepted(
        recorded_sms(
            MessageSid="MM" + "4c" * 16,
            SmsMessageSid="MM" + "4c" * 16,
            SmsSid="MM" + "4c" * 16,
            NumMedia="1",
            MediaUrl0="https://api.twilio.com/2010-04-01/Accounts/AC00/Messages/MM4c/Media/ME1f",
            MediaContentType0="image/jpeg",
        ),
        num_media=1,
    ),
    "unknown fields twilio may add": Accepted(
        recorded_sms(AddOns='{"status":"successful"}', ReferralNumMedia="0", FutureField="x" * 300), num_media=0
    ),
    "older payload with SmsSid only": Accepted(recorded_sms(MessageSid=None, SmsMessageSid=None), num_media=0),
    "garbage media count": Accepted(recorded_sms(NumMedia="deux"), num_media=0),
    "absurd media count is capped": Accepted(recorded_sms(NumMedia="999"), num_media=10),
    "empty body photo alone": Accepted(recorded_sms(Body="", NumMedia="1"), num_media=1, body=""),
}


@pytest.mark.parametrize("case", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_it_accepts_recorded_twilio_payloads(case: Accepted, post, gazetteer, outbox):
    response = post(case.params)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert b"<Response/>" in response.content
    message = InboundMessage.objects.get()
    assert message.provider_message_id == case.params.get("MessageSid", case.params.get("SmsSid"))
    assert message.status == InboundStatus.PROCESSED
    assert message.sender_pseudonym == pseudonym_for(NUMBER)
    # Only what processing needs is kept: no media URL, no location, no number.
    assert message.payload == {"body": case.body, "num_media": case.num_media}
    assert Report.objects.count() == (1 if case.body else 0)
    assert_no_location_stored()


def test_the_number_is_nowhere_in_clear_after_processing(post, gazetteer, outbox):
    post(recorded_sms())

    raw = stored_bytes()
    # The scan does see the inbound row (its pseudonym is stored in clear, by design).
    assert InboundMessage.objects.get().sender_pseudonym.encode() in raw
    for variant in number_variants(NUMBER):
        assert variant.encode() not in raw
    assert BODY.encode() not in raw
    assert ContactVaultEntry.objects.get().number == NUMBER


# --- Inbound SMS: rejected -----------------------------------------------------------


def _sign_for(url: str, params: dict[str, str], token: str | None = None) -> str:
    from twilio.request_validator import RequestValidator

    return RequestValidator(token or settings.TWILIO_AUTH_TOKEN).compute_signature(url, params)


@dataclass(frozen=True)
class Rejected:
    params: dict[str, str]
    signature: Callable[[dict[str, str]], str]
    status: int
    body: Callable[[dict[str, str]], str] | None = None
    reason: str = field(default="")


PUBLIC = "https://veille.example.org"
REJECTED = {
    "forged signature": Rejected(recorded_sms(), lambda p: "c2lnbmF0dXJlLWZvcmdlZA==", 403),
    "empty signature": Rejected(recorded_sms(), lambda p: "", 403),
    "signed with another auth token": Rejected(
        recorded_sms(), lambda p: _sign_for(PUBLIC + SMS_PATH, p, token="someone-elses-token"), 403
    ),
    "signed for http instead of https": Rejected(
        recorded_sms(), lambda p: _sign_for("http://veille.example.org" + SMS_PATH, p), 403
    ),
    "signed without the trailing slash": Rejected(
        recorded_sms(), lambda p: _sign_for(PUBLIC + SMS_PATH.rstrip("/"), p), 403
    ),
    "signed for another host": Rejected(
        recorded_sms(), lambda p: _sign_for("https://evil.example.net" + SMS_PATH, p), 403
    ),
    "signed before the body was altered": Rejected(
        recorded_sms(),
        lambda p: twilio_signature(SMS_PATH, p),
        403,
        body=lambda p: urlencode({**p, "Body": "tout va bien"}),
    ),
    "truncated body": Rejected(
        recorded_sms(), lambda p: twilio_signature(SMS_PATH, p), 403, body=lambda p: urlencode(p)[:-37]
    ),
    "missing MessageSid": Rejected(
        recorded_sms(MessageSid=None, SmsSid=None), lambda p: twilio_signature(SMS_PATH, p), 400
    ),
    "malformed MessageSid": Rejected(
        recorded_sms(MessageSid="SM' OR 1=1 --", SmsSid=None), lambda p: twilio_signature(SMS_PATH, p), 400
    ),
    "missing From": Rejected(recorded_sms(From=None), lambda p: twilio_signature(SMS_PATH, p), 400),
    "blank From": Rejected(recorded_sms(From="  "), lambda p: twilio_signature(SMS_PATH, p), 400),
}


@pytest.mark.parametrize("case", REJECTED.values(), ids=REJECTED.keys())
def test_it_rejects_what_it_cannot_verify_or_use(case: Rejected, client, gazetteer, outbox):
    body = case.body(case.params) if case.body else None

    response = signed_post(client, case.params, body=body, signature=case.signature(case.params))

    assert response.status_code == case.status
    assert InboundMessage.objects.count() == 0
    assert Report.objects.count() == 0
    assert outbox == []


def test_it_rejects_a_post_without_signature_header(client, gazetteer):
    response = client.post(SMS_PATH, data=urlencode(recorded_sms()), content_type="application/x-www-form-urlencoded")

    assert response.status_code == 403
    assert InboundMessage.objects.count() == 0


@pytest.mark.parametrize("method", ["get", "put", "delete", "patch"])
def test_it_answers_405_to_anything_but_post(method: str, client, gazetteer):
    response = getattr(client, method)(SMS_PATH, HTTP_X_TWILIO_SIGNATURE=twilio_signature(SMS_PATH, {}))

    assert response.status_code == 405
    assert InboundMessage.objects.count() == 0


def test_an_oversized_post_gets_400_not_500(client, gazetteer):
    params = recorded_sms(Body="a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10))

    response = signed_post(client, params)

    assert response.status_code == 400
    assert InboundMessage.objects.count() == 0


def test_a_post_with_too_many_fields_gets_400_not_500(client, gazetteer):
    params = recorded_sms(**{f"Extra{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)})

    response = signed_post(client, params)

    assert response.status_code == 400
    assert InboundMessage.objects.count() == 0


def test_a_long_body_is_stored_cut_to_the_configured_length(post, gazetteer, outbox):
    long_body = "attaque a Boni. " * 1000

    response = post(recorded_sms(Body=long_body))

    assert response.status_code == 200
    assert InboundMessage.objects.get().payload["body"] == long_body[: settings.INBOUND_SMS_MAX_CHARS]


NON_UTF8 = {
    # A phone or gateway that sent Latin-1: "%E9" is no UTF-8 sequence.
    "percent-escaped latin-1": (b"attaque au march%E9 de Boni", "attaque au march\ufffd de Boni"),
    # A truncated multi-byte sequence at the end of the body.
    "cut utf-8 sequence": (b"attaque a Boni %C3", "attaque a Boni \ufffd"),
    # Raw, unescaped non-ASCII bytes: Django falls back to Latin-1 for the whole body.
    "raw latin-1 byte": (b"attaque au march\xe9 de Boni", "attaque au march\xe9 de Boni"),
}


@pytest.mark.parametrize("raw_body, expected", NON_UTF8.values(), ids=NON_UTF8.keys())
def test_it_accepts_bytes_that_are_not_utf8(raw_body: bytes, expected: str, post, gazetteer, outbox):
    params = recorded_sms(Body=None)
    body = urlencode(params).encode("ascii") + b"&Body=" + raw_body
    # Twilio signs the text it sent; the webhook validates what Django decoded. Sign that.
    decoded = QueryDict(body)
    assert decoded["Body"] == expected

    response = post(decoded, body=body)

    assert response.status_code == 200
    message = InboundMessage.objects.get()
    assert message.status == InboundStatus.PROCESSED
    assert message.payload["body"] == expected
    assert Report.objects.get().description == expected


def test_the_same_message_sid_twice_is_one_message(post, gazetteer, outbox):
    first = post(recorded_sms())
    again = post(recorded_sms())
    # A replay with other content under the same id changes nothing either.
    altered = post(recorded_sms(Body="tout est calme"))

    assert first.status_code == again.status_code == altered.status_code == 200
    message = InboundMessage.objects.get()
    assert message.payload["body"] == BODY
    report = Report.objects.get()
    assert report.message_count == 1
    assert len([sms for sms in outbox if sms.to == NUMBER]) == 1


# --- Status callbacks ----------------------------------------------------------------

OUT_SID = "SM" + "77aa" * 8


@pytest.fixture
def sent_sms(db) -> Iterator[OutboundMessage]:
    """A receipt the provider accepted, with the recipient's number in the vault."""
    vault_store(pseudonym=pseudonym_for(NUMBER), number=NUMBER)
    message = outbound_enqueue(to_number=NUMBER, body="Veille: message recu. Code de suivi: ABCD", purpose="receipt")
    assert message is not None
    OutboundMessage.objects.filter(pk=message.pk).update(status=OutboundStatus.SENT, provider_message_id=OUT_SID)
    yield OutboundMessage.objects.get(pk=message.pk)


def status_params(status: str, error_code: str = "", sid: str = OUT_SID) -> dict[str, str]:
    """A recorded Twilio status callback."""
    params = {
        "SmsSid": sid,
        "SmsStatus": status,
        "MessageStatus": status,
        "To": NUMBER,
        "MessagingServiceSid": "MG" + "9d4b" * 8,
        "MessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": "+22370000000",
        "ApiVersion": "2010-04-01",
    }
    if error_code:
        params["ErrorCode"] = error_code
    return params


STATUS_CASES = {
    "delivered": ("delivered", "", OutboundStatus.DELIVERED, False),
    "read (whatsapp-style) counts as delivered": ("read", "", OutboundStatus.DELIVERED, False),
    "failed, carrier error": ("failed", "30008", OutboundStatus.FAILED, False),
    "undelivered, unreachable handset": ("undelivered", "30003", OutboundStatus.UNDELIVERED, False),
    "undelivered, recipient sent STOP": ("undelivered", "21610", OutboundStatus.UNDELIVERED, True),
    "failed, recipient sent STOP": ("failed", "21610", OutboundStatus.FAILED, True),
    "sent again changes nothing": ("sent", "", OutboundStatus.SENT, False),
}


@pytest.mark.parametrize("twilio_status, error_code, expected, opted_out", STATUS_CASES.values(), ids=STATUS_CASES)
def test_it_applies_genuine_status_callbacks(
    twilio_status: str, error_code: str, expected: str, opted_out: bool, client, sent_sms
):
    queued_later = outbound_enqueue(to_number=NUMBER, body="Veille: signalement ABCD: recu.", purpose="status")
    assert queued_later is not None
    events_before = OutboundEvent.objects.filter(message=sent_sms).count()

    response = signed_post(client, status_params(twilio_status, error_code), path=STATUS_PATH)

    assert response.status_code == 204
    sent_sms.refresh_from_db()
    assert sent_sms.status == expected
    assert sent_sms.error_code == error_code
    new_events = list(OutboundEvent.objects.filter(message=sent_sms).values_list("status", flat=True))[events_before:]
    assert new_events == ([] if expected == OutboundStatus.SENT else [expected])
    pseudonym = pseudonym_for(NUMBER)
    assert OptOut.objects.filter(pseudonym=pseudonym).exists() is opted_out
    assert ContactVaultEntry.objects.filter(pseudonym=pseudonym).exists() is not opted_out
    queued_later.refresh_from_db()
    assert queued_later.status == (OutboundStatus.CANCELLED if opted_out else OutboundStatus.QUEUED)


def test_a_forged_status_callback_is_refused(client, sent_sms):
    response = signed_post(client, status_params("failed", "21610"), path=STATUS_PATH, signature="Zm9yZ2Vk")

    assert response.status_code == 403
    sent_sms.refresh_from_db()
    assert sent_sms.status == OutboundStatus.SENT
    assert not OptOut.objects.exists()


def test_a_status_callback_for_an_unknown_sid_is_ignored(client, sent_sms):
    response = signed_post(client, status_params("failed", "21610", sid="SM" + "0" * 32), path=STATUS_PATH)

    assert response.status_code == 204
    sent_sms.refresh_from_db()
    assert sent_sms.status == OutboundStatus.SENT
    assert not OptOut.objects.exists()


def test_a_status_callback_without_a_message_sid_gets_400(client, sent_sms):
    response = signed_post(client, {"MessageStatus": "delivered"}, path=STATUS_PATH)

    assert response.status_code == 400
    sent_sms.refresh_from_db()
    assert sent_sms.status == OutboundStatus.SENT


@pytest.mark.parametrize("word", ["", "scheduled", "partially_delivered"])
def test_a_status_word_we_do_not_map_is_acknowledged_and_ignored(word: str, client, sent_sms):
    response = signed_post(client, status_params(word), path=STATUS_PATH)

    assert response.status_code == 204  # no error for Twilio to log, nothing recorded
    sent_sms.refresh_from_db()
    assert sent_sms.status == OutboundStatus.SENT


def test_a_canceled_message_counts_as_failed(client, sent_sms):
    response = signed_post(client, status_params("canceled"), path=STATUS_PATH)

    assert response.status_code == 204
    sent_sms.refresh_from_db()
    assert sent_sms.status == OutboundStatus.FAILED


ORDERS = {
    "late sent after delivered": (["delivered", "sent"], OutboundStatus.DELIVERED),
    "late queued after delivered": (["delivered", "queued"], OutboundStatus.DELIVERED),
    "failed after delivered": (["delivered", "failed"], OutboundStatus.DELIVERED),
    "delivered after undelivered": (["undelivered", "delivered"], OutboundStatus.UNDELIVERED),
    "out of order burst": (["sent", "delivered", "sending", "queued", "sent"], OutboundStatus.DELIVERED),
}


@pytest.mark.parametrize("sequence, final", ORDERS.values(), ids=ORDERS)
def test_a_status_never_goes_backwards(sequence: list[str], final: str, client, sent_sms):
    for twilio_status in sequence:
        assert signed_post(client, status_params(twilio_status), path=STATUS_PATH).status_code == 204

    sent_sms.refresh_from_db()
    assert sent_sms.status == final
    final_events = OutboundEvent.objects.filter(message=sent_sms, status=final)
    assert final_events.count() == 1
