"""The accounts' authentication backend: Django's ModelBackend, whose per-request account
lookup is served from this process's memory while the accounts' data version is unchanged
(portal/dataversion.py; the version is read with the host's lookup, in the same query).

Every signed-in page loaded the account by a query of its own, about a fifth of the cost
of an agent's page (issue 11 §4). Any write to the accounts table (a password, a
deactivation, a login's last_login), by whatever path, raises the version: the next request
reads the account again.
"""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db import connection

from portal import dataversion


def auth_version() -> str | None:
    """The accounts' data version read for this request, or None (no request: a task)."""
    return getattr(getattr(connection, "tenant", None), "auth_version", None)


class AccountBackend(ModelBackend):
    def get_user(self, user_id):
        version = auth_version()
        if version is None:
            return super().get_user(user_id)
        return dataversion.local_cached(
            ("account", user_id),
            settings.PORTAL_AUTH_VERSION_TABLES,
            version,
            lambda: super(AccountBackend, self).get_user(user_id),
        )
