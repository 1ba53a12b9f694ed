"""The data versions of what the agents' request table shows (portal/dataversion.py): it
is kept in the shared cache under them."""

from django.db import migrations

from portal import dataversion


class Migration(migrations.Migration):
    dependencies = [
        ("sve", "0004_request_table_indexes"),
        ("accounts", "0002_data_versions"),
    ]

    operations = [
        dataversion.watch("sve_request"),
        dataversion.watch("sve_form"),
        dataversion.watch("sve_formversion"),
    ]
