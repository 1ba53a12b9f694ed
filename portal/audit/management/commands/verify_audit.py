"""Check every stream of the audit trail; exit status 1 if anything is altered or missing."""

from django.core.management.base import BaseCommand, CommandError

from portal.audit.history import history_streams, history_verify


class Command(BaseCommand):
    help = "Vérifie le chaînage de chaque flux du journal d'audit (ou de --stream)."

    def add_arguments(self, parser):
        parser.add_argument("--stream", help="Ne vérifier que ce flux (ex. collectivite:3).")

    def handle(self, *args, **options):
        streams = [options["stream"]] if options.get("stream") else history_streams()
        broken = 0
        for stream in streams:
            problems = history_verify(stream=stream)
            if problems:
                broken += 1
                for problem in problems:
                    self.stdout.write(f"{stream}: {problem}")
            else:
                self.stdout.write(f"{stream}: intact")
        if broken:
            raise CommandError(f"Journal d'audit altéré dans {broken} flux.")
