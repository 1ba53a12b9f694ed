"""portal.tenant_cache: per-commune values never cross communes; shared ones are one for
all; forgetting waits for the writer's commit."""

import pytest

from portal.tenant_cache import tenant_cache_forget, tenant_cache_prefetched, tenant_cached
from tests.conftest import in_tenant

pytestmark = pytest.mark.django_db


def test_a_communes_value_is_its_own_and_a_shared_value_is_everyones(tenant_a, tenant_b):
    with in_tenant(tenant_a):
        assert tenant_cached("t:own", lambda: ("A",)) == ("A",)
        assert tenant_cached("t:all", lambda: ("first",), shared=True) == ("first",)
    with in_tenant(tenant_b):
        assert tenant_cached("t:own", lambda: ("B",)) == ("B",)
        assert tenant_cached("t:all", lambda: ("second",), shared=True) == ("first",)
    with in_tenant(tenant_a):
        assert tenant_cached("t:own", lambda: ("again",)) == ("A",)


def test_a_value_is_forgotten_once_the_writer_commits(tenant_a, django_capture_on_commit_callbacks):
    with in_tenant(tenant_a):
        tenant_cached("t:own", lambda: ("old",))
        tenant_cached("t:all", lambda: ("old",), shared=True)
        with django_capture_on_commit_callbacks() as callbacks:
            tenant_cache_forget("t:own")
            tenant_cache_forget("t:all", shared=True)
        # Not before: a reader would refill it with the rows as they were before the commit.
        assert tenant_cached("t:own", lambda: ("new",)) == ("old",)
        for callback in callbacks:
            callback()
        assert tenant_cached("t:own", lambda: ("new",)) == ("new",)
        assert tenant_cached("t:all", lambda: ("new",), shared=True) == ("new",)


def test_a_prefetch_reads_every_named_value_in_one_round_trip(tenant_a, monkeypatch):
    from django.core.cache import cache

    with in_tenant(tenant_a):
        tenant_cached("t:one", lambda: (1,))
        tenant_cached("t:all", lambda: ("shared",), shared=True)
        reads = []
        for method in ("get", "get_many"):
            original = getattr(cache, method)
            monkeypatch.setattr(
                cache,
                method,
                lambda *a, _m=original, _n=method, **k: reads.append(_n) or _m(*a, **k),
            )
        with tenant_cache_prefetched("t:one", "t:missing", shared=("t:all",)):
            assert tenant_cached("t:one", lambda: (0,)) == (1,)
            assert tenant_cached("t:all", lambda: (0,), shared=True) == ("shared",)
            assert reads == ["get_many"]
            # A value not in the cache yet is built and kept, as outside the block.
            assert tenant_cached("t:missing", lambda: (2,)) == (2,)
        assert tenant_cached("t:missing", lambda: (0,)) == (2,)
