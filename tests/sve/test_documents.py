"""The letters: they carry the commune's identity (name, logo, colour) and no State brand;
their texts, as the citizen reads them (pypdf reads the PDFs back), state what the law
requires: AR, request for pieces and decision, each mention checked."""

import hashlib
import io
import time
from datetime import date

import pytest
import time_machine
from PIL import Image
from pyhanko.sign.validation import SignatureCoverageLevel
from pypdf import PdfReader

from portal.pdf import render_pdf
from portal.sealed.models import SealedDocument
from sve import documents, services
from sve.fields import build_form_class, cleaned_to_data
from sve.forms import IdentityForm
from sve.models import Document, Status
from sve.services import SveError
from tenants.models import Collectivite, CollectiviteLogo
from tests.conftest import in_tenant
from tests.pdf_structure import (
    accessibility_problems,
    pdfa_problems,
    seal_status,
    structure_tags,
)
from tests.sve.conftest import enabled_form, submit

pytestmark = pytest.mark.django_db


def _logo_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 60), "#1f5c3a").save(buffer, format="PNG")
    return buffer.getvalue()


def test_letters_carry_the_communes_name_logo_and_colour(tenant_a):
    CollectiviteLogo.objects.create(
        collectivite=tenant_a, content=_logo_png(), content_type="image/png", width=120, height=60
    )
    Collectivite.objects.filter(pk=tenant_a.pk).update(primary_color="#1f5c3a", logo_version=1)
    tenant_a.refresh_from_db()
    with in_tenant(tenant_a):
        req = submit(enabled_form())
        context = documents.document_context(req)
        html = documents.render_to_string("sve/pdf/ar.html", context)
        pdf = PdfReader(io.BytesIO(render_pdf("sve/pdf/ar.html", context)))
    assert context["letterhead"].color == "#1f5c3a"
    assert "border-bottom: 3pt solid #1f5c3a" in html
    assert "République" not in html and "000091" not in html and "Marianne" not in html
    page = pdf.pages[0]
    assert len(page.images) == 1  # the commune's logo
    text = " ".join(page.extract_text().split())
    assert "Commune A — page 1 / 1" in text


def test_without_a_logo_or_colour_the_letter_uses_the_portals_colour(tenant_b):
    with in_tenant(tenant_b):
        req = submit(enabled_form())
        context = documents.document_context(req)
    assert context["letterhead"].logo_data_uri == ""
    assert context["letterhead"].color == "#1d4e89"


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(bytes(content)))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def issued(req, kind) -> str:
    return pdf_text(Document.objects.get(request=req, kind=kind).content)


def test_ar_states_service_contact_regime_date_appeal_and_its_own_delay(
    tenant_a, agent_a, outbox, eager_tasks, django_capture_on_commit_callbacks
):
    with in_tenant(tenant_a):
        with time_machine.travel("2026-01-05 09:00 +01:00", tick=False):
            req = submit(enabled_form(regime="svr"))
            with django_capture_on_commit_callbacks(execute=True):
                services.request_qualify(request=req, acting_user=agent_a, regime="svr")
        text = issued(req, Document.Kind.AR)
    # CRPA R112-5 1° / R112-11-1 1°: date of receipt and date of the implicit decision.
    assert "reçue le 5 janvier 2026" in text and "rejetée le 5 mars 2026" in text
    # R112-5 2° / R112-11-1 2°: service, postal address, e-mail, phone.
    for mention in (
        "Service état civil",
        "Mairie, 05100",
        "etat-civil@example.fr",
        "04 92 00 00 00",
    ):
        assert mention in text
    # SVR: appeal routes and the delay in the words of the texts.
    assert "Silence vaut refus" in text and "délai de deux mois" in text
    assert "2 mois" not in text
    # The AR's ten working days cited to the article that sets them.
    assert "dix jours ouvrés" in text and "article R112-11-2" in text


