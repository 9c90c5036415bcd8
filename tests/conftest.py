"""Shared fixtures: the gazetteer, signed Twilio requests, the in-memory SMS outbox."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client
from twilio.request_validator import RequestValidator

from messaging.backends import locmem
from tests.clock import clock  # noqa: F401  (the movable clock fixture, for every test)
from tests.voice_prompts import voice_prompt_folder, voice_prompts  # noqa: F401  (synthesised prompts)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Lockout counters, locks and the place index must not leak from one test to the next."""
    from django.core.cache import cache

    from focal_points import directory
    from veille import task_metrics

    cache.clear()
    # What this process remembers of the cache goes with it.
    task_metrics._known.clear()
    directory.forget()
    yield
    cache.clear()
    directory.forget()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Import the gazetteer once into the test database: most tests need places."""
    from places.services import gazetteer_import

    with django_db_blocker.unblock():
        gazetteer_import()


@pytest.fixture
def gazetteer(db) -> None:
    """Mali's regions, cercles and communes. Transactional tests flush the tables after
    themselves, so import again when a previous test left none."""
    from places.models import Commune
    from places.services import gazetteer_import, places_index_invalidate

    if not Commune.objects.exists():
        gazetteer_import()
        places_index_invalidate()  # primary keys changed: the cached index is stale


DEPLOYMENT_FIXTURE = Path(__file__).resolve().parents[1] / "focal_points" / "fixtures" / "deployment_mopti.csv"


@pytest.fixture
def deployment(gazetteer) -> None:
    """A region's relays, coordinators, units, oversight, support and mediators."""
    from focal_points.services import members_import_csv

    members_import_csv(DEPLOYMENT_FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture
def outbox() -> Iterator[list[locmem.SentSms]]:
    locmem.outbox.clear()
    locmem.deleted_copies.clear()
    yield locmem.outbox
    locmem.outbox.clear()
    locmem.deleted_copies.clear()


@pytest.fixture
def twilio_transport(monkeypatch, settings):
    """The production Twilio backend, built from settings, over a recording transport.

    ``settings.SMS_BACKEND`` is the real ``TwilioBackend``; only ``requests``' adapter is
    replaced (see tests/messaging/providers/twilio/transport.py)."""
    import requests

    from tests.messaging.providers.twilio.transport import FakeTwilioTransport

    transport = FakeTwilioTransport()

    def send(adapter, request, **kwargs):
        return transport.send(adapter, request, **kwargs)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)
    settings.SMS_BACKEND = "messaging.providers.twilio.backend.TwilioBackend"
    return transport


def africastalking_url() -> str:
    """The Africa's Talking USSD callback, with the test settings' secret in its path."""
    return f"/channels/ussd/africastalking/{settings.AFRICASTALKING_CALLBACK_SECRET}/"


def twilio_signature(path: str, params: dict[str, str], token: str | None = None) -> str:
    validator = RequestValidator(token or settings.TWILIO_AUTH_TOKEN)
    return validator.compute_signature(settings.PUBLIC_BASE_URL + path, params)


class TwilioPhone:
    """Posts what Twilio would post for an SMS from ``number``, correctly signed."""

    def __init__(self, client: Client, number: str, capture_on_commit=None) -> None:
        self.client = client
        self.capture_on_commit = capture_on_commit
        self.number = number
        self.sent = 0

    def send(self, body: str, *, sid: str | None = None, extra: dict[str, str] | None = None):
        self.sent += 1
        sid = sid or f"SM{abs(hash((self.number, body, self.sent))):032x}"[:34]
        params = {
            "MessageSid": sid,
            "AccountSid": settings.TWILIO_ACCOUNT_SID,
            "From": self.number,
            "To": settings.TWILIO_FROM_NUMBER,
            "Body": body,
            "NumMedia": "0",
            "FromCity": "DOUENTZA",
            "FromState": "MOPTI",
            "FromCountry": "ML",
            **(extra or {}),
        }
        path = "/channels/twilio/sms/"

        def post():
            return self.client.post(
                path,
                data=urlencode(params),
                content_type="application/x-www-form-urlencoded",
                HTTP_X_TWILIO_SIGNATURE=twilio_signature(path, params),
            )

        if self.capture_on_commit is None:
            return post()
        # Inside a test transaction nothing commits: run what would run after commit
        # (the eager worker tasks) as a real commit would.
        with self.capture_on_commit(execute=True):
            return post()


@pytest.fixture
def phone(client: Client, django_capture_on_commit_callbacks) -> TwilioPhone:
    return TwilioPhone(client, "+22376123456", django_capture_on_commit_callbacks)


@pytest.fixture
def staff_client(deployment, client):
    """Log a named member in as the real login would leave them: password and a verified
    TOTP device. Usage: ``staff_client("Aminata Guindo")`` returns a client."""
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from focal_points.models import Member

    def login_as(name: str, *, superuser: bool = False):
        member = Member.objects.get(name=name)
        if member.user is None:
            user_model = get_user_model()
            member.user = user_model.objects.create_user(
                username=f"staff{member.pk}",
                password="correct horse battery staple",
                is_superuser=superuser,
                is_staff=superuser,
            )
            member.save(update_fields=["user"])
        device = TOTPDevice.objects.create(user=member.user, name="phone", confirmed=True)
        client.force_login(member.user)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session["veille_code_at"] = int(time.time())  # the login's code, just checked
        session.save()
        return client

    return login_as


@pytest.fixture
def admin_otp_client(staff_client):
    """A verified superuser (the national coordinator) in the admin."""
    return staff_client("Ibrahim Keita", superuser=True)
