"""Writes to TOTP devices raise the public schema's data version (portal/dataversion.py), under
which the staff-access gate keeps whether an account uses a second factor, and the device a
session was verified with, in memory (identity.middleware). A code checked (its counter,
drift and throttling columns) does not raise it."""

from django.db import migrations

from portal import dataversion


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0001_sessions_identities_exports_sso_clients"),
        ("otp_totp", "0003_add_timestamps"),
        ("accounts", "0002_data_versions"),
    ]

    operations = [
        dataversion.watch(
            "otp_totp_totpdevice",
            unless_only=(
                "last_t",
                "drift",
                "throttling_failure_timestamp",
                "throttling_failure_count",
                "last_used_at",
            ),
        )
    ]
