"""Network metadata never travels past the door on the reporter's path.

``ReporterMetadataMiddleware`` runs first and wipes the client address, user agent,
forwarding headers and referrer from every request to a reporter-facing path, so no view,
error report or log line further down can record them. ``RedactLogRecords`` is a logging
filter on every handler: it drops the ``request`` object Django attaches to records and
masks phone numbers in messages, in case a number reaches a log some other way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from veille.phones import mask_phone_numbers

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
    """Drops the request object and masks phone numbers in the message, the traceback and
    the stack of every record. Installed on every handler of every process: Django's
    ``LOGGING`` (web, management commands), the Celery worker and beat (``veille.celery``
    hands them the same configuration) and gunicorn's own loggers (its config file)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if hasattr(record, "request"):
            record.request = None  # type: ignore[attr-defined]
        try:
            message = record.getMessage()
        except Exception:  # a record with bad args still gets logged, unformatted
            message = None
        if message is not None:
            masked = mask_phone_numbers(message)
            if masked != message:
                record.msg = masked
                record.args = ()
        # An exception that quotes a number ("invalid recipient +223...") would otherwise
        # reach the output through the traceback, which formatters add after the message.
        # Formatters reuse ``exc_text`` when it is set, so the masked text is what they print.
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACK_FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_phone_numbers(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_phone_numbers(record.stack_info)
        return True


_TRACEBACK_FORMATTER = logging.Formatter()
