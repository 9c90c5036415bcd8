from __future__ import annotations

import pytest
import requests

from tests.messaging.providers.android.transport import GATEWAY_URL, Transports

SIGNING_KEY = "android-signing-key-for-tests-0123456789"


@pytest.fixture
def android(settings, monkeypatch) -> Transports:
    """Malian numbers by the Android gateway, then Twilio; everything else by Twilio.
    Both backends are the real ones, built from settings; only the transport is fake."""
    transports = Transports()

    def send(adapter, request, **kwargs):
        return transports.send(adapter, request, **kwargs)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)
    settings.SMS_BACKEND = ""
    settings.SMS_PROVIDERS = ["android", "twilio"]
    settings.SMS_ROUTES = "+223=android,twilio;*=twilio"
    settings.ANDROID_GATEWAY_MODE = "local"
    settings.ANDROID_GATEWAY_URL = GATEWAY_URL
    settings.ANDROID_GATEWAY_USERNAME = "sms"
    settings.ANDROID_GATEWAY_PASSWORD = "gateway-password"
    settings.ANDROID_GATEWAY_SIGNING_KEY = SIGNING_KEY
    settings.ANDROID_GATEWAY_PASSPHRASE = ""
    settings.ANDROID_GATEWAY_DEVICES = []
    # Pacing has its own tests at the real rate; here sends must not wait for slots.
    settings.ANDROID_GATEWAY_SMS_PER_MINUTE = 600_000
    return transports
