"""migrate_schemas for a thousand tenant schemas: the template first, then only the schemas
that are behind, resumable after a failure.

- The template schema (TENANT_BASE_SCHEMA) is migrated first: new tenants are cloned from
  it rather than built by replaying migrations, and a migration that fails there fails
  before any member is touched.
- A member schema whose ``django_migrations`` already holds every leaf of the migration
  graph is skipped: one small query per schema instead of Django's full ``migrate`` (graph,
  state, checks, signals), which took 64 s over 700 schemas with nothing to do (issue 14).
- Each migration runs in its own transaction in each schema, schema after schema (or in
  parallel with django-tenants' ``--executor=multiprocessing`` / ``--executor=subprocess
  --parallel N``). A failure stops the run and names the schema; the schemas before it are
  migrated, that schema is left at its previous migration, the ones after it untouched:
  running the command again resumes where it stopped (up-to-date schemas are skipped).

``--all`` migrates every schema as django-tenants does; a migration target
(``app_label migration_name``) or ``--schema`` also bypasses the skipping.
"""

import functools
from collections.abc import Iterable

from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django_tenants.management.commands import SyncCommon
from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand
from django_tenants.migration_executors import get_executor
from django_tenants.utils import get_public_schema_name, get_tenant_model, schema_exists


@functools.cache
def migration_leaves() -> tuple[frozenset[tuple[str, str]], dict]:
    """The leaf migrations of the project's graph, and the squashes' replaced names (read
    once per process: migration files do not change under a running process)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return frozenset(loader.graph.leaf_nodes()), loader.replacements


def schemas_behind(schema_names: Iterable[str]) -> list[str]:
    """The schemas, in the given order, whose django_migrations lack a leaf of the graph
    (a schema with no django_migrations table is behind). One query per schema, in
    autocommit, so that no transaction holds a lock on a thousand tables."""
    leaves, replacements = migration_leaves()
    quote = connection.ops.quote_name
    names = list(schema_names)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relname = 'django_migrations' AND c.relkind = 'r'"
            " AND n.nspname = ANY(%s)",
            [names],
        )
        with_table = {row[0] for row in cursor.fetchall()}
        behind = []
        for schema in names:
            if schema not in with_table:
                behind.append(schema)
                continue
            cursor.execute(f"SELECT app, name FROM {quote(schema)}.django_migrations")
            applied = set(cursor.fetchall())
            if not all(_is_applied(leaf, applied, replacements) for leaf in leaves):
                behind.append(schema)
    return behind


def _is_applied(key, applied: set, replacements: dict) -> bool:
    if key in applied:
        return True
    squash = replacements.get(key)
    return squash is not None and all(tuple(name) in applied for name in squash.replaces)


class Command(MigrateSchemasCommand):
    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--all",
            action="store_true",
            dest="migrate_all",
            help="Run migrate in every tenant schema, even those already up to date.",
        )

    def handle(self, *args, **options):
        SyncCommon.handle(self, *args, **options)
        if self.schema_name:  # one schema, as django-tenants does
            return super().handle(*args, **options)
        public = get_public_schema_name()
        executor = get_executor(codename=self.executor)(self.args, self.options)
        if self.sync_public:
            executor.run_migrations(tenants=[public])
        if not self.sync_tenant:
            return
        template = settings.TENANT_BASE_SCHEMA
        if not schema_exists(template):
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE SCHEMA {connection.ops.quote_name(template)}")
        self._run(executor, [template])
        schemas = list(
            get_tenant_model()
            .objects.exclude(schema_name=public)
            .order_by("pk")
            .values_list("schema_name", flat=True)
        )
        targeted = options.get("app_label") or options.get("plan") or options.get("fake")
        pending = schemas if options["migrate_all"] or targeted else schemas_behind(schemas)
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"{len(schemas) - len(pending)} schémas à jour sur {len(schemas)} ; "
                f"{len(pending)} à migrer"
            )
        self._run(executor, pending)
        connection.set_schema_to_public()

    def _run(self, executor, schemas: list[str]) -> None:
        if not schemas:
            return
        done = []

        def count(sender, schema_name, **kwargs):
            done.append(schema_name)

        from django_tenants.signals import schema_migrated

        schema_migrated.connect(count, weak=False)
        try:
            executor.run_migrations(tenants=list(schemas))
        except BaseException:
            # In-process executor: the first schema not reported migrated is the failing
            # one; a parallel executor reports from its workers (see their output above).
            failed = next((s for s in schemas if s not in done), "?")
            if executor.codename != "standard":
                failed = "en échec (voir ci-dessus)"
            self.stderr.write(
                f"Échec de la migration du schéma {failed} ({len(done)} migrés sur "
                f"{len(schemas)}). Les schémas déjà migrés le restent ; {failed} est resté à "
                "sa migration précédente. Corrigez, puis relancez migrate_schemas : il "
                "reprend aux schémas en retard."
            )
            raise
        finally:
            schema_migrated.disconnect(count)
