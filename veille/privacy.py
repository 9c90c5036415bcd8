"""Network metadata never travels past the door on the reporter's path.

``ReporterMetadataMiddleware`` runs first and wipes the client address, user agent,
forwarding headers and referrer from every request to a reporter-facing path, so no view,
error report or log line further down can record them. Before it does, it names the
client's rate-limit bucket (``request.client_bucket``), so wrong receipt codes are
counted per client without the address going any further. ``RedactLogRecords`` is a logging
filter on every handler: it drops the ``request`` object Django attaches to records and
masks phone numbers in messages, in case a number reaches a log some other way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from veille.phones import mask_phone_numbers
from veille.ratelimit import client_address_bucket

# Headers that identify a device or a network path. Dropped on reporter paths.
IDENTIFYING_META = (
    "REMOTE_ADDR",
    "REMOTE_HOST",
    "HTTP_USER_AGENT",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
    "HTTP_CF_CONNECTING_IP",
    "HTTP_TRUE_CLIENT_IP",
    "HTTP_X_CLIENT_IP",
    "HTTP_VIA",
    "HTTP_REFERER",
    "HTTP_X_MSISDN",
    "HTTP_X_UP_CALLING_LINE_ID",
    "HTTP_SEC_CH_UA",
    "HTTP_SEC_CH_UA_PLATFORM",
    "HTTP_SEC_CH_UA_MOBILE",
)
PLACEHOLDER_ADDR = "0.0.0.0"  # noqa: S104 (a placeholder address, nothing binds to it)


def is_reporter_path(path: str) -> bool:
    """Every path is reporter-facing unless it is a staff path: safe by default."""
    return not any(path.startswith(prefix) for prefix in settings.VEILLE_STAFF_PATHS)


class ReporterMetadataMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        reporter_path = is_reporter_path(request.path)
        # The one thing taken from the address before it goes: the name of the client's
        # rate-limit bucket, which reaches the cache only as an HMAC that expires with its
        # window (veille.ratelimit). It lives on this request object and nowhere else.
        request.client_bucket = client_address_bucket(request.META)
        if reporter_path:
            for key in IDENTIFYING_META:
                if key in request.META:
                    request.META[key] = PLACEHOLDER_ADDR if key == "REMOTE_ADDR" else ""
            request.META["REMOTE_ADDR"] = PLACEHOLDER_ADDR
        response = self.get_response(request)
        if reporter_path:
            # Nothing of a report page should linger in a shared phone's cache or history,
            # nor tell the next site where the reader came from.
            response["Cache-Control"] = "no-store, max-age=0"
            response["Referrer-Policy"] = "no-referrer"
        elif not request.path.startswith(settings.STATIC_URL) and "Cache-Control" not in response:
            # Staff pages show reports: no copy in a seized laptop's or phone's cache.
            response["Cache-Control"] = "no-store, private"
        return response


class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy on every page: no third-party content at all."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.VEILLE_CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
        response.setdefault("Referrer-Policy", "same-origin")
        return response


class RedactLogRecords(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if hasattr(record, "request"):
            record.request = None  # type: ignore[attr-defined]
        try:
            message = record.getMessage()
        except Exception:  # a record with bad args still gets logged, unformatted
            return True
        masked = mask_phone_numbers(message)
        if masked != message:
            record.msg = masked
            record.args = ()
        return True
