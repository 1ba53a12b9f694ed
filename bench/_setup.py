"""Common start of every bench script: Django set up (DEBUG off, so that queries are not
accumulated) on the configured or embedded servers, the schemas migrated; and the figures'
format, one line each: ``<name> <value> <unit>``.

``BENCH_SMOKE=1`` runs every script at a small size (``make bench-smoke``, run by ``make
test``): it proves that the scripts still run and print every figure; the figures' values
then mean nothing (they are measured by full runs, ``make bench``, on an idle machine)."""

import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SMOKE = os.environ.get("BENCH_SMOKE") == "1"


def size(full, smoke):
    """``full`` in a real run, ``smoke`` under ``BENCH_SMOKE=1``."""
    return smoke if SMOKE else full


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    if SMOKE:
        # Workers a smoke run starts skip the system checks Celery runs at start (a second
        # of CPU each); full runs keep them, as production does.
        os.environ.setdefault("CELERY_SKIP_CHECKS", "1")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate_schemas", verbosity=0)


def operator_host():
    """The operator's row (the public schema) and its host "localhost", made if missing, as
    the demo and onboarding make them: a bench needs no demo data."""
    from django.conf import settings

    from tenants.models import Collectivite, Domain

    operator, _ = Collectivite.objects.get_or_create(
        schema_name="public",
        defaults={
            "name": settings.OPERATOR_NAME,
            "slug": "operateur",
            "kind": Collectivite.Kind.DEPARTEMENT,
        },
    )
    Domain.objects.get_or_create(
        domain="localhost", defaults={"tenant": operator, "is_primary": True}
    )
    return operator


def staff_client(host: str, user):
    """A test client signed in as ``user`` whose session has passed the second factor, as
    the operator's login leaves it (issue 22: staff pages refuse a session that has not)."""
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from identity.services.sessions import session_second_factor_passed

    client = Client(HTTP_HOST=host)
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Bench", confirmed=True)
    session_second_factor_passed(client.session, device=device)
    return client


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[94]


def figure(name: str, value: float, unit: str) -> None:
    shown = f"{value:d}" if isinstance(value, int) else f"{value:.3f}"
    print(f"{name} {shown} {unit}", flush=True)


def stop(process) -> None:
    """Stop a process a bench started (a worker, a server): politely, then for good."""
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
