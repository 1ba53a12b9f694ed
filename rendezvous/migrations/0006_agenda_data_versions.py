"""The data versions of what the agents' agenda shows (portal/dataversion.py):
appointments, their types and places."""

from django.db import migrations

from portal import dataversion


class Migration(migrations.Migration):
    dependencies = [
        ("rendezvous", "0005_place_weekly_hours"),
        ("accounts", "0002_data_versions"),
    ]

    operations = [
        dataversion.watch("rendezvous_appointment"),
        dataversion.watch("rendezvous_appointmenttype"),
        dataversion.watch("rendezvous_place"),
    ]
