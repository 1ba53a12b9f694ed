"""The accounts' authentication backend: Django's ModelBackend, whose per-request account
lookup is served from this process's memory while the accounts' data version is unchanged
(portal/dataversion.py; the public schema's version is read with the host's lookup).

Every signed-in page loaded the account by a query of its own, about a fifth of the cost
of an agent's page (issue 11 §4). Any write to the accounts table (a password, a
deactivation, a login's last_login), by whatever path, raises the version: the next request
reads the account again.
"""

from django.contrib.auth.backends import ModelBackend

from portal import dataversion


class AccountBackend(ModelBackend):
    def get_user(self, user_id):
        # None: no request (a task), or forgotten (the request wrote): read the account.
        version = dataversion.read_for_request(public=True)
        if version is None:
            return super().get_user(user_id)
        return dataversion.local_cached(
            ("account", user_id), version, lambda: super(AccountBackend, self).get_user(user_id)
        )
