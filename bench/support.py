"""Support desk figures: 10,000 requests over 200 members.

Prints:
  support_queue_p95 <ms> ms          the desk's queue page (open requests by due time)
  support_report_all_members <s> s   the monthly "taken into account in time" report for
                                     every member, and its CSV

Run: .venv/bin/python -m portal.embedded run -- .venv/bin/python bench/support.py
Requests live in the public schema: the bench's members are public rows only (no schema).
"""

import random
import time
from datetime import timedelta

from _setup import figure, operator_host, p95, setup, size, staff_client

setup()

from django.utils import timezone  # noqa: E402

from portal.accounts.models import User  # noqa: E402
from support import clock, selectors  # noqa: E402
from support.models import SupportMessage, SupportRequest  # noqa: E402
from tenants.models import Collectivite  # noqa: E402

MEMBERS = size(200, 10)
REQUESTS = size(10_000, 300)
HITS = size(100, 10)
PREFIX = "bench-support-"


def cleanup() -> None:
    SupportRequest.objects.filter(collectivite__slug__startswith=PREFIX).delete()
    # Public rows only (bulk-created, no schema): a queryset delete drops no schema.
    Collectivite.objects.filter(slug__startswith=PREFIX).delete()
    User.objects.filter(email__endswith="@bench-support.invalid").delete()


def populate() -> None:
    members = Collectivite.objects.bulk_create(
        Collectivite(
            name=f"Bench support {i:03d}",
            slug=f"{PREFIX}{i:03d}",
            schema_name=f"bench_support_{i:03d}",
        )
        for i in range(MEMBERS)
    )
    filer = User.objects.create_user(email="referent@bench-support.invalid", password=None)
    rng = random.Random(1)
    now = timezone.now()
    kinds = [k for k, _ in SupportRequest.Kind.choices]
    rows = []
    for n in range(REQUESTS):
        # Over the last 70 days, so that the whole of last month is filled.
        filed_at = now - timedelta(minutes=rng.randrange(0, 70 * 24 * 60))
        due = clock.take_into_account_due(filed_at)
        taken = rng.random() < 0.7
        rows.append(
            SupportRequest(
                reference=f"BENCH-{n:06d}",
                collectivite=members[n % MEMBERS],
                kind=rng.choice(kinds),
                subject=f"Demande {n}",
                filed_by=filer,
                filed_at=filed_at,
                take_due_at=due,
                taken_at=filed_at + timedelta(minutes=rng.randrange(10, 400)) if taken else None,
                status="taken" if taken else "new",
            )
        )
    created = SupportRequest.objects.bulk_create(rows, batch_size=2000)
    SupportMessage.objects.bulk_create(
        (SupportMessage(request=r, kind="description", body="…", author=filer) for r in created),
        batch_size=2000,
    )


def main() -> None:
    operator_host()
    cleanup()
    populate()
    admin = User.objects.create_user(
        email="desk@bench-support.invalid", password=None, is_platform_admin=True
    )
    client = staff_client("localhost", admin)
    client.get("/operateur/assistance/")
    samples = []
    for _ in range(HITS):
        started = time.perf_counter()
        response = client.get("/operateur/assistance/")
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (response.status_code, response.get("Location"))
    figure("support_queue_p95", p95(samples), "ms")

    # Last month's report, as the desk reads it once the month is over: every member filed
    # in it (this month's first days may have no request of some member).
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    started = time.perf_counter()
    rows = selectors.take_into_account_report(year=last_month.year, month=last_month.month)
    selectors.report_csv(rows, year=last_month.year, month=last_month.month)
    figure("support_report_all_members", time.perf_counter() - started, "s")
    assert len(rows) == MEMBERS


if __name__ == "__main__":
    try:
        main()
    finally:
        cleanup()
