"""Register every member domain as a client of the operator's OpenID Connect provider
(after changing PORTAL_SCHEME, PORTAL_BASE_DOMAIN or PORTAL_PORT, for instance)."""

from django.core.management.base import BaseCommand

from identity.services.sso import sso_clients_sync


class Command(BaseCommand):
    help = "Enregistre chaque domaine de commune comme client de la connexion unique."

    def handle(self, *args, **options):
        count = sso_clients_sync()
        self.stdout.write(f"{count} domaine(s) enregistré(s) pour la connexion unique.")
