"""The shared cache (Redis) with one redis-py client per connection pool, that degrades
when Redis is down.

Django's ``RedisCacheClient.get_client()`` builds a new ``redis.Redis`` for every cache
call, and each one copies redis-py's table of some 500 response callbacks: about 0.15 ms
per ``cache.get``, several per page (the session, per-commune values). A client is only a
handle on its connection pool and is safe to share between threads, so one per pool
serves every call.

Redis out of reach (issue 22: every page answered 500) is a miss, not an error: a read
finds nothing (callers build the value from PostgreSQL), a write keeps nothing, ``incr``
finds no counter, and ``add`` answers that it added (it kept nothing): the counters of
axes and of the rate limits start with ``add`` and go to ``incr`` only when it answers no,
so they count one and let the request through (``RATELIMIT_FAIL_OPEN``). Answering no, as
before, sent axes to ``incr``: a mistyped password during an outage answered 500. Each
failed call is logged as a warning.
"""

import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
OUTAGE = (RedisConnectionError, RedisTimeoutError, OSError)


def _degraded(operation: str, fallback):
    """``operation`` of the client, answering ``fallback(*args)`` when Redis is out of reach."""
    method = getattr(RedisCacheClient, operation)

    def guarded(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except OUTAGE as error:
            logger.warning("Redis unavailable for cache %s: %s", operation, error)
            return fallback(*args)

    guarded.__name__ = operation
    return guarded


def _no_counter(key, delta):
    raise ValueError("Redis unavailable: no counter")  # as for a missing key


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    add = _degraded("add", lambda key, value, timeout: True)
    get = _degraded("get", lambda key, default: default)
    set = _degraded("set", lambda key, value, timeout: None)
    touch = _degraded("touch", lambda key, timeout: False)
    delete = _degraded("delete", lambda key: False)
    get_many = _degraded("get_many", lambda keys: {})
    has_key = _degraded("has_key", lambda key: False)
    incr = _degraded("incr", _no_counter)
    set_many = _degraded("set_many", lambda data, timeout: [])
    delete_many = _degraded("delete_many", lambda keys: None)
    clear = _degraded("clear", lambda: False)


class PortalRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