@pytest.mark.parametrize(
    ("regime", "effect"),
    [
        ("sva", "ne court qu'à compter de la réception de l'ensemble des pièces"),
        (
            "svr",
            "est suspendu pendant le délai qui vous est imparti, soit jusqu'au 20 février 2026",
        ),
    ],
)
def test_pieces_letter_states_what_is_missing_by_when_and_the_effect_on_the_delay(
    tenant_a, agent_a, outbox, eager_tasks, django_capture_on_commit_callbacks, regime, effect
):
    with in_tenant(tenant_a):
        with time_machine.travel("2026-01-10 10:00 +01:00", tick=False):
            req = submit(enabled_form(regime=regime))
            services.request_qualify(request=req, acting_user=agent_a, regime=regime)
        outbox.clear()
        with time_machine.travel("2026-01-20 10:00 +01:00", tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                services.request_ask_pieces(
                    request=req,
                    acting_user=agent_a,
                    items="Copie du livret de famille",
                    due_on=date(2026, 2, 20),
                )
    notice = next(m for m in outbox if "incomplète" in m.subject)
    [(filename, content, mimetype)] = notice.attachments
    assert filename.startswith("demande-de-pieces-") and mimetype == "application/pdf"
    text = pdf_text(content)
    assert "Copie du livret de famille" in text and "20 février 2026" in text
    assert effect in text and "article L114-5" in text
    assert effect in " ".join(notice.body.split())
    if regime == "svr":
        # L114-5 al. 3: without the pieces, the refusal still arises after the time given.
        assert "sera réputée rejetée le 10 avril 2026" in text


def test_decision_states_signatory_first_name_name_and_title(
    tenant_a, member_factory, outbox, eager_tasks, django_capture_on_commit_callbacks
):
    signer = member_factory(
        tenant_a, first_name="Hélène", last_name="Roux", title="Adjointe au maire"
    )
    with in_tenant(tenant_a):
        req = submit(enabled_form(regime="svr"))
        services.request_qualify(request=req, acting_user=signer, regime="svr")
        with django_capture_on_commit_callbacks(execute=True):
            services.request_decide(
                request=req, acting_user=signer, accept=False, reasons="Terrain en zone inondable"
            )
        text = issued(req, Document.Kind.DECISION)
    assert "Hélène Roux, Adjointe au maire" in text
    assert "Terrain en zone inondable" in text
    assert "délai de deux mois" in text and "article R421-1" in text


def test_decision_refused_to_an_agent_without_name_or_title(tenant_a, member_factory):
    untitled = member_factory(tenant_a, title="")
    with in_tenant(tenant_a):
        req = submit(enabled_form())
        services.request_qualify(request=req, acting_user=untitled, regime="sva")
        with pytest.raises(SveError, match="L212-1"):
            services.request_decide(request=req, acting_user=untitled, accept=True, reasons="")
        req.refresh_from_db()
        assert req.status == Status.ACKNOWLEDGED and req.decided_at is None


# Issue 22 ("bounded work per input"): the fields a citizen fills, each at the most it takes.
LONGEST_FIELDS = [
    {"name": "objet", "label": "Objet", "type": "text", "required": True},
    {"name": "lieu", "label": "Adresse ou lieu", "type": "address", "required": True},
    {"name": "message", "label": "Message", "type": "textarea", "required": True},
]


def paragraph(length: int) -> str:
    """One paragraph of exactly ``length`` characters, words and no line break."""
    words = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. "
    return (words * (length // len(words) + 1))[: length - 1] + "."


def longest_filing(form):
    """A filing with every field (identity included) at its form's maximum length."""
    specs = form.current_version.fields
    data_form = build_form_class(specs)(
        data={
            name: paragraph(field.max_length)
            for name, field in build_form_class(specs)().fields.items()
        }
    )
    identity = IdentityForm(
        data={
            name: paragraph(field.max_length)
            for name, field in IdentityForm().fields.items()
            if name != "email"
        }
        | {"email": "claude.martin@example.fr"}
    )
    assert data_form.is_valid() and identity.is_valid(), (data_form.errors, identity.errors)
    data, files = cleaned_to_data(specs, data_form.cleaned_data)
    assert max(len(value) for value in data.values()) == 5000  # the most a long text takes
    return submit(form, identity=identity.cleaned_data, data=data, files=files)


def test_the_aee_of_a_filing_at_the_fields_maximum_sizes_is_issued_in_bounded_time(
    tenant_a, outbox
):
    with in_tenant(tenant_a):
        req = longest_filing(enabled_form(fields=LONGEST_FIELDS))
        started = time.process_time()
        document = documents.document_issue(request_id=req.pk, kind=Document.Kind.AEE)
        elapsed = time.process_time() - started
    # A 5,000-character paragraph in a table cell took 35 s of the worker's time (issue 22);
    # well under a second since. The bound is generous: it fails only if the cause returns.
    # CPU time of this process, the worker's cost, whatever else the machine runs.
    assert elapsed <= 5, f"AEE issued in {elapsed:.1f} s"
    text = pdf_text(document.content)
    assert " ".join(req.data["message"].split())[-60:] in text  # all of it, not cut
    assert [m.subject for m in outbox] == [
        f"[Commune A] Accusé d'enregistrement électronique — demande {req.reference}"
    ]


@pytest.mark.parametrize("kind", ["aee", "ar", "pieces", "decision", "attestation"])
def test_every_letter_of_a_filing_at_the_fields_maximum_sizes_renders_in_bounded_time(
    tenant_a, agent_a, kind
):
    with in_tenant(tenant_a):
        req = longest_filing(enabled_form(fields=LONGEST_FIELDS))
        services.request_qualify(request=req, acting_user=agent_a, regime="svr")
        services.request_ask_pieces(
            request=req, acting_user=agent_a, items=paragraph(5000), due_on=date(2099, 1, 1)
        )
        req.refresh_from_db()
        req.decision_reasons = paragraph(5000)
        context = documents.document_context(req)
        started = time.process_time()
        content = render_pdf(f"sve/pdf/{kind}.html", context)
        elapsed = time.process_time() - started
    assert elapsed <= 5, f"{kind} rendered in {elapsed:.1f} s"
    assert req.reference in pdf_text(content)


def test_issued_letters_are_tagged_for_assistive_technologies_and_archivable(
    tenant_a, member_factory, outbox, eager_tasks, django_capture_on_commit_callbacks
):
    """Issue 26 (RGAA 13.3): read back from the stored files: structure tree, language,
    title, headings in order, header cells, the logo's alternative text; PDF/A-3; the seal."""
    CollectiviteLogo.objects.create(
        collectivite=tenant_a, content=_logo_png(), content_type="image/png", width=120, height=60
    )
    Collectivite.objects.filter(pk=tenant_a.pk).update(logo_version=1)
    tenant_a.refresh_from_db()
    signer = member_factory(tenant_a, first_name="Hélène", last_name="Roux", title="Maire")
    with in_tenant(tenant_a):
        with django_capture_on_commit_callbacks(execute=True):
            req = submit(enabled_form(regime="svr"))
        with django_capture_on_commit_callbacks(execute=True):
            services.request_qualify(request=req, acting_user=signer, regime="svr")
        with django_capture_on_commit_callbacks(execute=True):
            services.request_decide(request=req, acting_user=signer, accept=False, reasons="Motif")
        issued = {d.kind: bytes(d.content) for d in Document.objects.filter(request=req)}
    titles = {
        Document.Kind.AEE: f"Accusé d'enregistrement électronique {req.reference}",
        Document.Kind.AR: f"Accusé de réception {req.reference}",
        Document.Kind.DECISION: f"Décision {req.reference}",
    }
    assert set(titles) <= set(issued)
    for kind, title in titles.items():
        assert accessibility_problems(issued[kind], title=title) == [], kind
        assert pdfa_problems(issued[kind]) == [], kind
        reader = PdfReader(io.BytesIO(issued[kind]))
        figures = [e for tag, e in structure_tags(reader) if tag == "/Figure"]
        assert [str(f["/Alt"]) for f in figures] == ["Logo de Commune A"]
        # Sealed with the operator's certificate, over the whole file; findable by its hash.
        status = seal_status(issued[kind])
        assert status.intact and status.valid and status.trusted, kind
        assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        sealed = SealedDocument.objects.get(sha256=hashlib.sha256(issued[kind]).hexdigest())
        assert (sealed.schema_name, sealed.reference) == (tenant_a.schema_name, req.reference)
        assert sealed.kind == f"sve.{kind}"
