from django.core.management.base import BaseCommand

from portal.demo_data import DEMO_PASSWORD, demo_accounts, seed


class Command(BaseCommand):
    help = "Create the demo operator, communes and accounts (idempotent)."

    def handle(self, *args, **options):
        communes = seed()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(communes)} communes."))
        for email, role in demo_accounts():
            self.stdout.write(f"  {email:<38} {role}")
        self.stdout.write(f"  password of every demo account: {DEMO_PASSWORD}")
