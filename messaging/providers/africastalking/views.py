"""Africa's Talking's USSD callback. The gateway signs nothing and sends no header of its
own, so a request is its only if it carries the callback secret in its path and came from
an allowed network (checked by veille.privacy's middleware before the address is wiped).
Anything else gets the same bare 403."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt

from messaging.providers.africastalking.ussd import GATEWAY
from messaging.ussd import refused, ussd_serve
from veille.privacy import address_allowed


@csrf_exempt
def ussd_callback(request: HttpRequest, secret: str) -> HttpResponse:
    expected = settings.AFRICASTALKING_CALLBACK_SECRET
    # Both checks always run, so the time taken does not tell which one failed.
    secret_ok = bool(expected) and constant_time_compare(secret, expected)
    address_ok = address_allowed(request)
    if not (secret_ok and address_ok) or request.method != "POST":
        return refused()
    return ussd_serve(GATEWAY, request)
