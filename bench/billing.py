"""Billing figures: the 162 communes of the Hautes-Alpes (shipped reference list) under a
population-share model with three applications; a full campaign through a real Celery
worker (titres, PDFs, e-mails) and the PES Recette file; while the worker issues, two
threads issue titres of a second model into the same yearly series.

Prints:
  billing_campaign_162 <s> s        launch -> every titre issued, rendered and notified,
                                    plus the PES XML of the campaign (target <= 60 s)
  titre_pdf_median <ms> ms          rendering one titre's PDF (WeasyPrint)
  billing_campaign_162_issued <s> s  of which: the 162 titres numbered and recorded
  billing_numbering_gaps <n> count  missing or duplicate numbers in the year's series (0)

Run: .venv/bin/python -m portal.embedded run -- .venv/bin/python bench/billing.py
Everything it makes (year 2099, collectivités "bbill-*", its model) is removed at the start
of the next run; removing issued titres needs the triggers off (session_replication_role).
"""

import os
import statistics
import subprocess
import sys
import threading
import time

QUEUE = f"bench_billing_{os.getpid()}"
os.environ["CELERY_QUEUE"] = QUEUE

from _setup import ROOT, figure, setup, size  # noqa: E402

# The bench's collectivités have no schema: remove a previous run's rows before the
# schemas are migrated (migrate_schemas visits every collectivité).
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
import django  # noqa: E402

django.setup()

from datetime import date  # noqa: E402

from django.db import connection, transaction  # noqa: E402

from billing.liquidation import liquidate  # noqa: E402
from billing.models import Campaign, Issuer, Tariff, TariffLine, Titre  # noqa: E402
from billing.selectors import campaign_delivered  # noqa: E402
from billing.services import campaign_create, campaign_launch, tariff_save, titre_issue  # noqa: E402
from billing.services.exports import pes_export  # noqa: E402
from billing.services.titres import _pdf_context, issuer_snapshot  # noqa: E402
from conventions.models import (  # noqa: E402
    Application,
    Convention,
    ConventionApplication,
    ConventionModel,
)
from portal.audit.trail import SYSTEM_COMMAND  # noqa: E402
from portal.celery import queue_drop  # noqa: E402
from portal.pdf import render_pdf  # noqa: E402
from tenants.models import Collectivite, CommuneReference  # noqa: E402
from tenants.services.reference import SHIPPED_FILE, commune_reference_import_files  # noqa: E402

YEAR = 2099
PREFIX = "bbill-"
MODELS = ("bench-billing-share", "bench-billing-brackets")
APPS = ("e-administration", "services-en-ligne", "marches-publics")
EXTRA = size(40, 4)  # members of the second model, issued by threads during the campaign
COMMUNES = size(162, 8)  # the Hautes-Alpes, or their first few


def cleanup() -> None:
    connection.set_schema_to_public()
    if "billing_titre" not in connection.introspection.table_names():
        return  # a fresh database: nothing from an earlier run, setup() migrates it
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # triggers off
        ids = list(
            Collectivite.objects.filter(slug__startswith=PREFIX).values_list("pk", flat=True)
        )
        titre_ids = list(Titre.objects.filter(year=YEAR).values_list("pk", flat=True))
        for table in (
            "billing_titreline",
            "billing_payment",
            "billing_contest",
            "billing_reminder",
        ):
            cursor.execute(f"DELETE FROM {table} WHERE titre_id = ANY(%s)", [titre_ids])
        cursor.execute("DELETE FROM billing_titre WHERE id = ANY(%s)", [titre_ids])
        cursor.execute("DELETE FROM billing_titresequence WHERE year = %s", [YEAR])
        if "billing_pesbordereau" in connection.introspection.table_names():
            cursor.execute("DELETE FROM billing_pesbordereau WHERE year = %s", [YEAR])
        Campaign.objects.filter(year=YEAR).delete()
        Tariff.objects.filter(model__code__in=MODELS).delete()
        ConventionApplication.objects.filter(convention__collectivite_id__in=ids).delete()
        Convention.objects.filter(collectivite_id__in=ids).delete()
        ConventionModel.objects.filter(code__in=MODELS).delete()
        Collectivite.objects.filter(pk__in=ids).delete()


def make_members(refs) -> list[Collectivite]:
    Collectivite.objects.bulk_create(
        Collectivite(
            name=ref.name,
            slug=f"{PREFIX}{ref.insee_code}",
            schema_name=f"bbill_{ref.insee_code}",
            siren=ref.siren,
            population_municipale=ref.population_municipale,
            population_totale=ref.population_totale,
            population_year=ref.population_year,
            contact_address=f"Mairie\n{(ref.postal_codes or ['05000'])[0]} {ref.name}",
            # No schema is made for them: archived, so that no tenant job visits them.
            status=Collectivite.Status.ARCHIVED,
        )
        for ref in refs
    )
    return list(Collectivite.objects.filter(slug__startswith=PREFIX).order_by("slug"))


