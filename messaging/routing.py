"""Which provider sends an SMS: routes by number prefix (``SMS_ROUTES``), each listing
providers in order of preference; a provider known to be down is skipped, a transient
failure falls over to the next (``services.outbound_send``).

``SMS_BACKEND``, when set, replaces all of this with one backend (demo and tests).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

from messaging.backends import BaseSmsBackend, Lane, get_backend
from messaging.providers import provider

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Route:
    prefix: str  # "+223", or "*" for every number
    providers: tuple[str, ...]


@lru_cache(maxsize=8)
def _parse(routes: str, enabled: tuple[str, ...]) -> tuple[Route, ...]:
    parsed = []
    for part in filter(None, (piece.strip() for piece in routes.split(";"))):
        prefix, _, names = part.partition("=")
        parsed.append(Route(prefix.strip(), tuple(name.strip() for name in names.split(",") if name.strip())))
    if not any(route.prefix == "*" for route in parsed):
        parsed.append(Route("*", enabled))
    # Longest prefix first, "*" last.
    return tuple(sorted(parsed, key=lambda route: (route.prefix == "*", -len(route.prefix))))


def providers_for(number: str) -> tuple[str, ...]:
    """The providers that may send to ``number`` (E.164), in order of preference."""
    enabled = tuple(settings.SMS_PROVIDERS)
    for route in _parse(settings.SMS_ROUTES, enabled):
        if route.prefix == "*" or number.startswith(route.prefix):
            return tuple(name for name in route.providers if name in enabled)
    return ()


@dataclass(frozen=True)
class Candidate:
    backend: BaseSmsBackend
    lane: Lane

    @property
    def provider(self) -> str:
        return self.backend.name


class NoBackend(Exception):
    """No backend of the route could be built: the reasons, for the log and the admin."""


def candidates_for(number: str) -> list[list[Candidate]]:
    """Per provider of the route, in order, the lanes that are not known to be down.

    A provider whose backend cannot be built is left out (and logged); if none can be,
    ``NoBackend`` says why. Lanes known to be down are left out; a provider whose every
    lane is down is kept last, so that a message still has somewhere to go.
    """
    if settings.SMS_BACKEND:
        backend = get_backend(settings.SMS_BACKEND)
        return [[Candidate(backend, Lane(key="", rate=settings.SMS_SEND_RATE_PER_SECOND))]]
    groups: list[list[Candidate]] = []
    fallbacks: list[list[Candidate]] = []
    failures: list[str] = []
    for name in providers_for(number):
        try:
            backend = get_backend(provider(name).backend)
        except Exception as exc:
            failures.append(f"{name}: {type(exc).__name__}: {exc}")
            logger.error("SMS provider %s cannot be built: %s: %s", name, type(exc).__name__, exc)
            continue
        lanes = backend.lanes()
        up = [Candidate(backend, lane) for lane in lanes if backend.lane_available(lane)]
        if up:
            groups.append(up)
        else:
            fallbacks.append([Candidate(backend, lane) for lane in lanes])
    if not groups and not fallbacks:
        raise NoBackend(
            "; ".join(failures) or f"no provider routes to this number (SMS_ROUTES={settings.SMS_ROUTES!r})"
        )
    return groups + fallbacks
