"""Short-lived failure buckets: a limit no single client can turn against everyone.

A guesser of secret codes is slowed per client, never by one counter shared by all (one
client filling it would lock every resident out). A client is whatever the channel can
tell apart without keeping anything about the person:

- on the web, the network address, read by ``veille.privacy`` *before* it wipes the
  address, and kept only as an HMAC (``client_address_bucket``); IPv6 counts per /64,
  the block one subscriber gets;
- by SMS and USSD, the sender's phone pseudonym; for USSD also the session.

Each bucket is a counter in the cache under a key that is an HMAC of the bucket and of
the current window, with a time to live that ends with the window: nothing outlives its
minutes, and two windows of the same client cannot be linked from the cache. A global
cap, far above normal use, bounds what many clients together may try. In production the
cache is Redis without persistence (``cache_persistence_problems`` says when it is not).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

GLOBAL_BUCKET = "global"


@dataclass(frozen=True)
class Limit:
    """At most ``failures`` per bucket within each window of ``seconds``."""

    name: str
    failures: int
    seconds: int


def _window(seconds: int, now: float) -> int:
    return int(now // seconds)


def _cache_key(limit: Limit, bucket: str, window: int) -> str:
    # Keyed by the server's secret (never in the cache or the database): a dump of the
    # cache alone tells no address, number or session.
    secret = salted_hmac("veille.ratelimit", limit.name, secret=settings.SECRET_KEY).digest()
    digest = hmac.new(secret, f"{window}:{bucket}".encode(), hashlib.sha256).hexdigest()[:40]
    return f"rl:{limit.name}:{digest}"


def is_blocked(limit: Limit, buckets: Iterable[str], *, now: float | None = None) -> bool:
    """Whether any of these buckets is full in the current window."""
    now = time.time() if now is None else now
    window = _window(limit.seconds, now)
    keys = [_cache_key(limit, bucket, window) for bucket in buckets]
    if not keys:
        return False
    counts = cache.get_many(keys)
    return any((counts.get(key) or 0) >= limit.failures for key in keys)


def record_failure(limit: Limit, buckets: Iterable[str], *, now: float | None = None) -> None:
    """Count one failure in each bucket; each counter expires when its window ends."""
    now = time.time() if now is None else now
    window = _window(limit.seconds, now)
    remaining = max(1, int((window + 1) * limit.seconds - now))
    for bucket in buckets:
        key = _cache_key(limit, bucket, window)
        if cache.add(key, 1, remaining):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, remaining)
        else:
            # Some backends' incr (the file cache) rewrite the entry with the default
            # timeout: end it with its window, no later.
            cache.touch(key, remaining)


def client_address_bucket(meta: Mapping[str, str]) -> str:
    """The web client's bucket name, from the request's address (through the trusted TLS
    proxy's X-Forwarded-For, ``veille.netaddr.client_address_of``). Only an HMAC of it ever
    reaches the cache, through ``_cache_key``; this string lives in the request object only."""
    from veille.netaddr import client_address_of

    raw = client_address_of(meta)
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return "addr:unknown"
    if address.version == 6:
        # One subscriber holds a whole /64: counting single IPv6 addresses would give a
        # guesser billions of buckets.
        return f"addr:{ipaddress.ip_network(f'{address}/64', strict=False)}"
    return f"addr:{address}"


def cache_persistence_problems() -> list[str]:
    """Why the shared cache may write buckets to disk, as sentences (empty when fine).

    Redis must run without RDB snapshots (``save ""``) and without the append-only file,
    so no bucket survives on disk beyond its minutes. A Redis that refuses ``CONFIG``
    (some managed services) cannot be checked: that is reported too. Other backends are
    the embedded local cache (a file under ``var/``, entries expiring with their window)
    or a test cache, and are not checked here.
    """
    backend = settings.CACHES["default"]["BACKEND"]
    if not backend.endswith("RedisCache"):
        return []
    try:
        client = cache._cache.get_client(write=True)  # Django's own Redis client
        save = client.config_get("save").get("save", "")
        appendonly = client.config_get("appendonly").get("appendonly", "no")
    except Exception as exc:  # a connection refused, CONFIG disabled: say so, do not crash
        return [f"the cache's Redis could not be checked for persistence ({type(exc).__name__})"]
    problems = []
    if str(save).strip():
        problems.append(f'the cache\'s Redis takes snapshots to disk (save "{save}"): set save ""')
    if str(appendonly).lower() == "yes":
        problems.append("the cache's Redis writes an append-only file: set appendonly no")
    return problems
