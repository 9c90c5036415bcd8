"""Twilio: SMS in through a signed webhook, out through its REST API, delivery reports
through a signed status callback."""

from messaging.providers import Provider

PROVIDER = Provider(
    name="twilio",
    backend="messaging.providers.twilio.backend.TwilioBackend",
    urls="messaging.providers.twilio.urls",
)
