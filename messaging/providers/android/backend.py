"""Outbound SMS through SMS Gateway for Android's API, with its own Python client.

Modes (``ANDROID_GATEWAY_MODE``, see docs/operations.md):
- ``local``: the phone's own HTTP server on the LAN (``http://<phone>:8080``): the
  platform must reach the phone;
- ``private``: a relay server the deployment runs; the phone and the platform both
  reach it (several phones, ``ANDROID_GATEWAY_DEVICES``);
- ``cloud``: the app maker's server: numbers and texts would pass through a third party,
  so it is allowed only with the app's end-to-end encryption (passphrase).

The client is built from settings as a worker runs it: its ``requests`` session has a
bounded timeout (the library sets none); tests replace only ``requests``' transport.
One lane per phone, each paced at ``ANDROID_GATEWAY_SMS_PER_MINUTE``.
"""

from __future__ import annotations

from typing import Any

import requests
from android_sms_gateway import client as gateway_client
from android_sms_gateway import domain, errors
from android_sms_gateway.http import RequestsHttpClient
from django.conf import settings

from messaging import gateways
from messaging.backends.base import (
    BackendUnavailable,
    BaseSmsBackend,
    Lane,
    PermanentSendError,
    SendResult,
    TransientSendError,
)
from messaging.providers.android.statuses import PERMANENT_STATUSES


class _BoundedSession(requests.Session):
    """A session whose every request has a timeout: a phone that stops answering must
    not hold a worker."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self._timeout = timeout

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self._timeout)
        return super().request(method, url, *args, **kwargs)


class AndroidGatewayBackend(BaseSmsBackend):
    name = "android"

    def __init__(self) -> None:
        if not settings.ANDROID_GATEWAY_URL or not settings.ANDROID_GATEWAY_PASSWORD:
            raise BackendUnavailable("Android gateway not configured: ANDROID_GATEWAY_URL and _PASSWORD are required")
        encryptor = None
        if settings.ANDROID_GATEWAY_PASSPHRASE:
            from android_sms_gateway.encryption import AESEncryptor

            encryptor = AESEncryptor(
                settings.ANDROID_GATEWAY_PASSPHRASE, iterations=settings.ANDROID_GATEWAY_ENCRYPTION_ITERATIONS
            )
        elif settings.ANDROID_GATEWAY_MODE == "cloud":
            raise BackendUnavailable("ANDROID_GATEWAY_MODE=cloud without end-to-end encryption is refused")
        self.session = _BoundedSession(settings.ANDROID_GATEWAY_HTTP_TIMEOUT_SECONDS)
        self.client = gateway_client.APIClient(
            settings.ANDROID_GATEWAY_USERNAME or None,
            settings.ANDROID_GATEWAY_PASSWORD,
            base_url=settings.ANDROID_GATEWAY_URL,
            encryptor=encryptor,
            http=RequestsHttpClient(session=self.session),
        )

    def lanes(self) -> list[Lane]:
        rate = settings.ANDROID_GATEWAY_SMS_PER_MINUTE / 60.0
        devices = settings.ANDROID_GATEWAY_DEVICES or [""]
        return [Lane(key=f"android:{device or 'default'}", rate=rate, device=device) for device in devices]

    def lane_available(self, lane: Lane) -> bool:
        return gateways.gateway_available(provider=self.name, device_id=lane.device)

    def record_outcome(self, lane: Lane, *, ok: bool, detail: str = "") -> None:
        gateways.gateway_record_send(provider=self.name, device_id=lane.device, ok=ok, detail=detail)

    def send(self, *, to: str, body: str) -> SendResult:
        return self.send_on(self.lanes()[0], to=to, body=body)

    def send_on(self, lane: Lane, *, to: str, body: str) -> SendResult:
        message = domain.Message(
            phone_numbers=[to],
            text_message=domain.TextMessage(text=body),
            with_delivery_report=True,
            ttl=settings.ANDROID_GATEWAY_MESSAGE_TTL_SECONDS,
            device_id=lane.device or None,
        )
        try:
            state = self.client.send(message)
        except errors.APIError as exc:
            status = exc.status_code or 0
            if status in PERMANENT_STATUSES:
                raise PermanentSendError(str(status)) from exc
            raise TransientSendError(str(status or "api")) from exc
        except requests.exceptions.Timeout as exc:
            raise TransientSendError("timeout") from exc
        except (requests.exceptions.RequestException, OSError, ValueError, KeyError) as exc:
            # A refused connection, or an answer that is not the API's (a captive portal,
            # a proxy's error page): the phone is unreachable for this send.
            raise TransientSendError("network") from exc
        return SendResult(provider_message_id=state.id)
