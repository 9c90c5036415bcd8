"""SMS Gateway for Android delivers MMS as ``mms:downloaded`` with base64 attachments
(the client's webhooks.py ``MmsDownloadedPayload``): the pictures are accepted as
Twilio's are, re-encoded from their pixels and attached; nothing else is kept."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import ExifTags, Image

from messaging.models import InboundMessage
from reporting.models import Report
from tests.messaging.providers.android.test_webhook import post, recorded

pytestmark = pytest.mark.django_db
SECRET_MAKER = "SecretPhoneMaker"


def phone_jpeg() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = SECRET_MAKER
    out = io.BytesIO()
    Image.effect_noise((200, 150), 60).convert("RGB").save(out, format="JPEG", exif=exif)
    return out.getvalue()


def mms_event(attachments: list[dict], body: str = "attaque au marche de Boni") -> dict:
    event = recorded("sms:received", event_id="MmsEvt00001")
    event["event"] = "mms:downloaded"
    event["payload"] = {
        "messageId": "mms-1",
        "phoneNumber": "22376123456",
        "sender": "22376123456",
        "body": body,
        "receivedAt": "2026-12-01T10:15:00.000+00:00",
        "attachments": attachments,
    }
    return event


def part(data: bytes, content_type: str = "image/jpeg", part_id: int = 1) -> dict:
    return {"partId": part_id, "contentType": content_type, "data": base64.b64encode(data).decode(), "size": len(data)}


def test_an_android_mms_photo_is_cleaned_and_attached(android, client, gazetteer, django_capture_on_commit_callbacks):
    attachments = [part(phone_jpeg()), part(b"BEGIN:VCARD", "text/x-vcard", 2)]

    response = post(client, mms_event(attachments), capture=django_capture_on_commit_callbacks)

    assert response.status_code == 200
    report = Report.objects.get()
    assert report.description == "attaque au marche de Boni"
    stored = bytes(report.photos.get().image)
    assert SECRET_MAKER.encode() not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and not image.getexif()
    assert "media_data" not in InboundMessage.objects.get().payload  # not kept once attached


def test_an_android_mms_with_a_photo_alone_makes_a_report(
    android, client, gazetteer, django_capture_on_commit_callbacks
):
    post(client, mms_event([part(phone_jpeg())], body=""), capture=django_capture_on_commit_callbacks)

    assert Report.objects.get().photos.count() == 1


def test_an_android_mms_whose_picture_is_not_an_image_adds_no_photo(
    android, client, gazetteer, django_capture_on_commit_callbacks
):
    post(client, mms_event([part(b"<html>x</html>")]), capture=django_capture_on_commit_callbacks)

    assert Report.objects.get().photos.count() == 0
