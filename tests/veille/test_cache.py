"""The Redis cache keeps one client per process; the raw client only where Redis is."""

from __future__ import annotations

from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache

from veille.cache import RedisCache, raw_client


def test_no_raw_client_for_a_cache_that_is_not_redis(settings):
    # The embedded default's file cache, the tests' memory cache: callers keep their
    # portable path.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert raw_client(cache) is None
    assert raw_client(LocMemCache("elsewhere", {})) is None


def test_the_redis_cache_builds_its_client_once():
    backend = RedisCache("redis://127.0.0.1:1/0", {})  # never connected: building is enough

    first = backend._cache.get_client(write=True)

    assert backend._cache.get_client(write=True) is first
    assert backend._cache.get_client(write=False) is first  # one server: reads go there too
    assert raw_client(backend) is first


def test_the_proxy_and_the_backend_give_the_same_client(settings):
    # Never connected (port 1): building the client is what is checked.
    settings.CACHES = {"default": {"BACKEND": "veille.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    assert raw_client(cache) is raw_client(caches["default"]) is not None
