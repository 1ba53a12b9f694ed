"""portal.owed became a shared app too (issue 27): the public schema's e-mails are owed
documents. Schemas migrated before recorded 0001 in public as applied while the tenant-only
router skipped its table there; this creates the table wherever it is missing (a no-op in
tenant schemas and on a fresh database)."""

from django.db import migrations


def table_create_where_missing(apps, schema_editor):
    model = apps.get_model("owed", "OwedDocument")
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
            [connection.schema_name, model._meta.db_table],
        )
        if cursor.fetchone():
            return
    schema_editor.create_model(model)


class Migration(migrations.Migration):
    dependencies = [("owed", "0001_owed_documents")]

    operations = [migrations.RunPython(table_create_where_missing, migrations.RunPython.noop)]