def make_model(code: str, pricing: str, members, lines) -> ConventionModel:
    model = ConventionModel.objects.create(code=code, name=f"Banc {code}", pricing=pricing)
    apps = list(Application.objects.filter(code__in=APPS))
    model.applications.set(apps)
    conventions = Convention.objects.bulk_create(
        Convention(
            model=model,
            collectivite=c,
            state=Convention.State.ACTIVE,
            signed_on=date(YEAR, 1, 1),
            starts_on=date(YEAR, 1, 1),
        )
        for c in members
    )
    ConventionApplication.objects.bulk_create(
        ConventionApplication(convention=conv, application=app, applies_from=date(YEAR, 1, 1))
        for conv in conventions
        for app in apps
    )
    tariff_save(model=model, year=YEAR, decision="banc", lines=lines(apps), acting_user=None)
    return model


def start_worker() -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--concurrency",
            "2",  # the machine's two cores: PDFs are rendered in parallel
            "-Q",
            QUEUE,
            "--loglevel",
            "WARNING",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ],
        env={**os.environ, "CELERY_QUEUE": QUEUE},
    )


def main() -> None:
    cleanup()
    setup()
    if not CommuneReference.objects.filter(departement="05").exists():
        commune_reference_import_files(paths=[SHIPPED_FILE])
    if not Issuer.objects.exists():
        Issuer.objects.create(
            name="Opérateur (banc)",
            siret="25050001200017",
            address="1 place\n05000 Gap",
            signatory_first_name="Prénom",
            signatory_last_name="Nom",
            signatory_title="Président",
            contest_email="finances@example.invalid",
            accountant="SGC de Gap",
            accountant_address="05000 Gap",
            iban="FR7630001007941234567890185",
            bic="BDFEFRPPCCT",
            court="le tribunal administratif de Marseille",
            product_code="PART",
            post_id="005012",
        )
    refs = list(CommuneReference.objects.filter(departement="05").order_by("insee_code"))
    members = make_members(refs[:COMMUNES])
    assert len(members) == COMMUNES, len(members)
    share = make_model(
        MODELS[0],
        ConventionModel.Pricing.POPULATION_SHARE,
        members,
        lambda apps: [
            TariffLine(
                kind=TariffLine.Kind.APPLICATION,
                application=app,
                label=app.label,
                amount_cents=cost,
                participation_cents=cost // 2,
            )
            for app, cost in zip(apps, (4_000_000, 2_500_000, 1_200_000), strict=True)
        ],
    )
    brackets = make_model(
        MODELS[1],
        ConventionModel.Pricing.POPULATION_BRACKETS,
        members[:EXTRA],
        lambda apps: [
            TariffLine(
                kind=TariffLine.Kind.BRACKET,
                label="toutes populations",
                amount_cents=100_000,
                vat_rate_bp=2000,
                includes_vat=True,
            )
        ],
    )
    worker = start_worker()
    try:
        time.sleep(3)  # the worker's start-up is not the campaign's time
        campaign = campaign_create(year=YEAR, model_ids=[share.pk], acting_user=None)
        extra_bills = liquidate(year=YEAR, model_ids=[brackets.pk]).members
        issuer = issuer_snapshot()

        def issue(bills):
            for bill in bills:
                titre_issue(bill=bill, year=YEAR, issuer=issuer, today=date.today())
            connection.close()

        started = time.perf_counter()
        campaign_launch(campaign=campaign, acting_user=None)
        threads = [threading.Thread(target=issue, args=(extra_bills[i::2],)) for i in range(2)]
        for thread in threads:
            thread.start()
        issued_at = None
        while True:
            campaign.refresh_from_db()
            if issued_at is None and campaign.state in (Campaign.State.DONE, Campaign.State.FAILED):
                issued_at = time.perf_counter() - started
            if campaign.state in (Campaign.State.DONE, Campaign.State.FAILED) and (
                campaign_delivered(campaign=campaign) >= campaign.issued
            ):
                break
            time.sleep(0.2)
        titres = list(
            Titre.objects.filter(campaign=campaign).prefetch_related("lines").order_by("number")
        )
        pes, _ = pes_export(
            acting_user=SYSTEM_COMMAND,
            titres=titres,
            batch=f"C{campaign.pk:04d}",
            today=date.today(),
        )
        elapsed = time.perf_counter() - started
        for thread in threads:
            thread.join()
        assert campaign.state == Campaign.State.DONE, campaign.errors
        assert len(titres) == COMMUNES and all(t.pdf is not None for t in titres) and pes
        figure("billing_campaign_162", elapsed, "s")
        # Of which: every titre numbered and recorded (before PDFs and e-mails finish).
        figure("billing_campaign_162_issued", issued_at, "s")

        durations = []
        for titre in titres[: size(30, 3)]:
            context = _pdf_context(titre)
            t0 = time.perf_counter()
            render_pdf("billing/pdf/titre.html", context)
            durations.append((time.perf_counter() - t0) * 1000)
        figure("titre_pdf_median", statistics.median(durations), "ms")

        numbers = list(Titre.objects.filter(year=YEAR).values_list("number", flat=True))
        expected = set(range(1, COMMUNES + EXTRA + 1))
        gaps = len(expected - set(numbers)) + (len(numbers) - len(set(numbers)))
        figure("billing_numbering_gaps", gaps, "count")
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        queue_drop(QUEUE)
        cleanup()


if __name__ == "__main__":
    main()
