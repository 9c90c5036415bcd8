"""Twilio adapter: the inbound SMS webhook and the delivery-status callback.

Both validate ``X-Twilio-Signature`` against the configured public URL (never against
headers a TLS proxy may rewrite), read only the fields they need, and answer at once:
processing happens in a worker. Location fields (FromCity, FromState, FromZip, ...) are
never read, so they are never stored.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from messaging import services, spool
from messaging.providers import enabled
from messaging.providers.twilio.statuses import OPTED_OUT_ERRORS, STATUS_MAP

logger = logging.getLogger(__name__)

PROVIDER = "twilio"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
MESSAGE_SID = re.compile(r"^(SM|MM|SMS)[0-9a-fA-F]{32}$")


def public_url(request: HttpRequest) -> str:
    """The URL Twilio called, rebuilt from the configured public base URL."""
    return settings.PUBLIC_BASE_URL + request.get_full_path()


@lru_cache(maxsize=2)
def _validator(token: str) -> RequestValidator:
    """One validator per token and process, not one per request (a rotated token in the
    settings gets its own)."""
    return RequestValidator(token)


def signature_is_valid(request: HttpRequest) -> bool:
    if not enabled(PROVIDER):
        # Not enabled here: no token to check against, nothing accepted.
        raise Http404("twilio is not enabled")
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    return _validator(settings.TWILIO_AUTH_TOKEN).validate(public_url(request), request.POST, signature)


def twiml(body: str = EMPTY_TWIML, status: int = 200) -> HttpResponse:
    return HttpResponse(body, content_type="text/xml; charset=utf-8", status=status)


@csrf_exempt
@require_POST
def inbound_sms(request: HttpRequest) -> HttpResponse:
    if not signature_is_valid(request):
        logger.warning("twilio inbound: signature rejected")
        return HttpResponseForbidden("invalid signature", content_type="text/plain")
    message_sid = request.POST.get("MessageSid") or request.POST.get("SmsSid") or ""
    sender = request.POST.get("From", "")
    if not MESSAGE_SID.match(message_sid) or not sender.strip():
        return HttpResponseBadRequest("MessageSid and From are required", content_type="text/plain")
    try:
        num_media = max(0, min(int(request.POST.get("NumMedia", "0") or 0), 10))
    except ValueError:
        num_media = 0
    # The media URLs lead to the pictures at Twilio: they travel only inside the
    # encrypted payload (or spool record) until the worker has fetched them.
    media = [request.POST.get(f"MediaUrl{i}", "") for i in range(num_media)]
    fields = {
        "provider": PROVIDER,
        "provider_message_id": message_sid,
        "sender": sender,
        "body": request.POST.get("Body", ""),
        "num_media": num_media,
        "media_urls": [url for url in media if url],
    }
    try:
        services.inbound_store(**fields)
    except (OperationalError, InterfaceError) as exc:
        # The database is down or restarting. Twilio would not retry an error answer:
        # keep the SMS in the spool (encrypted, on disk) and let the sweep store it.
        spool.spool_write(**fields)
        logger.warning("twilio inbound: database unavailable (%s); SMS spooled", type(exc).__name__)
    return twiml()


@csrf_exempt
@require_POST
def status_callback(request: HttpRequest) -> HttpResponse:
    if not signature_is_valid(request):
        logger.warning("twilio status: signature rejected")
        return HttpResponseForbidden("invalid signature", content_type="text/plain")
    message_sid = request.POST.get("MessageSid", "")
    if not MESSAGE_SID.match(message_sid):
        return HttpResponseBadRequest("MessageSid is required", content_type="text/plain")
    status = STATUS_MAP.get(request.POST.get("MessageStatus", "").lower())
    if status is None:
        # A status word Twilio may add later ("scheduled", ...): nothing to record, and
        # no error for Twilio to log.
        return HttpResponse(status=204)
    error_code = request.POST.get("ErrorCode", "")[:32]
    services.outbound_status_update(
        provider=PROVIDER,
        provider_message_id=message_sid,
        status=status,
        error_code=error_code,
        opted_out=error_code in {str(code) for code in OPTED_OUT_ERRORS},
    )
    return HttpResponse(status=204)
