"""USSD, provider-blind: the types a gateway adapter and the menu handler share, and the
one flow every gateway's callback runs (parse, hand to the handler, render).

Adapters live in ``messaging/providers/<name>/`` and parse and render only. The menu is
not messaging's: it is reached through ``settings.USSD_HANDLER`` (a dotted path), so
messaging/ imports no app built on it.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# Whatever the cursor is, it is kept in the session's (encrypted) state: a small mapping.
Cursor = dict[str, Any]


class MalformedRequest(ValueError):
    """The gateway's request lacks what a session needs; answered with a valid END screen."""


@dataclass(frozen=True)
class UssdScreen:
    text: str
    end: bool = False


class UssdGateway:
    """What an adapter does: read the gateway's request, write the gateway's answer, and
    say which input a request adds, by the gateway's own convention.

    The default convention is the plain one: each request carries only the latest input.
    """

    name = "base"

    def parse(self, request: HttpRequest) -> UssdRequest:
        raise NotImplementedError

    def render(self, screen: UssdScreen) -> HttpResponse:
        raise NotImplementedError

    def cursor(self, raw: str) -> Cursor:
        """What a session remembers of this request's text, to line the next one up with."""
        return {}

    def new_input(self, seen: Cursor | None, raw: str) -> str | None:
        """The input this request adds to a session that has seen ``seen``; None: nothing
        new (the first request of a session, or a retry)."""
        return None if seen is None else raw


@dataclass(frozen=True)
class UssdRequest:
    """One request of a USSD session, as the menu sees it: the number only to derive a
    pseudonym, the text only through ``new_input`` (its layout is the gateway's)."""

    gateway: str
    session_id: str
    phone_number: str
    service_code: str
    text: str
    adapter: UssdGateway = field(default_factory=UssdGateway, repr=False, compare=False)

    def new_input(self, seen: Cursor | None) -> str | None:
        return self.adapter.new_input(seen, self.text)

    def cursor(self) -> Cursor:
        return self.adapter.cursor(self.text)


class UssdHandler(Protocol):
    def handle(self, request: UssdRequest) -> UssdScreen: ...

    def failure_screen(self) -> UssdScreen:
        """The screen for a request that cannot be served; must need no database."""
        ...


@cache
def _handler(path: str) -> UssdHandler:
    return import_string(path)


def ussd_handler() -> UssdHandler:
    return _handler(settings.USSD_HANDLER)


def _log_failure(where: str, gateway: str, exc: BaseException) -> None:
    """Where it failed, never what was typed: an exception's message may quote the input
    (``int("...")``) or the number, so only its type and the code locations are logged."""
    frames = traceback.extract_tb(exc.__traceback__)[-5:]
    trail = " <- ".join(f"{frame.name}:{frame.lineno}" for frame in reversed(frames))
    logger.error("USSD %s failed on %s: %s at %s", where, gateway, type(exc).__name__, trail)


def ussd_serve(adapter: UssdGateway, request: HttpRequest) -> HttpResponse:
    """An authenticated gateway's request, answered. Whatever comes in, the gateway gets a
    valid screen with HTTP 200: an HTTP error would just cut the resident off."""
    handler = ussd_handler()
    try:
        ussd = adapter.parse(request)
    except MalformedRequest:
        return adapter.render(handler.failure_screen())
    except Exception as exc:  # an oversized or garbled body (RequestDataTooBig, ...): still a screen
        _log_failure("request", adapter.name, exc)
        return adapter.render(handler.failure_screen())
    try:
        screen = handler.handle(ussd)
    except Exception as exc:
        _log_failure("session", adapter.name, exc)
        return adapter.render(handler.failure_screen())
    return adapter.render(screen)


def refused() -> HttpResponse:
    """The answer to anything that is not an authenticated gateway: a bare 403 that says
    nothing (not which check failed, nor whether the gateway exists), and is kept out of
    Django's request log, which would write the path, and with it the tried secret."""
    response = HttpResponse(b"", status=403, content_type="text/plain")
    response._has_been_logged = True  # type: ignore[attr-defined]  (django.utils.log.log_response)
    return response
