from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portal.accounts.models import User
from portal.audit.trail import SYSTEM_COMMAND
from portal.text import slug_suggest
from tenants.services import commune_onboard


class Command(BaseCommand):
    help = "Raccorde une commune du référentiel (même service que l'assistant de l'opérateur)."

    def add_arguments(self, parser):
        parser.add_argument("insee", help="code INSEE de la commune")
        parser.add_argument("--slug", default="", help="identifiant (suggéré depuis le nom)")
        parser.add_argument("--referent-email", required=True)
        parser.add_argument("--referent-first-name", default="")
        parser.add_argument("--referent-last-name", default="")
        parser.add_argument(
            "--services",
            default="",
            help="codes séparés par des virgules (défaut : les applications proposées par défaut)",
        )
        parser.add_argument("--domain", action="append", default=[], help="domaine en plus")
        parser.add_argument("--by", default="", help="e-mail de l'administrateur qui raccorde")

    def handle(self, *args, **options):
        from tenants.models import CommuneReference

        slug = options["slug"]
        if not slug:
            reference = CommuneReference.objects.filter(insee_code=options["insee"]).first()
            slug = slug_suggest(reference.name) if reference else ""
        by = User.objects.filter(email__iexact=options["by"]).first() if options["by"] else None
        try:
            collectivite = commune_onboard(
                insee_code=options["insee"],
                slug=slug,
                referent_email=options["referent_email"],
                referent_first_name=options["referent_first_name"],
                referent_last_name=options["referent_last_name"],
                services=[code.strip() for code in options["services"].split(",") if code.strip()]
                or None,
                extra_domains=tuple(options["domain"]),
                acting_user=by or SYSTEM_COMMAND,
            )
        except ValidationError as exc:
            messages = (
                [f"{field} : {' '.join(errors)}" for field, errors in exc.message_dict.items()]
                if hasattr(exc, "error_dict")
                else exc.messages
            )
            raise CommandError("Raccordement refusé. " + " ; ".join(messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"{collectivite.name} raccordée : {collectivite.primary_url()}")
        )
