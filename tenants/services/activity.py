"""Where each account is active (tenants.AccountActivity): written by the tenant apps in the
transaction of the filing or booking, rebuilt from the schemas by a backfill.

Tenant apps call ``account_activity_record`` inside their own transaction, in the member's
schema: the row commits or rolls back with the request or appointment it describes.
"""

from collections.abc import Callable

from django.db import connection
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from tenants.models import AccountActivity, Collectivite

# One statement, safe under concurrency: two first bookings of the same citizen in the same
# commune at the same second both land (ON CONFLICT adds to the counts).
_UPSERT = """
INSERT INTO {table} (user_id, collectivite_id, first_at, last_at, requests, appointments)
VALUES (%s, %s, %s, %s, %s, %s)
ON CONFLICT (user_id, collectivite_id) DO UPDATE SET
    last_at = GREATEST({table}.last_at, EXCLUDED.last_at),
    requests = {table}.requests + EXCLUDED.requests,
    appointments = {table}.appointments + EXCLUDED.appointments
"""


def _table() -> str:
    quote = connection.ops.quote_name
    return f"{quote(get_public_schema_name())}.{quote(AccountActivity._meta.db_table)}"


def account_activity_record(*, user_id: int | None, requests: int = 0, appointments: int = 0):
    """Note that ``user_id`` has something in the current member's schema (``requests`` /
    ``appointments`` new records). Call it inside the transaction that creates them; does
    nothing for an anonymous filing or outside a member's schema."""
    tenant = getattr(connection, "tenant", None)
    if user_id is None or tenant is None or tenant.schema_name == get_public_schema_name():
        return
    # schema_context() activates a stand-in tenant that has only a schema name.
    pk = getattr(tenant, "pk", None) or (
        Collectivite.objects.values_list("pk", flat=True).get(schema_name=tenant.schema_name)
    )
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _UPSERT.format(table=_table()),
            [user_id, pk, now, now, requests, appointments],
        )


# The schemas' own tables, as the tenant apps name them (raw SQL: the backfill runs in the
# public schema and must not import tenant apps' models).
_SOURCES = {
    "requests": ("sve_request", "user_id", "created_at"),
    "appointments": (
        "rendezvous_appointment",
        "citizen_id",
        "created_at",
        "AND status NOT IN ('held', 'expired')",
    ),
}


def account_activity_backfill(*, progress: Callable[[int, int, str], None] | None = None) -> int:
    """Rebuild every member's rows from its schema (one statement per member and source, in
    its own transaction, so that locks stay per schema). Idempotent: counts are replaced,
    not added. Returns the number of members read."""
    members = list(Collectivite.objects.members().values_list("pk", "schema_name"))
    quote = connection.ops.quote_name
    table = _table()
    for index, (pk, schema) in enumerate(members, start=1):
        with connection.cursor() as cursor:
            for column, (source, user_column, at_column, *extra) in _SOURCES.items():
                cursor.execute("SELECT to_regclass(%s)", [f"{quote(schema)}.{source}"])
                if cursor.fetchone()[0] is None:
                    continue
                other = "appointments" if column == "requests" else "requests"
                cursor.execute(
                    f"""INSERT INTO {table}
                            (user_id, collectivite_id, first_at, last_at, {column}, {other})
                        SELECT s.{user_column}, %s, min(s.{at_column}), max(s.{at_column}),
                               count(*), 0
                          FROM {quote(schema)}.{source} s
                          JOIN {quote(get_public_schema_name())}.accounts_user u
                            ON u.id = s.{user_column}
                         WHERE s.{user_column} IS NOT NULL {" ".join(extra)}
                         GROUP BY s.{user_column}
                        ON CONFLICT (user_id, collectivite_id) DO UPDATE SET
                            first_at = LEAST({table}.first_at, EXCLUDED.first_at),
                            last_at = GREATEST({table}.last_at, EXCLUDED.last_at),
                            {column} = EXCLUDED.{column}""",
                    [pk],
                )
        if progress:
            progress(index, len(members), schema)
    return len(members)
