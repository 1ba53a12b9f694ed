"""Data versions: a number per schema that PostgreSQL itself raises on every write to the
tables it watches, so that a cache keyed by it cannot miss a change, whoever writes (a
view, a service's bulk ``update()``, the worker, the admin, raw SQL).

Each schema has a sequence ``portal_data_version``; each watched table has a statement
trigger (``portal_data_touched``) that, in the writing transaction:

1. takes a shared transaction-level advisory lock named after the sequence (writers never
   wait on each other: shared locks do not conflict), then
2. draws from the sequence (``nextval`` is not transactional: the new number is visible to
   every session at once, before the commit).

A reader keys its cache by the number. On a miss it builds the value from the database and
keeps it only if, when it read the number, no writer was between its write and its commit
(``probe``: a non-blocking exclusive try on the same advisory key, released in the same
statement). Why this is enough:

- a writer that committed before the probe is seen by the build (read after the probe);
- a writer in flight at the probe makes it fail: the value is shown but not kept;
- a writer that starts after the probe raises the number before it commits, so readers
  that still see the old number read before its commit, and the kept value is right for
  them.

Inside a transaction (``atomic``) nothing is read from or kept in the caches: it may have
written rows that only it sees. A rolled-back write raises the number too (a wasted miss,
never a wrong page). The version is the sequence's OID (a commune's schema dropped and made
again under the same name starts again, and must not meet the values kept for the old one)
and ``last_value + is_called``, strictly increasing from the sequence's creation, including
in a fresh copy of a schema whose sequence was never drawn (onboarding).

One number per schema, not per table: the host's lookup reads the member's and the public
schema's in the query it makes anyway (tenants.middleware), about 20 µs, so that a page kept
under them costs no query of its own; per table, the same read cost five times as much on
every request. The price: any watched write in a commune makes all its kept pages be built
again once.

Migrations install the triggers with ``watch(table)``; see README "Operations".
"""

import copy
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.core.cache import cache
from django.db import connection, migrations

T = TypeVar("T")

SEQUENCE = "portal_data_version"
# Advisory keys: this prefix in the high 32 bits, the sequence's OID in the low ones (keys
# of the project's other advisory locks, hashtext() values, fit in 32 bits and never meet).
_KEY_SQL = "((x'50445600'::bigint << 32) | {oid}::bigint)"

FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION public.portal_data_touched() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    version regclass := format('%I.{SEQUENCE}', TG_TABLE_SCHEMA)::regclass;
BEGIN
    -- Held until this transaction ends: readers' probes fail meanwhile (portal/dataversion.py).
    PERFORM pg_advisory_xact_lock_shared({_KEY_SQL.format(oid="version::oid")});
    PERFORM nextval(version);
    RETURN NULL;
END
$$;
"""


def install_function() -> migrations.RunSQL:
    """A migration operation (public schema, before any ``watch``): the trigger function."""
    return migrations.RunSQL(
        FUNCTION_SQL, "DROP FUNCTION IF EXISTS public.portal_data_touched() CASCADE;"
    )


def watch(table: str, *, unless_only: tuple[str, ...] = ()) -> migrations.RunSQL:
    """A migration operation: writes to ``table`` raise the version of the schema being
    migrated (its sequence is made by the first such operation; it stays if they are
    reversed, unused).

    ``unless_only``: columns whose change alone does not raise it (an account's
    ``last_login``, written at each sign-in, would otherwise make every process read every
    account again); any other column, including columns added later, raises it."""
    trigger = f"{table}_data_version"
    events = "INSERT OR UPDATE OR DELETE OR TRUNCATE"
    updates = ""
    if unless_only:
        events = "INSERT OR DELETE OR TRUNCATE"
        ignored = " - ".join(f"'{column}'" for column in unless_only)
        updates = f"""
        CREATE TRIGGER "{trigger}_update" AFTER UPDATE ON "{table}" FOR EACH ROW
            WHEN ((to_jsonb(OLD) - {ignored}) IS DISTINCT FROM (to_jsonb(NEW) - {ignored}))
            EXECUTE FUNCTION public.portal_data_touched();"""
    return migrations.RunSQL(
        f"""
        CREATE SEQUENCE IF NOT EXISTS "{SEQUENCE}";
        CREATE TRIGGER "{trigger}" AFTER {events} ON "{table}"
            FOR EACH STATEMENT EXECUTE FUNCTION public.portal_data_touched();
        {updates}
        """,
        f"""{f'DROP TRIGGER "{trigger}_update" ON "{table}";' if unless_only else ""}
        DROP TRIGGER "{trigger}" ON "{table}";""",
    )


def version_sql(schema_sql: str) -> str:
    """A SQL expression (text, NULL without a sequence) of the version of the schema named by
    ``schema_sql``, for a query that already runs (tenants.middleware)."""
    return (
        "(SELECT r::oid::text || '.' || coalesce(pg_sequence_last_value(r) + 1, 1)::text"
        f" FROM to_regclass({schema_sql} || '.{SEQUENCE}') AS r)"
    )


def read_for_request(*, public: bool = False) -> str | None:
    """The version of the active schema (of the public schema with ``public``) read with
    this request's host lookup (tenants.middleware), or None: not read (a task), or
    forgotten since (a request that wrote)."""
    attribute = "public_version" if public else "data_version"
    return getattr(getattr(connection, "tenant", None), attribute, None)


def current(*, schema: str | None = None) -> str | None:
    """The version of the active schema (or of ``schema``) now; None without a sequence."""
    schema_sql = f"'{schema}'" if schema else "current_schema()"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {version_sql(schema_sql)}")
        return cursor.fetchone()[0]


def version(*, public: bool = False) -> str | None:
    """The version of the active schema (of the public schema with ``public``): the one read
    with this request's host lookup, else read now; None without a sequence."""
    return read_for_request(public=public) or current(schema="public" if public else None)


