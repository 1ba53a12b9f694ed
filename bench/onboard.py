"""Onboard every commune of Hautes-Alpes (162) through the wizard's service, then remove them.

Prints ``onboard_median <s> s`` (one commune: schema cloned, domain, référent's account and
admin membership, history row, set-password e-mail) and ``onboard_total <s> s``.
Target: at most 1 s per commune on 2 cores. Run with
    .venv/bin/python -m portal.embedded run -- .venv/bin/python bench/onboard.py
"""

import statistics
import sys
import time

from _setup import setup, size

setup()

from django.db import connection  # noqa: E402

from portal.accounts.models import User  # noqa: E402
from portal.outbox.models import OutboxMessage  # noqa: E402
from portal.text import slug_suggest  # noqa: E402
from tenants.models import Collectivite, CommuneReference  # noqa: E402
from tenants.services import commune_onboard  # noqa: E402
from tenants.services.reference import SHIPPED_FILE, commune_reference_import_files  # noqa: E402

DEPARTEMENT = "05"
PREFIX = "bench-"
EMAIL_DOMAIN = "bench-onboard.invalid"
COMMUNES = size(None, 3)  # every commune of the département, or the first few


def cleanup() -> None:
    """Remove whatever this bench made (also after an interrupted run)."""
    made = list(Collectivite.objects.filter(slug__startswith=PREFIX))
    for collectivite in made:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{collectivite.schema_name}" CASCADE')
        collectivite.delete(force_drop=False)
    for message in OutboxMessage.objects.filter(subject__startswith="Votre accès"):
        if all(address.endswith("@" + EMAIL_DOMAIN) for address in message.to):
            message.delete()
    User.objects.filter(email__endswith="@" + EMAIL_DOMAIN).delete()


def main() -> None:
    connection.set_schema_to_public()
    loaded_reference = False
    if not CommuneReference.objects.filter(departement=DEPARTEMENT).exists():
        commune_reference_import_files(paths=[SHIPPED_FILE])
        loaded_reference = True
    cleanup()
    already = set(
        Collectivite.objects.filter(insee_code__startswith=DEPARTEMENT).values_list(
            "insee_code", flat=True
        )
    )
    communes = CommuneReference.objects.filter(departement=DEPARTEMENT).order_by("insee_code")
    communes = communes.exclude(insee_code__in=already)[:COMMUNES]
    durations = []
    started = time.perf_counter()
    try:
        # Communes already members (e.g. the demo's) are left out: the service refuses them.
        for reference in communes:
            t0 = time.perf_counter()
            commune_onboard(
                insee_code=reference.insee_code,
                slug=(PREFIX + slug_suggest(reference.name))[:50].rstrip("-"),
                referent_email=f"referent-{reference.insee_code}@{EMAIL_DOMAIN}",
                referent_first_name="Référent",
                referent_last_name=reference.name,
            )
            durations.append(time.perf_counter() - t0)
        total = time.perf_counter() - started
    finally:
        t0 = time.perf_counter()
        cleanup()
        removal = time.perf_counter() - t0
    print(
        f"{len(durations)} communes onboarded; first {durations[0]:.3f} s, "
        f"last {durations[-1]:.3f} s, p90 {statistics.quantiles(durations, n=10)[-1]:.3f} s; "
        f"removed in {removal:.1f} s",
        file=sys.stderr,
    )
    if loaded_reference:
        print("(reference list loaded from the shipped file and kept)", file=sys.stderr)
    print(f"onboard_median {statistics.median(durations):.3f} s")
    print(f"onboard_total {total:.1f} s")


if __name__ == "__main__":
    main()
