"""Twilio's REST API: sending, and deleting messages from Twilio's logs.

The client is built from settings exactly as a worker runs it, with a bounded HTTP
timeout (``TWILIO_HTTP_TIMEOUT_SECONDS``): a send that hangs must not hold a worker, and
an unanswered request is a transient failure retried with back-off. Tests replace only
the HTTP transport underneath this client (``tests/messaging/providers/twilio/transport.py``), so
the constructor and the request building run for real in every test.
"""

from __future__ import annotations

import re

import requests
from django.conf import settings
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from messaging.backends.base import (
    BackendUnavailable,
    BaseSmsBackend,
    PermanentSendError,
    SendResult,
    TransientSendError,
)
from messaging.providers.twilio.statuses import OPTED_OUT_ERRORS, PERMANENT_ERRORS

MEDIA_SID = re.compile(r"^ME[0-9a-fA-F]{32}$")


def build_client() -> Client:
    """Twilio's REST client as every worker builds it (SMS and voice alike)."""
    http_client = TwilioHttpClient(timeout=settings.TWILIO_HTTP_TIMEOUT_SECONDS)
    client = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client)
    if settings.TWILIO_API_BASE_URL:
        # A Twilio-compatible endpoint instead of Twilio's own (a proxy the deployment
        # runs, or the end-to-end tests' fake Twilio on loopback).
        client.api.base_url = settings.TWILIO_API_BASE_URL
    return client


class TwilioBackend(BaseSmsBackend):
    name = "twilio"

    def __init__(self) -> None:
        missing = [
            name
            for name, value in (
                ("TWILIO_ACCOUNT_SID", settings.TWILIO_ACCOUNT_SID),
                ("TWILIO_AUTH_TOKEN", settings.TWILIO_AUTH_TOKEN),
            )
            if not value
        ]
        if not (settings.TWILIO_FROM_NUMBER or settings.TWILIO_MESSAGING_SERVICE_SID):
            missing.append("TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID")
        if missing:
            raise BackendUnavailable("Twilio backend not configured: " + ", ".join(missing) + " missing")
        self.client = build_client()

    def send(self, *, to: str, body: str) -> SendResult:
        params: dict[str, str] = {"to": to, "body": body}
        if settings.TWILIO_MESSAGING_SERVICE_SID:
            params["messaging_service_sid"] = settings.TWILIO_MESSAGING_SERVICE_SID
        else:
            params["from_"] = settings.TWILIO_FROM_NUMBER
        if settings.PUBLIC_BASE_URL.startswith("https://"):
            # Twilio calls back only over HTTPS with a URL it can sign against.
            params["status_callback"] = f"{settings.PUBLIC_BASE_URL}/channels/twilio/status/"
        try:
            message = self.client.messages.create(**params)
        except TwilioRestException as exc:
            code = str(exc.code or exc.status)
            if exc.code in PERMANENT_ERRORS or (exc.status and 400 <= exc.status < 500 and exc.status != 429):
                raise PermanentSendError(code, opted_out=exc.code in OPTED_OUT_ERRORS) from exc
            raise TransientSendError(code) from exc
        except (TwilioException, OSError) as exc:
            # requests' errors (timeouts, refused connections) are OSErrors.
            raise TransientSendError("timeout" if "timeout" in type(exc).__name__.lower() else "network") from exc
        return SendResult(provider_message_id=message.sid)

    def _media_sids(self, provider_message_id: str, urls: list[str]) -> list[str]:
        """The Media SIDs of these URLs, only for URLs of this account's API and this
        message: the account's credentials are never sent anywhere else."""
        base = (settings.TWILIO_API_BASE_URL or "https://api.twilio.com").rstrip("/")
        prefix = f"{base}/2010-04-01/Accounts/{settings.TWILIO_ACCOUNT_SID}/Messages/{provider_message_id}/Media/"
        sids = []
        for url in urls:
            sid = url[len(prefix) :] if url.startswith(prefix) else ""
            if not MEDIA_SID.match(sid):
                raise PermanentSendError("media-url")
            sids.append(sid)
        return sids

    def fetch_media(self, provider_message_id: str, urls: list[str]) -> list[bytes]:
        """Each picture, through the client's own HTTP session (its timeout, its transport)
        with the account's credentials; at most ``REPORT_MAX_PHOTO_BYTES`` + 1 read each,
        so a larger file is refused downstream without filling the worker's memory."""
        limit = settings.REPORT_MAX_PHOTO_BYTES + 1
        session = self.client.http_client.session or requests.Session()
        pictures = []
        for url in urls:
            self._media_sids(provider_message_id, [url])
            try:
                reply = session.get(
                    url,
                    auth=(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN),
                    timeout=settings.TWILIO_HTTP_TIMEOUT_SECONDS,
                    stream=True,
                )
                if reply.status_code == 404:
                    raise PermanentSendError("media-gone")
                if reply.status_code >= 400:
                    raise TransientSendError(str(reply.status_code))
                data = reply.raw.read(limit, decode_content=True) if reply.raw is not None else reply.content[:limit]
                pictures.append(data or reply.content[:limit])
            except requests.RequestException as exc:
                raise TransientSendError("network") from exc
        return pictures

    def delete_media(self, provider_message_id: str, urls: list[str]) -> None:
        for sid in self._media_sids(provider_message_id, urls):
            try:
                self.client.messages(provider_message_id).media(sid).delete()
            except TwilioRestException as exc:
                if exc.status != 404:  # already gone is done
                    raise TransientSendError(str(exc.code or exc.status)) from exc
            except (TwilioException, OSError) as exc:
                raise TransientSendError("network") from exc

    def can_delete_copies(self) -> bool:
        return settings.TWILIO_DELETE_INBOUND

    def delete_copy(self, provider_message_id: str) -> bool:
        if not settings.TWILIO_DELETE_INBOUND:
            return False
        try:
            return bool(self.client.messages(provider_message_id).delete())
        except TwilioRestException as exc:
            if exc.status == 404:
                return True  # already gone
            raise TransientSendError(str(exc.code or exc.status)) from exc
        except (TwilioException, OSError) as exc:
            raise TransientSendError("network") from exc
