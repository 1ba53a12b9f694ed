"""The shared cache (Redis) with one redis-py client per connection pool.

Django's ``RedisCacheClient.get_client()`` builds a new ``redis.Redis`` for every cache
call, and each one copies redis-py's table of some 500 response callbacks: about 0.15 ms
per ``cache.get``, several per page (the session, per-commune values). A client is only a
handle on its connection pool and is safe to share between threads, so one per pool
serves every call.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


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


class PortalRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
