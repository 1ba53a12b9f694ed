"""Database helpers shared by every app."""

import functools
import logging
import random
import time

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction
from psycopg import errors as pg_errors

logger = logging.getLogger(__name__)

# PostgreSQL aborts one side of a lock cycle (40P01) or of a serialisation conflict (40001):
# the transaction was rolled back whole, so running it again is safe.
RETRYABLE = (pg_errors.DeadlockDetected, pg_errors.SerializationFailure)
ATTEMPTS = 4


def is_retryable(error: BaseException) -> bool:
    return isinstance(error, OperationalError) and isinstance(error.__cause__, RETRYABLE)


def retry_on_deadlock(func):
    """Run ``func`` (which opens its own transaction) again, up to ``ATTEMPTS`` times with a
    short random pause, when PostgreSQL aborts it as a deadlock or serialisation victim.

    Inside an outer transaction nothing can be retried (the outer one is aborted too): the
    error goes up to the outermost decorated call, which retries the whole of it."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if transaction.get_connection().in_atomic_block:
            return func(*args, **kwargs)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return func(*args, **kwargs)
            except OperationalError as error:
                if not is_retryable(error) or attempt == ATTEMPTS:
                    raise
                logger.warning("%s: %s, attempt %d, retrying", func.__qualname__, error, attempt)
                time.sleep(random.uniform(0.02, 0.1) * attempt)
        raise AssertionError("unreachable")

    return wrapper


# Past this many rows, ``bulk_insert`` streams them with COPY; below it, bulk_create's one
# INSERT is as fast and keeps the ORM's usual path.
COPY_FROM = 200
# Field types whose plain values (ints, strings, None) PostgreSQL reads as they are: the
# ORM's per-value preparation of them (~1 µs each, 10 fields x 10,000 rows) is skipped.
PLAIN_TYPES = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "ForeignKey",
    "IntegerField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "TextField",
}
PLAIN_VALUES = {int, str, bool, type(None)}


def bulk_insert(objs: list) -> list:
    """Insert unsaved instances of one model (no multi-table inheritance) and set their
    primary keys, as ``bulk_create`` does, but several times faster for thousands of rows:
    past ``COPY_FROM`` rows, their keys are drawn from the table's sequence in one query and
    the rows streamed with ``COPY ... FROM STDIN`` (insert triggers fire as for INSERT).
    No conflict handling: a duplicate key fails the whole statement."""
    if len(objs) < COPY_FROM:
        return type(objs[0])._default_manager.bulk_create(objs) if objs else objs
    db = connections[DEFAULT_DB_ALIAS]  # once, rather than through the proxy for each value
    meta = objs[0]._meta
    fields = [field for field in meta.concrete_fields if not field.generated]
    plain = [(field, field.get_internal_type() in PLAIN_TYPES) for field in fields]
    table = db.ops.quote_name(meta.db_table)
    columns = ", ".join(db.ops.quote_name(field.column) for field in fields)
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, meta.pk.column, len(objs)],
        )
        for obj, pk in zip(objs, sorted(row[0] for row in cursor.fetchall()), strict=True):
            obj.pk = pk
            obj._state.adding, obj._state.db = False, db.alias
        # the driver's cursor, its errors raised as Django's (IntegrityError...)
        with (
            db.wrap_database_errors,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for obj in objs:
                row = []
                for field, is_plain in plain:
                    value = getattr(obj, field.attname)
                    if not (is_plain and value.__class__ in PLAIN_VALUES):
                        value = field.get_db_prep_save(value, db)
                    row.append(value)
                copy.write_row(row)
    return objs


def bulk_insert_varying(
    template, *, field: str, values: list, ignore_conflicts: bool = False
) -> None:
    """Insert one row per item of ``values``: each a copy of the unsaved instance
    ``template`` but for ``field``, in one statement whatever their number (INSERT ...
    SELECT from an array); with ``ignore_conflicts``, rows that would break a unique
    constraint are skipped (ON CONFLICT DO NOTHING). Primary keys are not returned."""
    if not values:
        return
    db = connections[DEFAULT_DB_ALIAS]
    meta = template._meta
    varying = meta.get_field(field)
    fields = [
        f for f in meta.concrete_fields if not f.primary_key and not f.generated and f != varying
    ]
    quote = db.ops.quote_name
    columns = ", ".join(quote(f.column) for f in [*fields, varying])
    constants = ", ".join(f"CAST(%s AS {f.db_type(db)})" for f in fields)
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) SELECT {constants}, item"
        f" FROM unnest(CAST(%s AS {varying.db_type(db)}[])) AS item"
    )
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    params = [f.get_db_prep_save(getattr(template, f.attname), db) for f in fields]
    params.append(
        [v if v.__class__ in PLAIN_VALUES else varying.get_db_prep_save(v, db) for v in values]
    )
    with db.cursor() as cursor:
        cursor.execute(sql, params)
