"""The Redis cache keeps one client per process; the raw client only where Redis is."""

from __future__ import annotations

import os

import pytest
from django.core.cache import cache, caches

from veille.cache import RedisCache, raw_client


def test_no_raw_client_for_a_cache_that_is_not_redis(settings):
    if os.environ.get("REDIS_URL"):
        pytest.skip("the suite runs on Redis here")
    assert raw_client(cache) is None  # the tests' memory cache: callers keep their portable path


def test_the_redis_cache_builds_its_client_once():
    backend = RedisCache("redis://127.0.0.1:1/0", {})  # never connected: building is enough

    first = backend._cache.get_client(write=True)

    assert backend._cache.get_client(write=True) is first
    assert backend._cache.get_client(write=False) is first  # one server: reads go there too
    assert raw_client(backend) is first


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis")
def test_the_proxy_and_the_backend_give_the_same_client():
    assert raw_client(cache) is raw_client(caches["default"]) is not None
