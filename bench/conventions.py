"""Conventions figures: 1,000 conventions over 200 members (five models of the seeds' kinds,
signed over the last three years, their periods up to date).

Prints:
  conventions_daily_job_1k <s> s        the daily public job (renewals, reminders, ends)
                                        on the day after a run, as it runs every night
  conventions_daily_job_1k_rerun <s> s  the same job run again the same day (no change)
  conventions_list_p95 <ms> ms          the operator's list page (first page of 50)

Run: .venv/bin/python -m portal.embedded run -- .venv/bin/python bench/conventions.py
Members are rows without schemas (the job never enters a member's schema); everything the
bench makes is deleted at the end.
"""

import random
import time
from datetime import timedelta

from _setup import figure, p95, setup, size, staff_client

setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from conventions import terms  # noqa: E402
from conventions.models import (  # noqa: E402
    Application,
    Convention,
    ConventionApplication,
    ConventionModel,
    Period,
)
from conventions.seeds import MODELS, seed_catalogue  # noqa: E402
from conventions.services import conventions_daily  # noqa: E402
from portal.accounts.models import User  # noqa: E402
from tenants.models import Collectivite, Domain  # noqa: E402

MEMBERS = size(200, 10)
PREFIX = "bench-conv-"
LIST_HITS = size(100, 10)
SEEDS = ("000", "001", "002", "003", "000b")


def cleanup() -> None:
    connection.set_schema_to_public()
    conventions = Convention.objects.filter(collectivite__slug__startswith=PREFIX)
    Period.objects.filter(convention__in=conventions).delete()
    ConventionApplication.objects.filter(convention__in=conventions).delete()
    conventions.delete()
    ConventionModel.objects.filter(code__startswith=PREFIX).delete()
    Collectivite.objects.filter(slug__startswith=PREFIX).delete()
    User.objects.filter(email__endswith="@bench-conv.invalid").delete()


def make_models() -> list[ConventionModel]:
    seed_catalogue(Application, ConventionModel)
    models = []
    fields = {f.name for f in ConventionModel._meta.fields}
    for index, code in enumerate(SEEDS):
        spec = dict(next(m for m in MODELS if m["seed"] == code[:3]))
        apps = spec.pop("applications")
        spec = {k: v for k, v in spec.items() if k in fields}
        if code[:3] == "002":  # a fixed term that covers today
            spec["fixed_periods"] = 6
        spec["code"] = f"{PREFIX}{index}"
        model = ConventionModel.objects.create(**spec)
        model.applications.set(Application.objects.filter(code__in=apps))
        models.append(model)
    return models


def make_conventions(models: list[ConventionModel], today) -> None:
    members = Collectivite.objects.bulk_create(
        [
            Collectivite(
                name=f"Bench {i:03d}", slug=f"{PREFIX}{i:03d}", schema_name=f"bench_conv_{i:03d}"
            )
            for i in range(MEMBERS)
        ]
    )
    rng = random.Random(9)
    conventions = []
    for member in members:
        for model in models:
            signed = today - timedelta(days=rng.randint(1, 3 * 365))
            start = (
                signed.replace(month=1, day=1) if model.period_basis == "calendar_year" else signed
            )
            rules = terms.Rules.of(model)
            conventions.append(
                Convention(
                    model=model,
                    collectivite=member,
                    state=Convention.State.ACTIVE,
                    signed_on=signed,
                    starts_on=start,
                    ends_on=terms.fixed_end(rules, start),
                )
            )
    conventions = Convention.objects.bulk_create(conventions, batch_size=1000)
    by_model = {m.pk: list(m.applications.all()) for m in models}
    coverages, periods = [], []
    yesterday = today - timedelta(days=1)
    for c in conventions:
        rules = terms.Rules.of(c.model)
        coverages += [
            ConventionApplication(convention=c, application=a, applies_from=c.starts_on)
            for a in by_model[c.model_id]
        ]
        current = terms.period_containing(rules, c.starts_on, yesterday)
        for number in range(1, current.number + 1):
            p = terms.period_bounds(rules, c.starts_on, number)
            periods.append(Period(convention=c, number=number, starts_on=p.first, ends_on=p.last))
    ConventionApplication.objects.bulk_create(coverages, batch_size=2000)
    Period.objects.bulk_create(periods, batch_size=2000)


def main() -> None:
    cleanup()
    settings.EMAIL_BACKEND = "portal.outbox.backend.OutboxEmailBackend"
    today = timezone.localdate()
    try:
        make_conventions(make_models(), today)
        # Steady state: the job ran last night (reminders already sent, renewals done).
        conventions_daily(today=today - timedelta(days=1))
        started = time.perf_counter()
        summary = conventions_daily(today=today)
        figure("conventions_daily_job_1k", time.perf_counter() - started, "s")
        started = time.perf_counter()
        again = conventions_daily(today=today)
        figure("conventions_daily_job_1k_rerun", time.perf_counter() - started, "s")
        assert again["renewed"] == again["reminders"] == again["ended"] == 0, again
        print(f"# today: {summary}", flush=True)

        Domain.objects.get_or_create(
            domain="localhost",
            defaults={
                "tenant": Collectivite.objects.get_or_create(
                    schema_name="public", defaults={"name": "Opérateur", "slug": "operateur"}
                )[0],
                "is_primary": True,
            },
        )
        admin = User.objects.create_user(
            email="admin@bench-conv.invalid", password="x" * 16, is_platform_admin=True
        )
        client = staff_client("localhost", admin)
        assert client.get("/conventions/").status_code == 200
        samples = []
        for _ in range(LIST_HITS):
            started = time.perf_counter()
            response = client.get("/conventions/")
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        figure("conventions_list_p95", p95(samples), "ms")
    finally:
        cleanup()


main()