def probe(*, schema: str | None = None) -> tuple[str, bool]:
    """As ``current`` (or for ``schema``), and whether no writer is between its write and
    its commit (then a value read from now on may be kept under that version)."""
    sequence = f"{schema}.{SEQUENCE}" if schema else SEQUENCE
    key = _KEY_SQL.format(oid=f"'{sequence}'::regclass::oid")
    schema_sql = f"'{schema}'" if schema else "current_schema()"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {version_sql(schema_sql)}, CASE WHEN pg_try_advisory_lock({key})"
            f" THEN pg_advisory_unlock({key}) ELSE false END"
        )
        version, quiet = cursor.fetchone()
    return version, bool(quiet)


def cached(
    name: str,
    build: Callable[[], T],
    *,
    variant: str = "",
    timeout: int = 600,
    public: bool = False,
) -> T:
    """``build()``'s value for the active schema (for the public schema's tables with
    ``public``), kept in the shared cache under that schema's version (the one read with
    the request, else read now) and ``variant`` (what else the value depends on: filters,
    the day...)."""
    if connection.in_atomic_block:
        return build()  # this transaction may have written: never share what it reads
    schema = "public" if public else connection.schema_name

    def key(version: str) -> str:
        return f"dv:{schema}:{name}:{version}:{variant}"

    seen = version(public=public)
    if seen is None:
        return build()  # a schema that migrations have not reached yet: no sequence
    value = _recent.get(key(seen))
    if value is None:
        value = cache.get(key(seen))
    if value is not None:
        _recent.put(key(seen), value)
        return value
    latest, quiet = probe(schema="public" if public else None)
    value = build()
    if quiet:
        cache.set(key(latest), value, timeout)
        _recent.put(key(latest), value)
    return value


class _Memory:
    """This process's last values, by key (least recently used out first). A key names one
    version, so an entry is never stale, only unused once its version has passed."""

    def __init__(self, size: int):
        self.size = size
        self.values: OrderedDict = OrderedDict()

    def get(self, key: Hashable):
        value = self.values.get(key)
        if value is not None:
            self.values.move_to_end(key)
        return value

    def put(self, key: Hashable, value) -> None:
        self.values[key] = value
        self.values.move_to_end(key)
        if len(self.values) > self.size:
            self.values.popitem(last=False)


# What ``cached`` served last: saves the cache's round trip and unpickling (a request table
# is 33 kB).
_recent = _Memory(128)
# What ``local_cached`` keeps: small values, one per signed-in account and membership.
_local = _Memory(4096)
_NONE = object()


def local_cached(key: Hashable, version: str, build: Callable[[], T]) -> T:
    """``build()``'s value (a model instance, or None) from this process's memory, kept
    under the public schema's ``version`` that the caller read with this request. A copy is
    returned, so a caller may change it freely. For small values read on every request
    (the signed-in account, its membership): no round trip at all."""
    if connection.in_atomic_block:
        return build()  # this transaction may have written: never share what it reads
    value = _local.get((key, version))
    if value is None:
        latest, quiet = probe(schema="public")
        value = build()
        if quiet:
            _local.put((key, latest), _NONE if value is None else value)
        return copy.copy(value)
    return None if value is _NONE else copy.copy(value)
