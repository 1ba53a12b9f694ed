"""Writes to the support role raise the public schema's data version (portal/dataversion.py):
the staff-access gate keeps who holds a role that must use a second factor under it."""

from django.db import migrations

from portal import dataversion


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0002_status_fermee"),
        ("accounts", "0002_data_versions"),
    ]

    operations = [dataversion.watch("support_deskmember")]
