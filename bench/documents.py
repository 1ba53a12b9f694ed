"""Documents figures: the render time of each owed PDF, at typical and at maximum input sizes
(issue 22, "bounded work per input").

Prints, for each kind (aee, ar, pieces, decision, attestation, agreement, amendment,
usage_report, titre, memoire):
  pdf_<kind>_typical_ms <ms> ms   median over a few renders of a typical document
  pdf_<kind>_plain_typical_ms     the same as plain WeasyPrint output (untagged, not PDF/A):
                                  what rendering it cost before issue 26
  pdf_<kind>_max_s <s> s          median with every field at the most it accepts (<= 1)
  pdf_seal_ms <ms> ms             sealing one act (a titre), median
  pdf_verify_ms <ms> ms           the verification page's work on an uploaded act, median

Times are the CPU time of the rendering process (the worker's cost), which the other load
of a shared machine does not inflate. "Maximum": a citizen's filing with each answer at its
field's limit (5,000 characters a long text, in one paragraph: the case that took 35 s),
identity at its limits; a request for pieces and a decision's reasons of 5,000 characters;
convention and titre texts at their columns' limits (5,000 characters where a column has
none).

BENCH_SMOKE=1 (or --smoke): one render of each, maximum sizes cut to 500 characters, to
check the script runs.

Run: .venv/bin/python -m portal.embedded run -- .venv/bin/python bench/documents.py
It makes one collectivité "bench-docs" and removes it at the end (and at the start, should
an earlier run have stopped midway).
"""

import json
import os
import statistics
import sys
import time
from datetime import date

from _setup import figure, setup

SMOKE = os.environ.get("BENCH_SMOKE") == "1" or "--smoke" in sys.argv
RUNS = 1 if SMOKE else 5
LONG = 500 if SMOKE else 5000  # a long text's limit (sve.fields: textarea, address)
SLUG = "bench-docs"

setup()

from django.db import connection  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402

from portal.accounts.models import User  # noqa: E402
from portal.pdf import PdfAttachment, render_pdf  # noqa: E402
from tenants.models import Collectivite  # noqa: E402
from tenants.services import collectivite_create  # noqa: E402


