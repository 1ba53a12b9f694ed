"""Data versions: a number per table that PostgreSQL itself raises on every write, so that
a cache keyed by it cannot miss a change, whoever writes (a view, a service's bulk
``update()``, the worker, the admin, raw SQL).

Each watched table has a sequence ``<table>_version`` beside it and a statement trigger
(``portal_data_touched``) that, in the writing transaction:

1. takes a shared transaction-level advisory lock named after the table (writers never
   wait on each other: shared locks do not conflict), then
2. draws from the sequence (``nextval`` is not transactional: the new number is visible to
   every session at once, before the commit).

A reader keys its cache by the table's number. On a miss it builds the value from the
database and keeps it only if, when it read the number, no writer of the table was between
its write and its commit (``probe``: a non-blocking exclusive try on the same advisory
key, released in the same statement). Why this is enough:

- a writer that committed before the probe is seen by the build (read after the probe);
- a writer in flight at the probe makes it fail: the value is shown but not kept;
- a writer that starts after the probe raises the number before it commits, so readers
  that still see the old number read before its commit, and the kept value is right for
  them.

Inside a transaction (``atomic``) nothing is read from or kept in the caches: it may have
written rows that only it sees. A rolled-back write raises the number too (a wasted miss, never a wrong page). The number
itself is ``last_value + is_called``: strictly increasing from the sequence's creation,
including a fresh copy of a schema whose sequence was never drawn (onboarding).

Migrations install the trigger with ``watch(table)``; see README "Operations".
"""

import copy
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

from django.core.cache import cache
from django.db import connection, migrations

T = TypeVar("T")

# Advisory keys: this prefix in the high 32 bits, the table's OID in the low ones (keys of
# the project's other advisory locks, hashtext() values, fit in 32 bits and never meet it).
KEY_PREFIX = 0x50445600  # "PDV\0"
_KEY_SQL = "((x'50445600'::bigint << 32) | {oid}::bigint)"

FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION public.portal_data_touched() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Held until this transaction ends: readers' probes fail meanwhile (portal/dataversion.py).
    PERFORM pg_advisory_xact_lock_shared({_KEY_SQL.format(oid="TG_RELID")});
    PERFORM nextval(format('%I.%I', TG_TABLE_SCHEMA, TG_TABLE_NAME || '_version')::regclass);
    RETURN NULL;
END
$$;

-- The versions of ``tables`` in one schema, for the host's lookup (one query per request):
-- NULL for a table not versioned there yet (a member that a migration has not reached).
CREATE OR REPLACE FUNCTION public.portal_data_versions(schema_name text, tables text[])
RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
    parts text[];
    result text[];
BEGIN
    SELECT array_agg(
        CASE WHEN to_regclass(format('%I.%I', schema_name, t || '_version')) IS NULL
        THEN 'NULL::text'
        ELSE format(
            '(SELECT %L::regclass::oid::text || ''.'' || (last_value + is_called::int)::text'
            ' FROM %I.%I)',
            format('%I.%I', schema_name, t || '_version'), schema_name, t || '_version')
        END ORDER BY n)
    INTO parts FROM unnest(tables) WITH ORDINALITY AS u(t, n);
    EXECUTE 'SELECT ARRAY[' || array_to_string(parts, ', ') || ']::text[]' INTO result;
    RETURN result;
