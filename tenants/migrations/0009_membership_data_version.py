"""Writes to memberships raise the public schema's data version (portal/dataversion.py),
under which tenants.permissions.membership_for keeps memberships in memory."""

from django.db import migrations

from portal import dataversion


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0008_collectivite_opening_hours_to_places"),
        ("accounts", "0002_data_versions"),
    ]

    operations = [dataversion.watch("tenants_membership")]
