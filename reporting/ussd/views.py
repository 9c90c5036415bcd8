"""USSD webhook: one thin view for every gateway. Whatever comes in, the gateway gets a
valid screen with HTTP 200: an HTTP error would just cut the resident off."""

from __future__ import annotations

import logging
import traceback

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from reporting.ussd.gateways import GATEWAYS
from reporting.ussd.gateways.base import MalformedRequest
from reporting.ussd.services import ussd_handle
from reporting.ussd.texts import text

logger = logging.getLogger(__name__)


def _log_failure(where: str, gateway: str, exc: BaseException) -> None:
    """Where it failed, never what was typed: an exception's message may quote the input
    (``int("...")``) or the number, so only its type and the code locations are logged."""
    frames = traceback.extract_tb(exc.__traceback__)[-5:]
    trail = " <- ".join(f"{frame.name}:{frame.lineno}" for frame in reversed(frames))
    logger.error("USSD %s failed on %s: %s at %s", where, gateway, type(exc).__name__, trail)


@csrf_exempt
@require_POST
def ussd_callback(request: HttpRequest, gateway: str) -> HttpResponse:
    adapter = GATEWAYS.get(gateway)
    if adapter is None:
        raise Http404
    try:
        ussd = adapter.parse(request)
    except MalformedRequest:
        return adapter.render(text("error", "fr"), end=True)
    except Exception as exc:  # an oversized or garbled body (RequestDataTooBig, ...): still a screen
        _log_failure("request", adapter.name, exc)
        return adapter.render(text("error", "fr"), end=True)
    allowed = settings.USSD_ALLOWED_SERVICE_CODES
    if allowed and ussd.service_code not in allowed:
        return adapter.render(text("closed_service", "fr"), end=True)
    try:
        screen = ussd_handle(gateway=adapter.name, request=ussd)
    except Exception as exc:
        _log_failure("session", adapter.name, exc)
        return adapter.render(text("error", "fr"), end=True)
    return adapter.render(screen.text, end=screen.end)
