"""The Redis cache backend, with one Redis client per process instead of one per call.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` object around its
connection pool on every cache call; in the worker, which makes a dozen cache calls per
report (pacing slots, task metrics, locks), building those objects cost about 8% of its
CPU. The client is thread-safe (it takes a connection from the pool per command) and the
pool already resets itself in a forked child, so one client per pool is enough.

``raw_client`` gives that client to the few places that need a Redis primitive Django's
cache API lacks (a Lua script, a pipeline), or None when the cache is not Redis (the
embedded default's file cache, the tests' memory cache), so they keep a portable path.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.utils.connection import ConnectionProxy


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient


def raw_client(cache: Any) -> Any | None:
    """The Redis client behind ``cache`` (a backend, or the ``django.core.cache.cache``
    proxy; writes go to its first server), or None for any other cache."""
    if isinstance(cache, ConnectionProxy):
        cache = caches[cache._alias]
    if not isinstance(cache, DjangoRedisCache):
        return None
    return cache._cache.get_client(write=True)
