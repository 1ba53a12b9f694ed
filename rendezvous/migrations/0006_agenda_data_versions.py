"""Writes to appointments, their types and places raise the commune's data version
(portal/dataversion.py), under which the agents' agenda is kept in the shared cache."""

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
