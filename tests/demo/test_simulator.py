"""The phone simulator drives the real webhooks and shows what the phone receives."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from messaging.models import InboundMessage
from reporting.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def sim(client, django_capture_on_commit_callbacks):
    def post(**data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/simulator/", data)

    return post


def test_it_shows_the_simulator_in_french(client):
    response = client.get("/simulator/")

    assert response.status_code == 200
    assert "Simulateur de téléphone" in response.content.decode()


def test_an_sms_goes_through_the_signed_webhook_and_the_receipt_appears(gazetteer, sim, outbox, client):
    response = sim(action="sms", number="+223 76 00 00 01", body="attaque au marche de boni")
    # The worker answers after the webhook did; the resident refreshes the phone.
    refreshed = client.get("/simulator/", {"number": "+223 76 00 00 01"})

    assert "HTTP 200" in response.content.decode()
    assert InboundMessage.objects.count() == 1
    assert Report.objects.get().commune.name == "Dangol-Boré"
    assert "Veille: message recu. Code de suivi:" in refreshed.content.decode()


def test_it_refuses_an_invalid_number_clearly(gazetteer, sim):
    response = sim(action="sms", number="pas un numero", body="attaque")

    assert "pas un numéro valide" in response.content.decode()
    assert InboundMessage.objects.count() == 0


def test_it_walks_a_ussd_session(gazetteer, sim):
    first = sim(action="dial", number="+223 76 00 00 01")
    page = first.content.decode()
    session_id = page.split('name="session_id" value="')[1].split('"')[0]

    second = sim(action="reply", number="+223 76 00 00 01", session_id=session_id, text="", input="1")

    assert first.status_code == second.status_code == 200
    assert 'class="ussd-screen"' in second.content.decode()


def test_it_is_not_served_outside_the_demo(client, settings):
    from django.urls import clear_url_caches, resolve
    from django.urls.exceptions import Resolver404

    import veille.urls

    settings.DEMO = False
    clear_url_caches()
    import importlib

    importlib.reload(veille.urls)
    try:
        with pytest.raises(Resolver404):
            resolve("/simulator/")
    finally:
        settings.DEMO = True
        importlib.reload(veille.urls)
        clear_url_caches()


def test_demo_setup_prepares_everything(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.VOICE_PROMPT_DIR = str(tmp_path / "voice-prompts")
    out = io.StringIO()

    # (The place names' prompts, a minute of synthesis, are left to `make run`.)
    call_command("demo_setup", "--voice-texts-only", stdout=out)
    reports = Report.objects.count()
    call_command("demo_setup", "--voice-texts-only", stdout=out)  # a second run changes nothing
    assert (tmp_path / "voice-prompts" / "fr" / "voice.menu.wav").is_file()
    assert "en: 0 prompt(s) synthesised" in out.getvalue()  # the second run: nothing to redo

    assert "Staff account: coordination /" in out.getvalue()
    assert "coordination-mopti /" in out.getvalue()
    # Sixty days of history (demo/history.py) and today's four sample reports.
    assert Report.objects.count() == reports > 100
    assert (tmp_path / "demo-admin-password.txt").exists()
    assert (tmp_path / "demo-coordinator-password.txt").exists()
    from focal_points.models import Member

    assert Member.objects.get(user__username="coordination").role == "national_coordinator"
    # A second coordinator, so the two-person rule can be tried.
    assert Member.objects.get(user__username="coordination-mopti").role == "coordinator"
    assert Member.objects.count() == 14


def test_it_plays_a_resident_texting_the_android_gateway(sim, settings, gazetteer):
    settings.SMS_PROVIDERS = ["twilio", "android"]
    settings.ANDROID_GATEWAY_SIGNING_KEY = "simulator-test-signing-key"

    response = sim(action="sms", number="+223 76 00 00 01", body="attaque a Hombori", provider="android")

    assert response.status_code == 200
    message = InboundMessage.objects.get()
    assert message.provider == "android"
    assert Report.objects.count() == 1
    assert "HTTP 200" in response.content.decode()


def test_it_offers_the_gateway_only_where_it_is_enabled(client, settings):
    settings.SMS_PROVIDERS = ["twilio"]
    assert 'value="android"' not in client.get("/simulator/").content.decode()

    settings.SMS_PROVIDERS = ["twilio", "android"]
    assert 'value="android"' in client.get("/simulator/").content.decode()
