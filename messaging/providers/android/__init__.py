"""SMS Gateway for Android: a local SIM in an Android phone relays SMS to and from the
platform. Inbound and delivery reports through signed webhooks (``webhook.py``), outbound
through the app's API with its Python client (``backend.py``)."""

from messaging.providers import Provider

PROVIDER = Provider(
    name="android",
    backend="messaging.providers.android.backend.AndroidGatewayBackend",
    urls="messaging.providers.android.urls",
)