def paragraph(length: int) -> str:
    """One paragraph of ``length`` characters: words, no line break."""
    words = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. "
    return (words * (length // len(words) + 1))[:length]


def cleanup() -> None:
    connection.set_schema_to_public()
    for tenant in Collectivite.objects.filter(slug=SLUG):
        tenant.delete(force_drop=True)
    User.objects.filter(email__endswith="@bench-docs.invalid").delete()


def plain_pdf(template: str, context: dict, attachments=()) -> bytes:
    """The act as issued before issue 26: plain WeasyPrint output (no tags, no PDF/A)."""
    from django.conf import settings
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def cpu_seconds(template: str, context: dict, render=render_pdf) -> float:
    """Median CPU time of rendering ``template`` (the HTML is made once, outside)."""
    render_to_string(template, context)  # templates compiled, fonts loaded
    attachments = context.get("_attachments", ())
    context = {k: v for k, v in context.items() if k != "_attachments"}
    samples = []
    for _ in range(RUNS):
        started = time.process_time()
        render(template, context, attachments=attachments)
        samples.append(time.process_time() - started)
    return statistics.median(samples)


def agent(tenant) -> User:
    from tenants.models import Membership
    from tenants.services import membership_grant

    user, _ = User.objects.get_or_create(
        email="agent@bench-docs.invalid", defaults={"first_name": "Camille", "last_name": "Roux"}
    )
    membership_grant(
        user=user, collectivite=tenant, role=Membership.Role.AGENT, title="Agent instructeur"
    )
    return user


def sve_contexts(tenant, *, size: int) -> dict[str, tuple[str, dict]]:
    """Each SVE letter's template and context for a request whose texts have ``size``
    characters (identity capped at its own limits)."""
    from sve import documents, services
    from sve.models import Request

    staff = agent(tenant)
    connection.set_tenant(tenant)
    fields = [
        {"name": "objet", "label": "Objet", "type": "text", "required": True},
        {"name": "lieu", "label": "Adresse ou lieu", "type": "address", "required": True},
        {"name": "message", "label": "Message", "type": "textarea", "required": True},
    ]
    form = services.form_create(
        acting_user=None,
        slug=f"bench-{size}",
        title="Demande d'intervention",
        description="",
        fields=fields,
        regime="svr",
        delay_months=2,
        delay_days=0,
        service_name="Service technique",
        service_address="Place de la Mairie\n05100 Briançon",
        service_email="technique@bench-docs.invalid",
        service_phone="04 92 00 00 00",
        appeal_routes="Tribunal administratif de Marseille",
    )
    form = services.form_enable(form=form, acting_user=None, enabled=True)
    request = services.request_submit(
        form=form,
        acting_user=None,
        identity={
            "last_name": paragraph(min(size, 150)),
            "first_name": paragraph(min(size, 150)),
            "postal_address": paragraph(min(size, 1000)),
            "email": "usager@bench-docs.invalid",
        },
        data={
            "objet": paragraph(min(size, 300)),
            "lieu": paragraph(size),
            "message": paragraph(size),
        },
        files={},
    )
    services.request_qualify(request=request, acting_user=staff, regime="svr")
    services.request_ask_pieces(
        request=request, acting_user=staff, items=paragraph(size), due_on=date(2099, 1, 1)
    )
    request = Request.objects.select_related("form_version").get(pk=request.pk)
    request.decision_reasons = paragraph(size)
    context = documents.document_context(request)
    context["pending_pieces"] = list(context["pending_pieces"])  # read in the tenant's schema
    kinds = ("aee", "ar", "pieces", "decision", "attestation")
    return {kind: (f"sve/pdf/{kind}.html", context) for kind in kinds}


def convention_contexts(tenant, *, size: int) -> dict[str, tuple[str, dict]]:
    """The convention documents' templates and contexts, texts of ``size`` characters
    (capped at their columns' limits), built as conventions.services.documents does."""
    from conventions.models import Amendment, Application, Convention, ConventionModel
    from conventions.services.reports import usage_figures

    connection.set_schema_to_public()
    model = ConventionModel(
        name=paragraph(min(size, 200)),
        description=paragraph(size),
        tacit_renewal=True,
        period_months=12,
        notice_rule="months_before_end",
        notice_months=3,
        usage_report=True,
    )
    convention = Convention(
        model=model,
        collectivite=tenant,
        member_signatory=paragraph(min(size, 200)),
        member_signatory_title=paragraph(min(size, 200)),
        operator_signatory=paragraph(min(size, 200)),
        operator_signatory_title=paragraph(min(size, 200)),
    )
    applications = [
        Application(label=paragraph(min(size, 200)), description=paragraph(size)) for _ in range(3)
    ]
    common = {
        "convention": convention,
        "model": model,
        "collectivite": tenant,
        "operator_name": "Syndicat mixte de bench",
        "verify_url": "http://localhost:8000/verifier/",
        "today": date.today(),
        "applications": applications,
        "threshold": "0,00 €",
        "commitment": "0,00 €",
        "member_deadline": "—",
        "operator_deadline": "—",
    }
    amendment = Amendment(
        number=1,
        requested_on=date.today(),
        answer_due_on=date.today(),
        effective_on=date.today(),
        note=paragraph(size),
    )
    year = date.today().year
    return {
        "agreement": ("conventions/pdf/agreement.html", common),
        "amendment": (
            "conventions/pdf/amendment.html",
            common | {"amendment": amendment, "added": applications, "removed": []},
        ),
        "usage_report": (
            "conventions/pdf/usage_report.html",
            common | {"year": year, "figures": usage_figures(collectivite=tenant, year=year)},
        ),
    }


def titre_contexts(tenant, *, size: int) -> dict[str, tuple[str, dict]]:
    """The titre's and the mémoire's template and context (billing.services.titres), with
    three lines whose texts have ``size`` characters (capped at their columns' limits)."""
    from billing.models import BillingDocument, Titre, TitreLine

    issuer = {
        "name": paragraph(min(size, 200)),
        "siret": "25050001200017",
        "address": paragraph(size),
        "budget_code": "00",
        "revenue_nature": "70688",
        "function_code": "020",
        "accountant": paragraph(min(size, 200)),
        "accountant_address": paragraph(size),
        "iban": "FR7630001007941234567890185",
        "bic": "BDFEFRPPCCT",
        "contest_email": "finances@bench-docs.invalid",
        "court": paragraph(min(size, 200)),
        "signatory_first_name": paragraph(min(size, 100)),
        "signatory_last_name": paragraph(min(size, 100)),
        "signatory_title": paragraph(min(size, 200)),
    }
    debtor = {"name": tenant.name, "siren": "210500013", "address": paragraph(size)}
    lines = [
        TitreLine(
            position=n,
            label=paragraph(min(size, 300)),
            basis=paragraph(size),
            amount_ht_cents=123_456,
            vat_rate_bp=2000,
            vat_cents=24_691,
            amount_ttc_cents=148_147,
        )
        for n in range(1, 4)
    ]
    contexts = {}
    for kind, document in (("titre", BillingDocument.TITRE), ("memoire", BillingDocument.MEMOIRE)):
        titre = Titre(
            year=2099,
            number=1,
            kind=Titre.Kind.TITRE,
            document=document,
            object=paragraph(min(size, 300)),
            legal_basis=paragraph(size),
            issued_on=date.today(),
            due_on=date.today(),
            issuer=issuer,
            debtor=debtor,
            total_ht_cents=370_368,
            total_ttc_cents=444_441,
        )
        contexts[kind] = (
            "billing/pdf/titre.html",
            {
                "titre": titre,
                "lines": lines,
                "issuer": issuer,
                "debtor": debtor,
                "corrects": None,
                "verify_url": "http://localhost:8000/verifier/",
                "vat_breakdown": [{"rate_bp": 2000, "base": 370_368, "vat": 74_073}],
                # As billing.services.titres.titre_render: the liquidation, embedded.
                "_attachments": (
                    PdfAttachment(
                        name="titre-2099-00001-liquidation.json",
                        content=json.dumps([vars(line) for line in lines], default=str).encode(),
                    ),
                ),
            },
        )
    return contexts


def seal_and_verify(content: bytes) -> None:
    """The seal the worker adds to each act, and the verification page's work on a file
    (its seal checked, its hash looked up): medians, wall time (pyHanko's own work only)."""
    from portal.seal import pdf_seal, pdf_seal_check
    from portal.sealed.selectors import sealed_verify

    pdf_seal(content, reason="Bench")  # the seal's key and certificate loaded
    sealing, verifying = [], []
    for _ in range(RUNS * 4):
        started = time.perf_counter()
        sealed = pdf_seal(content, reason="Bench")
        sealing.append(time.perf_counter() - started)
        started = time.perf_counter()
        sealed_verify(content=sealed, schema_name="public")
        verifying.append(time.perf_counter() - started)
    assert pdf_seal_check(sealed).intact
    figure("pdf_seal_ms", statistics.median(sealing) * 1000, "ms")
    figure("pdf_verify_ms", statistics.median(verifying) * 1000, "ms")


def main() -> None:
    cleanup()
    tenant = collectivite_create(name="Bench documents", slug=SLUG)
    try:
        for size_name, size in (("typical", 200), ("max", LONG)):
            contexts = (
                sve_contexts(tenant, size=size)
                | convention_contexts(tenant, size=size)
                | titre_contexts(tenant, size=size)
            )
            for kind, (template, context) in contexts.items():
                seconds = cpu_seconds(template, context)
                if size_name == "typical":
                    figure(f"pdf_{kind}_typical_ms", seconds * 1000, "ms")
                    plain = cpu_seconds(template, context, render=plain_pdf)
                    figure(f"pdf_{kind}_plain_typical_ms", plain * 1000, "ms")
                else:
                    figure(f"pdf_{kind}_max_s", seconds, "s")
        template, context = titre_contexts(tenant, size=200)["titre"]
        seal_and_verify(render_pdf(template, context))
    finally:
        cleanup()


if __name__ == "__main__":
    main()
