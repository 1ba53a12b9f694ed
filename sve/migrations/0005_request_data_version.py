"""The requests' data version (portal/dataversion.py): it keys the agents' request table
kept in the shared cache."""

from django.db import migrations

from portal import dataversion


class Migration(migrations.Migration):
    dependencies = [
        ("sve", "0004_request_table_indexes"),
        ("accounts", "0002_data_versions"),
    ]

    operations = [dataversion.watch("sve_request")]
