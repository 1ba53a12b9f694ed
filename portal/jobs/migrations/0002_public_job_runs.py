"""Public-schema jobs record their runs in the public schema too (portal.jobs became a
shared app as well as a tenant one). Databases made before that already recorded 0001 as
applied in public without creating its table there: create it where it is missing."""

from django.db import migrations


def create_public_table(apps, schema_editor):
    connection = schema_editor.connection
    if getattr(connection, "schema_name", "public") != "public":
        return
    JobRun = apps.get_model("jobs", "JobRun")
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('public.jobs_jobrun')")
        if cursor.fetchone()[0] is not None:
            return
    schema_editor.create_model(JobRun)


class Migration(migrations.Migration):
    dependencies = [("jobs", "0001_initial")]

    operations = [migrations.RunPython(create_public_table, migrations.RunPython.noop)]
