"""The memberships' data version (portal/dataversion.py): it keys the memberships kept in
memory by tenants.permissions.membership_for."""

from django.db import migrations

from portal import dataversion


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0008_collectivite_opening_hours_to_places"),
        ("accounts", "0002_data_versions"),
    ]

    operations = [dataversion.watch("tenants_membership")]
