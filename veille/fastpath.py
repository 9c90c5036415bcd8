"""The short way through the middleware for machine-to-machine webhooks.

A provider's SMS webhook (Twilio, the Android gateway) uses no session, no language, no
CSRF token, no user and no flash message: those eight middleware cost about 0.2 ms of
CPU per request (a seventh of the webhook's own cost, measured with cProfile in
benchmarks/README.md, "P1"), for nothing. For the exact paths in
``settings.FAST_PATHS`` this middleware, placed after the privacy and security ones,
resolves the URL and calls the view itself; every other path goes on down the chain.

What still runs for them: ``ReporterMetadataMiddleware`` (the address allow-lists and
wipe), ``SecurityMiddleware`` (the HTTPS redirect, HSTS), ``SecurityHeadersMiddleware``
and, here, the ``X-Frame-Options`` header the clickjacking middleware would add. An
exception from the view is turned into a response by Django's wrapper around this
middleware, as it would be further down (an Http404 is a 404).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import resolve


class FastPathMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.paths = frozenset(getattr(settings, "FAST_PATHS", ()))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info not in self.paths:
            return self.get_response(request)
        match = resolve(request.path_info)
        request.resolver_match = match
        response = match.func(request, *match.args, **match.kwargs)
        response.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        if not response.streaming and not response.has_header("Content-Length"):
            # As CommonMiddleware would: the connection stays reusable without chunking.
            response.headers["Content-Length"] = str(len(response.content))
        return response
