"""Run a data migration for real: take an app back to the migration before it, write rows
as they were then, migrate forward (Django's MigrationExecutor, in the public schema)."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to(*targets: tuple[str, str]):
    """Migrate the current schema to ``targets``; returns the historical apps there."""
    executor = MigrationExecutor(connection)
    executor.migrate(list(targets))
    executor.loader.build_graph()
    return executor.loader.project_state(list(targets)).apps


def migrate_to_latest(app_label: str) -> None:
    executor = MigrationExecutor(connection)
    leaves = [node for node in executor.loader.graph.leaf_nodes() if node[0] == app_label]
    executor.migrate(leaves)
