"""Per-commune values kept in the shared cache (Redis) between requests.

Pages every visitor opens (a commune's home, its forms, its appointment types) read the
same few rows each time; a request to PostgreSQL costs more than one to Redis. Values are
keyed by the active schema, so that a commune never sees another's; writers forget them
once their transaction commits, and a timeout bounds any race between a reader filling
the cache and a writer forgetting it.
"""

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import connection, transaction

T = TypeVar("T")
DEFAULT_TIMEOUT = 300


def _key(name: str, schema: str | None = None) -> str:
    return f"tenant-cache:{schema or connection.schema_name}:{name}"


def tenant_cached(name: str, build: Callable[[], T], *, timeout: int = DEFAULT_TIMEOUT) -> T:
    """``build()``'s value for the active commune, from the cache when it is there."""
    key = _key(name)
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout)
    return value


def tenant_cache_forget(*names: str) -> None:
    """Forget the active commune's values once the current transaction commits (at once
    outside a transaction)."""
    keys = [_key(name) for name in names]
    transaction.on_commit(lambda: cache.delete_many(keys))
