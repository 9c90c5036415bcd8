"""Twilio's REST API: sending, and deleting inbound messages from Twilio's logs."""

from __future__ import annotations

from django.conf import settings
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

from messaging.backends.base import BaseSmsBackend, PermanentSendError, SendResult, TransientSendError

# Twilio error codes after which a retry cannot succeed.
PERMANENT_ERRORS = {
    21211,  # invalid 'To' number
    21408,  # permission to send to this region not enabled
    21610,  # recipient replied STOP
    21612,  # cannot route to this number
    21614,  # not a mobile number
}


class TwilioBackend(BaseSmsBackend):
    name = "twilio"

    def __init__(self, client: Client | None = None) -> None:
        self.client = client or Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, timeout=10)

    def send(self, *, to: str, body: str) -> SendResult:
        params: dict[str, str] = {"to": to, "body": body}
        if settings.TWILIO_MESSAGING_SERVICE_SID:
            params["messaging_service_sid"] = settings.TWILIO_MESSAGING_SERVICE_SID
        else:
            params["from_"] = settings.TWILIO_FROM_NUMBER
        if settings.PUBLIC_BASE_URL.startswith("https://"):
            params["status_callback"] = f"{settings.PUBLIC_BASE_URL}/channels/twilio/status/"
        try:
            message = self.client.messages.create(**params)
        except TwilioRestException as exc:
            if exc.code in PERMANENT_ERRORS or (exc.status and 400 <= exc.status < 500 and exc.status != 429):
                raise PermanentSendError(str(exc.code or exc.status)) from exc
            raise TransientSendError(str(exc.code or exc.status)) from exc
        except (TwilioException, OSError) as exc:
            raise TransientSendError("network") from exc
        return SendResult(provider_message_id=message.sid)

    def delete_inbound(self, provider_message_id: str) -> bool:
        try:
            return bool(self.client.messages(provider_message_id).delete())
        except TwilioRestException as exc:
            if exc.status == 404:
                return True  # already gone
            raise TransientSendError(str(exc.code or exc.status)) from exc
        except (TwilioException, OSError) as exc:
            raise TransientSendError("network") from exc
