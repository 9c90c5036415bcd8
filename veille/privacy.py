"""Network metadata never travels past the door on the reporter's path.

``ReporterMetadataMiddleware`` runs first and wipes the client address, user agent,
forwarding headers and referrer from every request to a reporter-facing path, so no view,
error report or log line further down can record them. Before it wipes, it checks the
address against the path's allow-list, if it has one (``VEILLE_ADDRESS_ALLOWLISTS``:
gateway callbacks), and keeps only the yes/no answer (``address_allowed``); and it names
the client's rate-limit bucket (``request.client_bucket``), so wrong receipt codes are
counted per client without the address going any further.

``RedactLogRecords`` is a logging filter on every handler: it drops the ``request`` object
Django attaches to records and masks phone numbers in messages, in case a number reaches
a log some other way, and the secrets that travel in callback paths
(``VEILLE_LOG_REDACTED_SECRETS``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from veille.netaddr import address_in, client_address
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
# Set on every request whose path has an allow-list: whether its address was in it.
ADDRESS_ALLOWED_ATTR = "veille_address_allowed"


def is_reporter_path(path: str) -> bool:
    """Every path is reporter-facing unless it is a staff path: safe by default."""
    return not any(path.startswith(prefix) for prefix in settings.VEILLE_STAFF_PATHS)


def address_allowed(request: HttpRequest) -> bool:
    """Whether the middleware found the request's address in its path's allow-list. False
    when no check ran (no allow-list for the path, or the request skipped the middleware)."""
    return getattr(request, ADDRESS_ALLOWED_ATTR, None) is True


def check_address_allowlist(request: HttpRequest) -> None:
    """Record, for a path with an allow-list, whether the address is in it: the longest
    matching prefix decides (against ``path_info``, what the URL resolver matches). The
    address is read here and nowhere else, and not kept."""
    allowlists: dict[str, list[str]] = settings.VEILLE_ADDRESS_ALLOWLISTS
    prefixes = [prefix for prefix in allowlists if request.path_info.startswith(prefix)]
    if prefixes:
        networks = allowlists[max(prefixes, key=len)]
        setattr(request, ADDRESS_ALLOWED_ATTR, address_in(client_address(request), networks))


class ReporterMetadataMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        check_address_allowlist(request)  # before the wipe: the only use of the address
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
            # Only what is the same for everyone and says nothing of anyone (the voice
            # prompts, fetched by the voice provider's servers) may be cached.
            if not getattr(response, "public_cacheable", False):
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
            # Secrets that travel in URL paths (gateway callbacks) reach "Not Found: <path>"
            # and the like: never written out.
            for secret in getattr(settings, "VEILLE_LOG_REDACTED_SECRETS", ()):
                if secret and secret in masked:
                    masked = masked.replace(secret, "[secret]")
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
