"""migrate_schemas that also keeps the template schema (TENANT_BASE_SCHEMA) up to date.

New tenants are cloned from that schema rather than built by replaying migrations, so it
must always be at the latest migration: every full tenant migration migrates it too.
"""

from django.conf import settings
from django.db import connection
from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand
from django_tenants.migration_executors import get_executor
from django_tenants.utils import schema_exists


class Command(MigrateSchemasCommand):
    def handle(self, *args, **options):
        super().handle(*args, **options)
        if self.sync_tenant and not options.get("schema_name"):
            template = settings.TENANT_BASE_SCHEMA
            if not schema_exists(template):
                with connection.cursor() as cursor:
                    cursor.execute(f'CREATE SCHEMA "{template}"')
            executor = get_executor(codename=self.executor)(self.args, self.options)
            executor.run_migrations(tenants=[template])
            connection.set_schema_to_public()
