"""Check every tenant's SVE journal chain; exit status 1 if anything is altered or missing."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from sve.journal import journal_verify
from tenants.models import Collectivite


class Command(BaseCommand):
    help = "Vérifie le chaînage du journal SVE de chaque collectivité (ou de --schema)."

    def add_arguments(self, parser):
        parser.add_argument("--schema", help="Ne vérifier que ce schéma.")

    def handle(self, *args, **options):
        tenants = Collectivite.objects.members().order_by("schema_name")
        if options.get("schema"):
            tenants = tenants.filter(schema_name=options["schema"])
        broken = 0
        try:
            for tenant in tenants:
                connection.set_tenant(tenant)
                problems = journal_verify()
                if problems:
                    broken += 1
                    for problem in problems:
                        self.stdout.write(f"{tenant.schema_name}: {problem}")
                else:
                    self.stdout.write(f"{tenant.schema_name}: journal intact")
        finally:
            connection.set_schema_to_public()
        if broken:
            raise CommandError(f"Journal altéré dans {broken} collectivité(s).")
