"""Photos by MMS through Twilio: the worker fetches each MediaUrlN with the account's
credentials through the real Twilio client (only requests' transport is replaced),
re-encodes it from its pixels as the web form does, attaches it to the report, then
deletes the media from Twilio. The media URLs are never kept in clear, nor once fetched."""

from __future__ import annotations

import base64
import io
import uuid

import pytest
import requests
from django.conf import settings
from django.db import connection
from PIL import ExifTags, Image
from requests.structures import CaseInsensitiveDict

from messaging.models import InboundMessage, InboundStatus
from reporting.models import Report
from tests.conftest import TwilioPhone
from tests.messaging.providers.twilio.transport import API, twilio_error

pytestmark = pytest.mark.django_db
PHONE = "+22376543210"
SECRET_MAKER = "SecretPhoneMaker"


def phone_jpeg() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = SECRET_MAKER
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (14.0, 29.0, 37.5)
    out = io.BytesIO()
    Image.effect_noise((300, 200), 60).convert("RGB").save(out, format="JPEG", exif=exif)
    return out.getvalue()


def picture(data: bytes, content_type: str = "image/jpeg") -> requests.Response:
    reply = requests.Response()
    reply.status_code = 200
    reply._content = data
    reply.headers = CaseInsensitiveDict({"Content-Type": content_type})
    return reply


def mms(sid: str, count: int) -> tuple[dict[str, str], list[str]]:
    urls = [
        f"{API}/Accounts/{settings.TWILIO_ACCOUNT_SID}/Messages/{sid}/Media/ME{uuid.uuid4().hex}" for _ in range(count)
    ]
    extra = {"NumMedia": str(count)}
    for i, url in enumerate(urls):
        extra[f"MediaUrl{i}"] = url
        extra[f"MediaContentType{i}"] = "image/jpeg"
    return extra, urls


@pytest.fixture
def phone(client, django_capture_on_commit_callbacks, gazetteer):
    return TwilioPhone(client, PHONE, django_capture_on_commit_callbacks)


def test_an_mms_photo_is_fetched_cleaned_attached_and_deleted_at_twilio(phone, twilio_transport):
    sid = "MM" + uuid.uuid4().hex
    extra, urls = mms(sid, 1)
    twilio_transport.queue(picture(phone_jpeg()))

    assert phone.send("attaque au marche de Boni", sid=sid, extra=extra).status_code == 200

    fetch = [r for r in twilio_transport.requests if r.method == "GET"]
    assert [r.url for r in fetch] == urls
    expected_auth = base64.b64encode(f"{settings.TWILIO_ACCOUNT_SID}:{settings.TWILIO_AUTH_TOKEN}".encode()).decode()
    assert fetch[0].headers["Authorization"] == f"Basic {expected_auth}"
    assert fetch[0].timeout == settings.TWILIO_HTTP_TIMEOUT_SECONDS
    report = Report.objects.get()
    stored = bytes(report.photos.get().image)
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and not image.getexif()
    assert SECRET_MAKER.encode() not in stored
    media_deletes = [r for r in twilio_transport.deletes if "/Media/" in r.path]
    assert [r.url.removesuffix(".json") for r in media_deletes] == urls
    message = InboundMessage.objects.get()
    assert message.status == InboundStatus.PROCESSED and "media" not in message.payload


def test_the_media_urls_are_never_in_clear_in_the_database(client, gazetteer, twilio_transport):
    sid = "MM" + uuid.uuid4().hex
    extra, urls = mms(sid, 1)
    TwilioPhone(client, PHONE).send("attaque", sid=sid, extra=extra)  # stored, not yet processed

    assert InboundMessage.objects.get().payload["media"] == urls  # inside the encrypted payload
    media_sid = urls[0].rsplit("/", 1)[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM messaging_inboundmessage")
        rows = repr(cursor.fetchall())
    assert media_sid not in rows and "Media" not in rows


def test_a_photo_alone_makes_a_report_and_a_second_mms_joins_it(phone, twilio_transport):
    first_sid, second_sid = "MM" + uuid.uuid4().hex, "MM" + uuid.uuid4().hex
    extra, _ = mms(first_sid, 1)
    twilio_transport.queue(picture(phone_jpeg()))
    phone.send("", sid=first_sid, extra=extra)
    extra, _ = mms(second_sid, 2)
    twilio_transport.queue(picture(phone_jpeg()), picture(b"<html>not a photo</html>", "text/html"))
    phone.send("ils sont trois", sid=second_sid, extra=extra)

    report = Report.objects.get()
    assert report.photos.count() == 2  # the html was refused, as the web form refuses it
    assert report.description.endswith("ils sont trois")


def test_a_network_failure_keeps_the_message_pending_with_its_urls(phone, twilio_transport, settings):
    # The per-SMS task's first attempt, left pending for its retry or the sweep (a drain
    # of the Redis list hands the id to that same task: test_handoff.py).
    settings.INBOUND_HANDOFF = "task"
    sid = "MM" + uuid.uuid4().hex
    extra, urls = mms(sid, 1)
    twilio_transport.queue(requests.ConnectionError("down"))

    phone.send("attaque", sid=sid, extra=extra)  # the worker fails; the sweep retries later

    message = InboundMessage.objects.get()
    assert message.status == InboundStatus.PENDING and message.payload["media"] == urls
    assert not Report.objects.exists()


def test_a_media_url_of_another_host_is_never_fetched(phone, twilio_transport):
    sid = "MM" + uuid.uuid4().hex
    extra = {"NumMedia": "1", "MediaUrl0": "https://evil.example/steal", "MediaContentType0": "image/jpeg"}

    phone.send("attaque", sid=sid, extra=extra)

    assert not [r for r in twilio_transport.requests if r.method == "GET"]
    assert Report.objects.get().photos.count() == 0


def test_a_missing_picture_is_skipped_and_the_text_kept(phone, twilio_transport):
    sid = "MM" + uuid.uuid4().hex
    extra, _ = mms(sid, 1)
    twilio_transport.queue(twilio_error(404, 20404))

    phone.send("attaque au marche", sid=sid, extra=extra)

    assert Report.objects.get().description == "attaque au marche"
