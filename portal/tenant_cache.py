"""Per-commune values kept in the shared cache (Redis) between requests.

Pages every visitor opens (a commune's home, its forms, its appointment types) read the
same few rows each time; a request to PostgreSQL costs more than one to Redis. Values are
keyed by the active schema, so that a commune never sees another's; writers forget them
once their transaction commits, and a timeout bounds any race between a reader filling
the cache and a writer forgetting it. ``shared=True`` names a value of the public schema,
the same for every commune (the application catalogue), kept once for all of them.

Cache plain values (tuples, frozen dataclasses of what the page shows), not model
instances: unpickling instances on every page cost more than the query they saved.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.core.cache import cache
from django.db import connection, transaction
from django_tenants.utils import get_public_schema_name

T = TypeVar("T")
DEFAULT_TIMEOUT = 300
# Values read ahead by tenant_cache_prefetched, for the block it guards.
_prefetched: ContextVar[dict | None] = ContextVar("tenant_cache_prefetched", default=None)


def _key(name: str, *, shared: bool = False) -> str:
    schema = get_public_schema_name() if shared else connection.schema_name
    return f"tenant-cache:{schema}:{name}"


def tenant_cached(
    name: str, build: Callable[[], T], *, timeout: int = DEFAULT_TIMEOUT, shared: bool = False
) -> T:
    """``build()``'s value for the active commune (for all, ``shared``), from the cache
    when it is there."""
    key = _key(name, shared=shared)
    prefetched = _prefetched.get()
    value = prefetched[key] if prefetched and key in prefetched else cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout)
    return value


def tenant_cache_forget(*names: str, shared: bool = False) -> None:
    """Forget the active commune's values (the ``shared`` ones) once the current
    transaction commits (at once outside a transaction)."""
    keys = [_key(name, shared=shared) for name in names]
    # Robust: the write has committed; a cache out of reach (a migration run before Redis is
    # up) is logged, and the timeout bounds what it keeps, rather than failing the caller.
    transaction.on_commit(lambda: cache.delete_many(keys), robust=True)


@contextmanager
def tenant_cache_prefetched(*names: str, shared: tuple[str, ...] = ()) -> Iterator[None]:
    """Within the block, ``tenant_cached`` finds ``names`` (and the ``shared`` ones) in one
    round trip to the cache made here, not one each: a page that reads several values (the
    commune's home, issue 11 §4). For reads only: a value forgotten inside the block is
    still seen as it was."""
    keys = [_key(name) for name in names] + [_key(name, shared=True) for name in shared]
    token = _prefetched.set(cache.get_many(keys))
    try:
        yield
    finally:
        _prefetched.reset(token)
