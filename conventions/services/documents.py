"""Documents of a convention: owed in the transaction of the step that owes them (the
agreement when sent, an avenant when asked, a usage report), issued once by the worker
after commit (WeasyPrint); the daily job re-queues what is still owed. Uploaded files
(signed scan, notice letter) are checked to be real PDFs."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from conventions.models import Amendment, Convention, Document
from conventions.services.common import ConventionError, record
from portal.accounts.models import User
from portal.money import euros
from portal.pdf import pdf_issue
from portal.sealed.selectors import verify_url
from portal.sealed.services import sealed_record
from portal.uploads import upload_check

PDF_ONLY = {"application/pdf": ("pdf",)}
# The daily job re-queues documents still owed after this long (queue lost, worker killed).
OWED_GRACE = timedelta(minutes=10)

TEMPLATES = {
    Document.Kind.AGREEMENT: "conventions/pdf/agreement.html",
    Document.Kind.AMENDMENT: "conventions/pdf/amendment.html",
    Document.Kind.USAGE_REPORT: "conventions/pdf/usage_report.html",
}


def _queue(document_id: int) -> None:
    from conventions import tasks

    transaction.on_commit(lambda: tasks.document_issue.delay(document_id))


def document_owe(
    *,
    convention: Convention,
    kind: str,
    amendment: Amendment | None = None,
    year: int | None = None,
) -> Document:
    """Record a document as owed (idempotent) and queue its issue after commit."""
    document, _ = Document.objects.get_or_create(
        convention=convention,
        kind=kind,
        amendment=amendment,
        year=year,
        defaults={"filename": ""},
    )
    if document.issued_at is None:
        _queue(document.pk)
    return document


def _filename(document: Document) -> str:
    convention = document.convention
    if document.kind == Document.Kind.AMENDMENT:
        return f"{convention.reference}-avenant-{document.amendment.number}.pdf"
    if document.kind == Document.Kind.USAGE_REPORT:
        return f"{convention.reference}-compte-rendu-{document.year}.pdf"
    return f"{convention.reference}-convention.pdf"


def document_issue(*, document_id: int) -> bool:
    """Render an owed document once (worker). Rendering happens without any lock; the
    write checks under lock that no other delivery issued it meanwhile."""
    document = (
        Document.objects.select_related(
            "convention__model", "convention__collectivite", "amendment"
        )
        .filter(pk=document_id)
        .first()
    )
    if document is None or document.issued_at is not None:
        return False
    context = _context(document)
    label = str(document.get_kind_display())
    reference = document.convention.reference
    if document.kind == Document.Kind.AMENDMENT:
        reference += f" avenant {document.amendment.number}"
    elif document.kind == Document.Kind.USAGE_REPORT:
        reference += f" {document.year}"
    content = pdf_issue(TEMPLATES[document.kind], context, reason=f"{label} — {reference}")
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document_id)
        if locked.issued_at is not None:
            return False
        locked.content = content
        locked.size = len(content)
        locked.filename = _filename(document)
        locked.content_type = "application/pdf"
        locked.issued_at = timezone.now()
        locked.save(update_fields=["content", "size", "filename", "content_type", "issued_at"])
        sealed_record(
            content=content, kind=f"conventions.{document.kind}", label=label, reference=reference
        )
        record(
            document.convention,
            "document_issued",
            kind=document.kind,
            filename=locked.filename,
            size=locked.size,
        )
    return True


def _context(document: Document) -> dict:
    from django.conf import settings

    convention = document.convention
    context = {
        "convention": convention,
        "model": convention.model,
        "collectivite": convention.collectivite,
        "operator_name": settings.OPERATOR_NAME,
        "today": timezone.localdate(),
        "applications": [c.application for c in convention.coverages.select_related("application")],
        "document": document,
        "verify_url": verify_url(),
        "threshold": euros(convention.model.threshold_cents or 0),
        "commitment": euros(convention.commitment_cents or 0),
        "member_deadline": _day_label(convention.model.notice_deadline_member),
        "operator_deadline": _day_label(convention.model.notice_deadline_operator),
    }
    if document.kind == Document.Kind.AMENDMENT:
        context["amendment"] = document.amendment
        context["added"] = list(document.amendment.add.all())
        context["removed"] = list(document.amendment.remove.all())
    if document.kind == Document.Kind.USAGE_REPORT:
        from conventions.services.reports import usage_figures

        context["year"] = document.year
        context["figures"] = usage_figures(collectivite=convention.collectivite, year=document.year)
    return context


def _day_label(spec: str) -> str:
    if not spec:
        return "—"
    month, day = (int(part) for part in spec.split("-"))
    return date_format(date(2000, month, day), "j F")


def documents_owed_requeue(*, now=None) -> int:
    """Re-queue documents still owed after OWED_GRACE (daily job)."""
    now = now or timezone.now()
    ids = list(
        Document.objects.filter(
            issued_at__isnull=True, kind__in=Document.ISSUED, created_at__lt=now - OWED_GRACE
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        _queue(pk)
    return len(ids)


def pdf_check(uploaded) -> None:
    """A real PDF: its content says PDF (magic bytes, portal.uploads), its name ends in .pdf,
    and it ends with the PDF end-of-file marker (a truncated or renamed file does not)."""
    try:
        upload_check(uploaded, allowed_types=PDF_ONLY)
    except ValidationError as exc:
        raise ConventionError(exc.messages) from None
    uploaded.seek(max(0, uploaded.size - 2048))
    tail = uploaded.read()
    uploaded.seek(0)
    if b"%%EOF" not in tail:
        raise ConventionError(
            f"Le fichier « {uploaded.name} » n'est pas un PDF complet (fin de fichier absente)."
        )


@transaction.atomic
def convention_scan_attach(
    *, convention: Convention, uploaded, acting_user: User | None
) -> Document:
    """Attach the signed scan (replaces none: each upload is kept and recorded)."""
    from conventions.services.common import require_platform_admin

    require_platform_admin(acting_user)
    pdf_check(uploaded)
    if convention.state in (Convention.State.DRAFT,):
        raise ConventionError("Envoyez la convention pour signature avant d'en joindre le scan.")
    content = uploaded.read()
    document = Document.objects.create(
        convention=convention,
        kind=Document.Kind.SIGNED,
        filename=uploaded.name[:255],
        content_type="application/pdf",
        size=len(content),
        content=content,
        issued_at=timezone.now(),
    )
    record(
        convention,
        "scan_attached",
        acting_user=acting_user,
        filename=document.filename,
        size=document.size,
    )
    return document


def letter_attach(*, convention: Convention, uploaded) -> Document:
    """A notice letter (PDF), inside the caller's transaction."""
    pdf_check(uploaded)
    content = uploaded.read()
    return Document.objects.create(
        convention=convention,
        kind=Document.Kind.NOTICE_LETTER,
        filename=uploaded.name[:255],
        content_type="application/pdf",
        size=len(content),
        content=content,
        issued_at=timezone.now(),
    )
