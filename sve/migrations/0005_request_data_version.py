"""Writes to requests and forms raise the commune's data version (portal/dataversion.py),
under which the agents' request table is kept in the shared cache."""

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
