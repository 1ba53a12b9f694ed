"""Tenant provisioning: create N throw-away tenants through the service onboarding uses, then
time a migrate_schemas with nothing to migrate over all of them.

    python bench/provision.py [N]        (default 50; make bench runs it)

Prints `tenant_create_median <s> s` and `migrate_noop_total <s> s`.
Targets on 2 cores: <= 1 s per tenant, <= 30 s for the no-op migration of 50 tenants.
"""

import statistics
import subprocess
import sys
import time

from _setup import ROOT, figure, setup, size


def main(count: int) -> None:
    setup()
    from tenants.models import Collectivite
    from tenants.services import collectivite_create

    durations = []
    created = []
    try:
        for index in range(count):
            started = time.perf_counter()
            created.append(
                collectivite_create(name=f"Banc d'essai {index}", slug=f"bench-provision-{index}")
            )
            durations.append(time.perf_counter() - started)
        figure("tenant_create_median", statistics.median(durations), "s")
        figure("tenant_create_max", max(durations), "s")

        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "manage.py", "migrate_schemas", "-v", "0"], cwd=ROOT, check=True
        )
        figure("migrate_noop_total", time.perf_counter() - started, "s")
        figure("migrate_noop_tenants", Collectivite.objects.members().count() + 1, "schemas")
    finally:
        for collectivite in created:
            collectivite.delete(force_drop=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else size(50, 3))
