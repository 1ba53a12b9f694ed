"""Cloning the template schema for a new tenant.

django-tenants clones with its plpgsql ``clone_schema()``, which reads ``information_schema``
views whose cost grows with the whole catalog: 2.2 s an onboarding at 1,000 members
(131,000 relations; issue 14). Here the template's DDL is taken once per state of the
template with ``pg_dump --schema-only`` (PostgreSQL's own reader of its catalog) and kept in
the cache; each new schema replays it with its own name, the template's rows (its
``django_migrations``) and sequence positions copied in between, in the caller's
transaction: a failure leaves no schema behind. Replaying DDL costs the same at 3 members
as at 1,000.

The state is the template's ``django_migrations`` plus the identity (oid, xmin) of its
``pg_class`` rows, read in the cloning transaction; the DDL is cached under the state read
by a separate connection before and after the dump, and used only when both agree (a
template migrated inside an uncommitted transaction, as tests do, falls back to
``clone_schema()``, which sees it).

Fallback when no ``pg_dump`` is at hand: django-tenants' ``clone_schema()``, installed once
(django-tenants re-creates it before every clone otherwise; its hash is kept as the
function's comment).
"""

import hashlib
import logging
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError, connection
from django_tenants.clone import CLONE_SCHEMA_FUNCTION, CloneSchema

FUNCTION = "public.clone_schema(text, text, cloneparms[])"
logger = logging.getLogger(__name__)
FORMAT = "v1"  # bump when TemplateScript or its making changes


class InstalledOnceCloneSchema(CloneSchema):
    def _create_clone_schema_function(self):
        db_user = settings.DATABASES["default"].get("USER", None) or "postgres"
        source = CLONE_SCHEMA_FUNCTION.format(db_user=db_user)
        version = hashlib.sha256(source.encode()).hexdigest()
        with connection.cursor() as cursor:
            cursor.execute("SELECT obj_description(to_regprocedure(%s), 'pg_proc')", [FUNCTION])
            row = cursor.fetchone()
            if row and row[0] == version:
                return
            cursor.execute(source)
            cursor.execute(f"COMMENT ON FUNCTION {FUNCTION} IS '{version}'")  # hex digits only


@dataclass(frozen=True)
class TemplateScript:
    """The template's DDL, still naming the template schema: tables and sequences first
    (pg_dump's pre-data section), then indexes, constraints and triggers (post-data)."""

    template: str
    pre_data: str
    post_data: str
    tables: tuple[str, ...]
    sequences: tuple[str, ...]

    def for_schema(self, schema_name: str) -> str:
        """One SQL script creating ``schema_name`` as a copy of the template, rows included."""
        new = connection.ops.quote_name(schema_name)
        old = connection.ops.quote_name(self.template)
        rename = re.compile(rf"(?<![\w\"]){re.escape(self.template)}\.")
        copies = [
            f"INSERT INTO {new}.{table} OVERRIDING SYSTEM VALUE SELECT * FROM {old}.{table};"
            for table in self.tables
        ]
        positions = [
            f"SELECT setval('{new}.{sequence}', last_value, is_called) FROM {old}.{sequence};"
            for sequence in self.sequences
        ]
        return "\n".join(
            [
                f"CREATE SCHEMA {new};",
                rename.sub(f"{new}.", self.pre_data),
                *copies,
                *positions,
                rename.sub(f"{new}.", self.post_data),
            ]
        )


def pg_tool_path(tool: str) -> str | None:
    """pgserver's ``pg_dump`` or ``pg_restore`` (a dependency, the server's major version),
    else the system's."""
    try:
        import pgserver
    except ImportError:
        bundled = None
    else:
        bundled = os.path.join(os.path.dirname(pgserver.__file__), "pginstall", "bin", tool)
    if bundled and os.path.exists(bundled):
        return bundled
    return shutil.which(tool)


def _state(cursor, template: str) -> str:
    """The template's migration state and catalog identity, as a digest."""
    quoted = connection.ops.quote_name(template)
    cursor.execute(
        f"SELECT string_agg(app || '.' || name, ',' ORDER BY app, name) FROM {quoted}.django_migrations"
    )
    migrations = cursor.fetchone()[0] or ""
    cursor.execute(
        "SELECT string_agg(oid::text || ':' || xmin::text, ',' ORDER BY oid) FROM pg_class"
        " WHERE relnamespace = to_regnamespace(%s)",
        [template],
    )
    relations = cursor.fetchone()[0] or ""
    cursor.execute("SELECT current_database()")
    database = cursor.fetchone()[0]
    source = "\n".join([FORMAT, database, template, migrations, relations])
    return hashlib.sha256(source.encode()).hexdigest()


# Scripts by state, in this process (the state names the database and the template's
# catalog rows, so an entry cannot be stale); the shared cache serves other processes.
_MADE: dict[str, TemplateScript] = {}


def _cache_key(state: str) -> str:
    return f"tenants:template-script:{state}"


# psycopg connection parameters pg_dump reads from its environment (libpq's names).
LIBPQ_ENV = {
    "dbname": "PGDATABASE",
    "host": "PGHOST",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
}


