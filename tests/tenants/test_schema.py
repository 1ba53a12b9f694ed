"""Cloning the template schema by replaying its cached DDL (tenants.schema, issue 14)."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django_tenants.signals import schema_migrated

from tenants import schema
from tenants.services import collectivite_create

TEMPLATE = "tenant_template"

pytestmark = pytest.mark.django_db


def catalog(schema_name: str) -> dict[str, list]:
    """What PostgreSQL's catalog says of one schema, with its name written <schema>: tables,
    columns (in order; types, defaults, identity), indexes, constraints, sequences (settings,
    position, owner), triggers, functions, and the migrations it records."""
    queries = {
        "relations": """
            SELECT relname, relkind, relpersistence FROM pg_class
            WHERE relnamespace = to_regnamespace(%(s)s) AND relkind NOT IN ('i', 'S')""",
        "columns": """
            SELECT c.relname, rank() OVER (PARTITION BY c.oid ORDER BY a.attnum), a.attname,
                   format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity,
                   a.attgenerated, pg_get_expr(d.adbin, d.adrelid), a.attcollation
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE c.relnamespace = to_regnamespace(%(s)s) AND c.relkind = 'r'
              AND a.attnum > 0 AND NOT a.attisdropped""",
        "indexes": """
            SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i
            JOIN pg_class c ON c.oid = i.indexrelid
            WHERE c.relnamespace = to_regnamespace(%(s)s)""",
        "constraints": """
            SELECT t.relname, o.conname, o.contype, pg_get_constraintdef(o.oid), o.condeferrable
            FROM pg_constraint o JOIN pg_class t ON t.oid = o.conrelid
            WHERE o.connamespace = to_regnamespace(%(s)s)""",
        "sequences": """
            SELECT c.relname, s.seqtypid::regtype::text, s.seqstart, s.seqincrement, s.seqmax,
                   s.seqmin, s.seqcache, s.seqcycle, q.last_value, owner.relname, a.attname,
                   dep.deptype
            FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid
            JOIN pg_sequences q ON q.schemaname = %(s)s AND q.sequencename = c.relname
            LEFT JOIN pg_depend dep ON dep.classid = 'pg_class'::regclass
                 AND dep.objid = c.oid AND dep.deptype IN ('a', 'i')
            LEFT JOIN pg_class owner ON owner.oid = dep.refobjid
            LEFT JOIN pg_attribute a ON a.attrelid = dep.refobjid AND a.attnum = dep.refobjsubid
            WHERE c.relnamespace = to_regnamespace(%(s)s)""",
        "triggers": """
            SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid), t.tgenabled
            FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            WHERE c.relnamespace = to_regnamespace(%(s)s) AND NOT t.tgisinternal""",
        "functions": """
            SELECT proname, pg_get_functiondef(oid) FROM pg_proc
            WHERE pronamespace = to_regnamespace(%(s)s)""",
        "migrations": f'SELECT app, name FROM "{schema_name}".django_migrations',
    }
    found = {}
    with connection.cursor() as cursor:
        for name, sql in queries.items():
            cursor.execute(sql, {"s": schema_name})
            found[name] = sorted(
                tuple(str(v).replace(schema_name, "<schema>") for v in row)
                for row in cursor.fetchall()
            )
    return found


def deparsed_again(text: str) -> str:
    """A definition as PostgreSQL writes it once re-read: an ``IN`` over a varchar column
    (``= ANY ((ARRAY['a'::character varying])::text[])``, as Django's migration made it)
    comes back with the cast on each element (``ARRAY[('a'::character varying)::text]``):
    the same predicate, and what pg_dump, django-tenants' clone_schema() and pg_restore all
    produce. The only difference a replayed schema has."""
    return re.sub(
        r"\(\(ARRAY\[(.*?)\]\)::text\[\]\)",
        lambda m: "(ARRAY[" + ", ".join(f"({v})::text" for v in m.group(1).split(", ")) + "])",
        text,
    )


def test_a_cloned_member_has_the_catalog_of_the_migrated_template(operator):
    # The template is made by running every tenant migration (migrate_schemas, at the test
    # database's creation): a member must come out the same, object for object.
    member = collectivite_create(name="Commune clonée", slug="test-clone")

    cloned, migrated = catalog(member.schema_name), catalog(TEMPLATE)
    for part in ("indexes", "constraints"):
        assert cloned[part] != migrated[part]  # deparsed_again() below is needed, and ...
        migrated[part] = [tuple(deparsed_again(v) for v in row) for row in migrated[part]]
    for part in migrated:  # ... is the only difference
        assert cloned[part] == migrated[part], part
    assert len(migrated["relations"]) > 15 and len(migrated["indexes"]) > 40
    # The journal's append-only guards, and the data versions' (portal/dataversion.py).
    assert len(migrated["triggers"]) == 8
    assert {row[0] for row in migrated["triggers"] if row[1].endswith("_data_version")} == {
        "sve_request",
        "sve_form",
        "sve_formversion",
        "rendezvous_appointment",
        "rendezvous_appointmenttype",
        "rendezvous_place",
    }
    # Identity columns' own sequences, and the data versions' (owned by no column).
    versions = [row for row in migrated["sequences"] if row[-1] == "None"]
    assert [row[0] for row in versions] == ["portal_data_version"]
    assert {row[-1] for row in migrated["sequences"]} == {"i", "None"}
    assert ("sve", "0001_initial") in migrated["migrations"]


def test_the_template_ddl_is_dumped_once_then_replayed(operator):
    schema._MADE.clear()
    collectivite_create(name="Première", slug="test-first")
    assert len(schema._MADE) == 1
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        collectivite_create(name="Seconde", slug="test-second")
    assert len(schema._MADE) == 1
    assert any(sql.startswith('CREATE SCHEMA "c_test_second";') for sql in statements)
    assert not any("clone_schema(" in sql for sql in statements)
    with connection.cursor() as cursor:
        cursor.execute('SELECT count(*) FROM "c_test_second".django_migrations')
        assert cursor.fetchone()[0] > 20


def test_a_template_changed_in_this_transaction_is_cloned_as_it_now_is(operator):
    # pg_dump sees only what is committed: the replay must not serve an older template.
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TEMPLATE}.jobs_jobrun ADD COLUMN note text DEFAULT 'x'")
    member = collectivite_create(name="Commune clonée", slug="test-clone")

    cloned = catalog(member.schema_name)
    assert cloned["columns"] == catalog(TEMPLATE)["columns"]
    assert any(row[:3] == ("jobs_jobrun", "8", "note") for row in cloned["columns"])


def test_migrating_the_template_leaves_its_script_ready(operator):
    # The first onboarding after a deploy must not be the one that dumps the template.
    with connection.cursor() as cursor:
        state = schema._state(cursor, TEMPLATE)
    schema._MADE.clear()
    cache.delete(schema._cache_key(state))

    schema_migrated.send(None, schema_name="c_some_member")
    assert schema._MADE == {}
    schema_migrated.send(None, schema_name=TEMPLATE)  # as migrate_schemas does
    assert list(schema._MADE) == [state]
    assert cache.get(schema._cache_key(state))["tables"]
