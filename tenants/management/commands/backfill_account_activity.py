"""Rebuild tenants.AccountActivity from every member's schema (idempotent).

The migration that created the table ran it once; run it again after restoring a member's
schema from a backup, or to check nothing drifted. One member at a time, with progress."""

from django.core.management.base import BaseCommand

from tenants.services.activity import account_activity_backfill


class Command(BaseCommand):
    help = "Recompute where each account has requests or appointments, member by member."

    def handle(self, *args, **options):
        def progress(index: int, total: int, schema: str) -> None:
            if options["verbosity"] >= 1 and (index % 50 == 0 or index == total):
                self.stdout.write(f"{index}/{total} {schema}")

        count = account_activity_backfill(progress=progress)
        self.stdout.write(self.style.SUCCESS(f"{count} members read"))
