"""Data versions (portal/dataversion.py): the trigger function, in the public schema; writes
to accounts raise the public schema's version, under which the signed-in account is kept in
memory."""

from django.db import migrations

from portal import dataversion


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        dataversion.install_function(),
        # A sign-in writes last_login only: not a change of what is kept.
        dataversion.watch("accounts_user", unless_only=("last_login",)),
    ]