def _run(args: list[str], env: dict | None = None) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{os.path.basename(args[0])} failed: {done.stderr.strip()}")
    return done.stdout


def _statements(script: str) -> str:
    # Keep the statements: pg_dump's comments, its session settings (search_path '' among
    # them: everything it writes is schema-qualified) and its CREATE SCHEMA go.
    lines = [
        line
        for line in script.splitlines()
        if line
        and not line.startswith(("--", "SET ", "SELECT pg_catalog.set_config("))
        and not line.startswith("CREATE SCHEMA ")
    ]
    return "\n".join(lines) + "\n"


def _dump(pg_dump: str, pg_restore: str, template: str) -> tuple[str, str]:
    """The template's pre-data and post-data DDL. One custom-format dump, split into its
    sections by pg_restore: 2 s at 1,000 members, where each ``pg_dump --section`` took
    25 s (it reads the catalog of every schema)."""
    params = connection.get_connection_params()
    env = {**os.environ}
    env.update({var: str(params[key]) for key, var in LIBPQ_ENV.items() if params.get(key)})
    with tempfile.TemporaryDirectory() as folder:
        archive = os.path.join(folder, "template.dump")
        _run(
            [pg_dump, "--format=custom", "--schema-only", "--lock-wait-timeout=10s"]
            + [f"--schema={template}", f"--file={archive}"],
            env,
        )
        return tuple(
            _statements(
                _run(
                    [pg_restore, "--no-owner", "--no-privileges", f"--section={section}"]
                    + ["--file=-", archive]
                )
            )
            for section in ("pre-data", "post-data")
        )


def _committed_state(template: str) -> str | None:
    """The state as another session sees it (the one pg_dump sees: committed only); None
    when that session cannot read the template within a second, because this transaction
    (or another) holds a lock on it, e.g. while it drops and remakes the template: waiting
    would wait for ourselves."""
    other = connection.copy()
    try:
        with other.cursor() as cursor:
            cursor.execute("SET lock_timeout = '1s'")
            try:
                return _state(cursor, template)
            except OperationalError:
                return None
    finally:
        other.close()


def template_script_make(*, template: str) -> tuple[str, TemplateScript] | None:
    """Dump the template's DDL as committed and cache it under that state; returns the
    state and the script, or None when there is no pg_dump, it failed (a lock held too
    long, a server newer than it), or the template moved meanwhile."""
    pg_dump, pg_restore = pg_tool_path("pg_dump"), pg_tool_path("pg_restore")
    if pg_dump is None or pg_restore is None:
        return None
    before = _committed_state(template)
    if before is None:
        return None
    try:
        pre_data, post_data = _dump(pg_dump, pg_restore, template)
    except RuntimeError:
        logger.warning("Template schema not dumped; cloning with clone_schema()", exc_info=True)
        return None
    if _committed_state(template) != before:
        return None
    name = re.escape(template)
    script = TemplateScript(
        template=template,
        pre_data=pre_data,
        post_data=post_data,
        tables=tuple(re.findall(rf"^CREATE TABLE {name}\.(\w+) \(", pre_data, re.MULTILINE)),
        sequences=tuple(
            re.findall(rf"(?:SEQUENCE NAME|^CREATE SEQUENCE) {name}\.(\w+)$", pre_data, re.M)
        ),
    )
    cache.set(_cache_key(before), asdict(script), timeout=None)
    _MADE[before] = script
    return before, script


def template_script_get(*, template: str) -> TemplateScript | None:
    """The script for the template as this transaction sees it, made if needed; None when
    it cannot be had (no pg_dump, or a template changed by this uncommitted transaction,
    which pg_dump cannot see)."""
    with connection.cursor() as cursor:
        state = _state(cursor, template)
    if state in _MADE:
        return _MADE[state]
    cached = cache.get(_cache_key(state))
    if cached is not None:
        _MADE[state] = TemplateScript(
            **{
                **cached,
                "tables": tuple(cached["tables"]),
                "sequences": tuple(cached["sequences"]),
            }
        )
        return _MADE[state]
    if _committed_state(template) != state:
        return None
    made = template_script_make(template=template)
    if made is None or made[0] != state:
        return None
    return made[1]


def schema_clone(*, template: str, schema_name: str, mode: str = "DATA") -> None:
    """Create ``schema_name`` as a copy of ``template`` (structure, rows, sequence positions)
    in the current transaction: by replaying the template's cached DDL, else (no pg_dump,
    or ``mode`` other than django-tenants' "DATA") with django-tenants' clone_schema()."""
    script = template_script_get(template=template) if mode == "DATA" else None
    if script is None:
        InstalledOnceCloneSchema().clone_schema(template, schema_name, mode)
        return
    with connection.cursor() as cursor:
        cursor.execute(script.for_schema(schema_name))


def template_script_warm(sender=None, *, schema_name: str, **kwargs) -> None:
    """After ``migrate_schemas`` ran in the template (django-tenants' ``schema_migrated``
    signal): its script is made now, when the template changed, rather than by the first
    onboarding after a deploy (2 s at 1,000 members); a template unchanged costs a cache
    read."""
    if schema_name == settings.TENANT_BASE_SCHEMA:
        template_script_get(template=schema_name)
