"""The shared cache keeps one redis-py client per connection pool (portal/cache.py)."""

from django.core.cache import cache


def test_calls_share_one_client_and_reach_redis():
    backend = cache._cache
    cache.set("test-cache:shared-client", {"a": 1}, 30)
    assert cache.get("test-cache:shared-client") == {"a": 1}
    assert backend.get_client(write=False) is backend.get_client(write=True)
    assert len(backend._clients) == 1
    cache.delete("test-cache:shared-client")
    assert cache.get("test-cache:shared-client") is None