END
$$;
"""


def _sequence(table: str) -> str:
    return f"{table}_version"


def watch(table: str, *, unless_only: tuple[str, ...] = ()) -> migrations.RunSQL:
    """A migration operation: version ``table`` (in the schema being migrated).

    ``unless_only``: columns whose change alone does not raise the version (an account's
    ``last_login``, written at each sign-in, would otherwise make every process read every
    account again); any other column, including columns added later, raises it."""
    sequence = _sequence(table)
    events = "INSERT OR UPDATE OR DELETE OR TRUNCATE"
    if unless_only:
        events = "INSERT OR DELETE OR TRUNCATE"
        ignored = " - ".join(f"'{column}'" for column in unless_only)
        updates = f"""
        CREATE TRIGGER "{sequence}_update" AFTER UPDATE ON "{table}" FOR EACH ROW
            WHEN ((to_jsonb(OLD) - {ignored}) IS DISTINCT FROM (to_jsonb(NEW) - {ignored}))
            EXECUTE FUNCTION public.portal_data_touched();"""
    return migrations.RunSQL(
        f"""
        CREATE SEQUENCE "{sequence}";
        CREATE TRIGGER "{sequence}" AFTER {events} ON "{table}"
            FOR EACH STATEMENT EXECUTE FUNCTION public.portal_data_touched();
        {updates if unless_only else ""}
        """,
        f"""{f'DROP TRIGGER "{sequence}_update" ON "{table}";' if unless_only else ""}
        DROP TRIGGER "{sequence}" ON "{table}"; DROP SEQUENCE "{sequence}";""",
    )


def install_function() -> migrations.RunSQL:
    """A migration operation (public schema, before any ``watch``): the trigger function."""
    return migrations.RunSQL(
        FUNCTION_SQL,
        "DROP FUNCTION IF EXISTS public.portal_data_versions(text, text[]);"
        " DROP FUNCTION IF EXISTS public.portal_data_touched() CASCADE;",
    )


def version_sql(tables: Iterable[str], *, schema: str | None = None) -> str:
    """A SQL expression (text) of the tables' version, for a query that already runs, e.g.
    the host's lookup (tenants.middleware): the first sequence's OID (a commune's schema
    dropped and made again under the same name starts its numbers again, and must not meet
    the values kept for the old one), then the sum of the tables' numbers (each only grows,
    so their sum changes with any of them)."""
    tables = tuple(tables)
    prefix = f'"{schema}".' if schema else ""
    oid = f"'{prefix}\"{_sequence(tables[0])}\"'::regclass::oid::text"
    numbers = " + ".join(
        f'(SELECT last_value + is_called::int FROM {prefix}"{_sequence(t)}")' for t in tables
    )
    return f"{oid} || '.' || ({numbers})::text"


def combined(tokens: list[str]) -> str:
    """Tables' versions, one each (``version_sql`` of one table), as ``version_sql`` of all
    of them gives it."""
    return f"{tokens[0].split('.')[0]}.{sum(int(t.split('.')[1]) for t in tokens)}"


def read_for_request(tables: tuple[str, ...]) -> str | None:
    """The tables' version read with this request's host lookup (tenants.middleware), or
    None (not read: a task, a table not versioned yet)."""
    known = getattr(getattr(connection, "tenant", None), "data_versions", None) or {}
    tokens = [known.get(table) for table in tables]
    return combined(tokens) if tokens and None not in tokens else None


def current(tables: tuple[str, ...]) -> str:
    """The tables' version in the active schema."""
    read = read_for_request(tables)
    if read is not None:
        return read
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {version_sql(tables)}")
        return cursor.fetchone()[0]


def probe(tables: tuple[str, ...]) -> tuple[str, bool]:
    """As ``current``, and whether no writer of the tables is between its write and its
    commit (then a value read from now on may be kept under that version)."""
    quiet = " AND ".join(
        "CASE WHEN pg_try_advisory_lock({key}) THEN pg_advisory_unlock({key}) "
        "ELSE false END".format(key=_KEY_SQL.format(oid=f"'\"{t}\"'::regclass::oid"))
        for t in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {version_sql(tables)}, {quiet}")
        version, is_quiet = cursor.fetchone()
    return version, bool(is_quiet)


def cached(
    name: str,
    tables: tuple[str, ...],
    build: Callable[[], T],
    *,
    variant: str = "",
    timeout: int = 3600,
    version: str | None = None,
) -> T:
    """``build()``'s value for the active schema, kept in the shared cache under the tables'
    number (``version`` if the caller read it already) and ``variant`` (what else the value
    depends on: filters, the day...)."""

    if connection.in_atomic_block:
        return build()  # this transaction may have written: never share what it reads

    def key(version: str) -> str:
        return f"dv:{connection.schema_name}:{name}:{version}:{variant}"

    value = cache.get(key(current(tables) if version is None else version))
    if value is not None:
        return value
    version, quiet = probe(tables)
    value = build()
    if quiet:
        cache.set(key(version), value, timeout)
    return value


_LOCAL: dict = {}
_LOCAL_MAX = 4096
_NONE = object()


def local_cached(key: Hashable, tables: tuple[str, ...], version: str, build: Callable[[], T]) -> T:
    """``build()``'s value (a model instance, or None) from this process's memory, kept
    under the tables' number ``version`` that the caller read this request. A copy is
    returned, so a caller may change it freely. For small values read on every request
    (the signed-in account, its membership): no round trip at all."""
    if connection.in_atomic_block:
        return build()  # this transaction may have written: never share what it reads
    value = _LOCAL.get((key, version))
    if value is None:
        latest, quiet = probe(tables)
        value = build()
        if quiet:
            if len(_LOCAL) >= _LOCAL_MAX:
                _LOCAL.clear()  # old versions' entries: never read again
            _LOCAL[(key, latest)] = _NONE if value is None else value
        return copy.copy(value)
    return None if value is _NONE else copy.copy(value)
