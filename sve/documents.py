"""Documents the commune issues (AEE, AR, decision, attestation) and e-mails to citizens.

Run by Celery tasks after the step's commit, inside the tenant's schema. Each issue is
idempotent: one document of each kind per request (unique constraint), issued and mailed
once (portal/owed). No request row is locked here: rendering happens outside any
transaction, and storing takes the owed row then the journal anchor (sve/services/common).
Templates are autoescaped: whatever a citizen typed is shown as text, never as markup.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from portal.calendar import current_insee_code
from portal.owed.selectors import owed_pending
from portal.owed.services import owed_issuing, owed_settle
from portal.pdf import pdf_issue
from portal.sealed.selectors import verify_url
from portal.sealed.services import sealed_record
from sve import deadlines
from sve.fields import summary
from sve.journal import journal_append, journal_extend
from sve.models import Document, JournalEntry, PieceRequest, Regime, Request, Status
from sve.owed import IMPLICIT_NOTICE, OWED_KIND, PIECES
from tenants.selectors import collectivite_letterhead

KIND_FILES = {
    Document.Kind.AEE: ("accuse-enregistrement", "Accusé d'enregistrement électronique"),
    Document.Kind.AR: ("accuse-reception", "Accusé de réception"),
    Document.Kind.DECISION: ("decision", "Décision"),
    Document.Kind.ATTESTATION: (
        "attestation-acceptation-implicite",
        "Attestation de décision implicite d'acceptation",
    ),
}
# Statuses in which each document may be issued.
ISSUABLE = {
    Document.Kind.AEE: tuple(s for s in Status.values if s != Status.DRAFT),
    Document.Kind.AR: tuple(s for s in Status.values if s not in (Status.DRAFT, Status.SUBMITTED)),
    Document.Kind.DECISION: (Status.ACCEPTED, Status.REJECTED),
    Document.Kind.ATTESTATION: (Status.IMPLICITLY_ACCEPTED,),
}


def tracking_url(request: Request) -> str:
    path = reverse("sve:track", kwargs={"token": request.access_token})
    return connection.tenant.primary_url().rstrip("/") + path


def pieces_effect(request: Request, piece: PieceRequest | None = None) -> str:
    """What a request for pieces (``piece``, else the one pending) does to the delay, in
    the citizen's words.

    CRPA L114-5: the request for pieces states its effect on the implicit-decision delay."""
    pending = piece or (
        request.piece_requests.filter(completed_on__isnull=True).order_by("-due_on").first()
    )
    if pending is None:
        return ""
    due = date_format(pending.due_on, "j F Y")
    if not deadlines.implicit_outcome_announced(asks_decision=request.form_version.asks_decision):
        # A report or a question: no implicit outcome to speak of (sve.deadlines).
        return f"Merci de les envoyer avant le {due} pour que le service puisse y donner suite."
    if request.regime == Regime.SVA:
        return (
            "Le délai au terme duquel, faute de réponse, votre demande sera réputée acceptée "
            "ne court qu'à compter de la réception de l'ensemble des pièces et informations "
            "demandées (article L114-5 du code des relations entre le public et "
            "l'administration)."
        )
    if request.regime == Regime.SVR:
        text = (
            "Le délai au terme duquel, faute de réponse, votre demande sera réputée rejetée "
            f"est suspendu pendant le délai qui vous est imparti, soit jusqu'au {due} ; "
            "l'envoi des pièces et informations avant cette date met fin à la suspension "
            "(article L114-5 du code des relations entre le public et l'administration)."
        )
        if request.implicit_decision_on:
            decided = date_format(request.implicit_decision_on, "j F Y")
            text += f" Si vous ne les envoyez pas, votre demande sera réputée rejetée le {decided}."
        return text
    return ""


def decision_signatory(request: Request) -> dict | None:
    """The signatory recorded with the express decision (CRPA L212-1), from the journal."""
    if request.status not in (Status.ACCEPTED, Status.REJECTED):
        return None
    payload = (
        request.journal.filter(action__in=("accepted", "rejected"))
        .order_by("-seq")
        .values_list("payload", flat=True)
        .first()
    )
    return (payload or {}).get("signatory")


def pieces_letter_pdf(request: Request, piece: PieceRequest) -> tuple[str, bytes]:
    """The letter asking for the pieces of ``piece`` (CRPA L114-5), attached to the
    citizen's notice: rendered and sealed, so with no transaction open (portal.seal)."""
    number = request.piece_requests.filter(pk__lte=piece.pk).count()
    context = {
        **document_context(request),
        "pending_pieces": [piece],
        "pieces_effect": pieces_effect(request, piece),
    }
    content = pdf_issue(
        "sve/pdf/pieces.html",
        context,
        reason=f"Demande de pièces — demande {request.reference}",
    )
    return f"demande-de-pieces-{request.reference}-{number}.pdf", content


def pieces_letter_issue(*, piece_request_id: int) -> bool:
    """The letter of one request for pieces, owed to the citizen (portal/owed kind
    ``sve.pieces``): rendered and sealed with no transaction open, then recorded for the
    verification page, mailed and journalled in one short transaction holding only the
    owed row's lock (lock order: sve/services/common.py). Once per request for pieces,
    whatever the number of runs; False when sent already or the citizen left no e-mail."""
    piece = PieceRequest.objects.filter(pk=piece_request_id).first()
    if piece is None:
        return False
    request = Request.objects.select_related("form_version").get(pk=piece.request_id)
    # The step's own object keeps the notice of a second request for pieces apart.
    marker = {"event": "pieces_requested", "ref": piece.pk}
    sent = request.journal.filter(action="citizen_notified", payload=marker)
    if sent.exists():  # sent before this letter became owed, or by another run
        owed_settle(kind=PIECES, subject_id=piece.pk)
        return False
    letter = pieces_letter_pdf(request, piece) if request.email else None
    context = document_context(request)
    with owed_issuing(kind=PIECES, subject_id=piece.pk) as owed:
        if not owed or letter is None or sent.exists():
            return False
        filename, content = letter
        sealed_record(
            content=content,
            kind=PIECES,
            label="Demande de pièces complémentaires",
            reference=request.reference,
        )
        email_send(
            request=request,
            subject=f"{NOTICE_SUBJECTS['pieces_requested']} — {request.reference}",
            template="notice_pieces_requested",
            context=context,
            attachments=((filename, content, "application/pdf"),),
        )
        # Last lock of the transaction: the journal anchor.
        journal_extend(entries=[_document_entry(request, "citizen_notified", marker)])
    return True


def decision_preview_text(*, request: Request, signatory: dict, accept: bool, reasons: str) -> str:
    """The decision letter's text as it will be sent, before it is (issue 24 §2: the agent
    reads it and confirms); the same template as the PDF, nothing written."""
    from copy import copy

    from django.utils.html import strip_tags

    draft = copy(request)
    draft.status = Status.ACCEPTED if accept else Status.REJECTED
    draft.decided_at = timezone.now()
    draft.decision_reasons = (reasons or "").strip()
    context = {**document_context(draft), "signatory": signatory}
    html = render_to_string("sve/pdf/decision.html", context)
    body = html.split("<body", 1)[-1].split(">", 1)[-1]
    lines = (" ".join(line.split()) for line in strip_tags(body.replace("<br>", "\n")).splitlines())
    return "\n".join(line for line in lines if line)


def document_context(request: Request) -> dict:
    commune = connection.tenant
    insee = current_insee_code()
    version = request.form_version
    filenames = {
        d.field_name: d.filename
        for d in request.documents.filter(kind=Document.Kind.UPLOAD).only("field_name", "filename")
    }
    today = timezone.localdate()
    decided_on = timezone.localdate(request.decided_at) if request.decided_at else today
    if request.status == Status.IMPLICITLY_REJECTED:
        # CJA R421-2: two months from the implicit refusal; CRPA L112-6: not opposable when
        # no AR was sent.
        appeal = deadlines.appeal_deadline(
            notified_on=request.implicit_decision_on,
            ar_complete=request.acknowledged_at is not None,
        )
    else:
        appeal = deadlines.appeal_deadline(notified_on=decided_on)
    return {
        "req": request,
        "version": version,
        "commune": commune,
        "letterhead": collectivite_letterhead(collectivite=commune),
        "lines": summary(version.fields, request.data, filenames),
        "is_sva": request.regime == Regime.SVA,
        "ar_due_on": request.ar_due_on,
        "aee_due_on": deadlines.aee_due_on(request.received_on, insee_code=insee),
        "pending_pieces": request.piece_requests.filter(completed_on__isnull=True),
        "appeal_deadline": appeal,
        "appeal_delay": deadlines.in_words(deadlines.APPEAL_MONTHS, "mois"),
        "ar_delay": deadlines.in_words(deadlines.AR_WORKING_DAYS, "jours ouvrés"),
        "ar_delay_article": deadlines.AR_DELAY_ARTICLE,
        "pieces_effect": pieces_effect(request),
        "signatory": decision_signatory(request),
        "tracking_url": tracking_url(request),
        "verify_url": verify_url(site_url=commune.primary_url()),
        "issued_on": today,
    }


def email_send(
    *, request: Request, subject: str, template: str, context: dict, attachments: tuple = ()
) -> None:
    context = {
        **context,
        "req": request,
        "commune": connection.tenant,
        "tracking_url": tracking_url(request),
    }
    text = render_to_string(f"sve/email/{template}.txt", context)
    html = render_to_string(f"sve/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=f"[{connection.tenant.name}] {subject}",
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[request.email],
    )
    message.attach_alternative(html, "text/html")
    for attachment in attachments:
        message.attach(*attachment)
    message.send()


def _document_render(request: Request, kind: str, context: dict) -> tuple[str, bytes]:
    slug, title = KIND_FILES[kind]
    content = pdf_issue(
        f"sve/pdf/{kind}.html", context, reason=f"{title} — demande {request.reference}"
    )
    return f"{slug}-{request.reference}.pdf", content


def _document_entry(request: Request, action: str, payload: dict) -> JournalEntry:
    return JournalEntry(
        request_id=request.pk,
        actor_label="système",
        action=action,
        payload=payload,
        created_at=timezone.now(),
    )


def document_issue(*, request_id: int, kind: str, send: bool = True) -> Document | None:
    """Issue one document of a request; None if already issued or not due.

    Every kind follows portal/owed, in the worker: the PDF is rendered and sealed with no
    transaction open, then stored, mailed and journalled in one short transaction that holds
    only the owed row's lock (lock order: sve/services/common.py), so the document and its
    mail go out exactly once whatever the number of runs. ``send=False`` (the attestation,
    downloaded from the tracking page) stores it once, unmailed."""
    request = Request.objects.select_related("form_version").filter(pk=request_id).first()
    if request is None or request.status not in ISSUABLE[kind]:
        return None
    existing = Document.objects.filter(request=request, kind=kind).defer("content").first()
    owed_kind = OWED_KIND[kind]
    if existing is not None and not owed_pending(subject_id=request.pk, kinds=[owed_kind]):
        return None
    context = document_context(request)
    if existing is None:
        filename, content = _document_render(request, kind, context)
    with owed_issuing(kind=owed_kind, subject_id=request.pk) as owed:
        if not owed:
            return None
        document = Document.objects.filter(request=request, kind=kind).first()
        entries = []
        if document is None:
            document, entries = _document_store(request, kind, filename, content)
        _, title = KIND_FILES[kind]
        if send and request.email:
            email_send(
                request=request,
                subject=f"{title} — demande {request.reference}",
                template=kind,
                context=context,
                attachments=((document.filename, bytes(document.content), "application/pdf"),),
            )
            entries.append(
                _document_entry(request, "email_sent", {"kind": kind, "to": request.email})
            )
        # Last lock of the transaction: the journal anchor.
        journal_extend(entries=entries)
    return document


def _document_store(
    request: Request, kind: str, filename: str, content: bytes
) -> tuple[Document, list[JournalEntry]]:
    document = Document.objects.create(
        request=request,
        kind=kind,
        filename=filename,
        content_type="application/pdf",
        size=len(content),
        content=content,
    )
    _, title = KIND_FILES[kind]
    sealed_record(content=content, kind=f"sve.{kind}", label=title, reference=request.reference)
    payload = {"kind": kind, "document": document.pk, "size": len(content)}
    return document, [_document_entry(request, "document_issued", payload)]


NOTICE_SUBJECTS = {
    "pieces_requested": "Votre demande est incomplète",
    "message": "Nouveau message sur votre demande",
    "closed": "Votre demande a été classée sans suite",
    "handled": "Votre demande a été traitée",
    "implicitly_accepted": "Votre demande est acceptée implicitement",
    "implicitly_rejected": "Votre demande est refusée implicitement",
}
IMPLICIT_EVENTS = {
    Status.IMPLICITLY_ACCEPTED: "implicitly_accepted",
    Status.IMPLICITLY_REJECTED: "implicitly_rejected",
}


def implicit_notice_issue(*, request_id: int) -> bool:
    """The owed notice of an implicit decision (portal/owed kind ``sve.implicit_notice``)."""
    status = Request.objects.filter(pk=request_id).values_list("status", flat=True).first()
    if status not in IMPLICIT_EVENTS:
        return False
    with owed_issuing(kind=IMPLICIT_NOTICE, subject_id=request_id) as owed:
        if not owed:
            return False
        return citizen_notify(request_id=request_id, event=IMPLICIT_EVENTS[status])


@transaction.atomic
def citizen_notify(*, request_id: int, event: str) -> bool:
    """Tell the citizen about a step (message, closure, implicit decision) in an e-mail with
    no document (a request for pieces has its letter: ``pieces_letter_issue``); sent once
    per step (the journal records it). The request row is not locked: copies of one notice
    are serialised by a transaction-level advisory lock that no page waits on."""
    request = Request.objects.select_related("form_version").get(pk=request_id)
    if not request.email:
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))",
            [f"{connection.schema_name}:sve.citizen_notify:{request_id}:{event}"],
        )
    # The step's own object keeps a notice for a second message or request for pieces apart.
    marker: dict = {"event": event}
    if event == "message":
        marker["ref"] = (
            request.messages.filter(from_agent=True, internal=False)
            .order_by("-id")
            .values_list("pk", flat=True)
            .first()
        )
    if request.journal.filter(action="citizen_notified", payload=marker).exists():
        return False
    email_send(
        request=request,
        subject=f"{NOTICE_SUBJECTS[event]} — {request.reference}",
        template=f"notice_{event}",
        context=document_context(request),
    )
    journal_append(
        request=request, actor_label="système", action="citizen_notified", payload=marker
    )
    return True


# A draft's resume link is signed and expires: whoever holds it may continue the draft.
DRAFT_RESUME_SALT = "sve.draft-resume"
DRAFT_RESUME_DAYS = 30


def draft_resume_url(request: Request) -> str:
    from django.core.signing import TimestampSigner

    signed = TimestampSigner(salt=DRAFT_RESUME_SALT).sign(request.access_token)
    path = reverse("sve:fill", args=[request.form.slug]) + f"?reprendre={signed}"
    return connection.tenant.primary_url().rstrip("/") + path


def draft_resume_token(signed: str) -> str | None:
    """The draft's access token from a resume link, or None if forged or expired."""
    from django.core.signing import BadSignature, TimestampSigner

    try:
        return TimestampSigner(salt=DRAFT_RESUME_SALT).unsign(
            signed, max_age=DRAFT_RESUME_DAYS * 24 * 3600
        )
    except BadSignature:  # SignatureExpired is one
        return None


def draft_resume_send(*, request_id: int) -> bool:
    """E-mail a citizen without an account the link to resume their draft (they cannot see
    "Mes demandes"). Sent for each save: the latest link is the one to keep."""
    from django.core.mail import EmailMessage

    request = (
        Request.objects.select_related("form_version", "form")
        .filter(pk=request_id, status=Status.DRAFT)
        .first()
    )
    if request is None or not request.email:
        return False
    body = render_to_string(
        "sve/email/draft_resume.txt",
        {
            "req": request,
            "commune": connection.tenant,
            "resume_url": draft_resume_url(request),
            "days": DRAFT_RESUME_DAYS,
        },
    )
    EmailMessage(
        subject=f"[{connection.tenant.name}] Reprendre votre brouillon « {request.form_version.title} »",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[request.email],
    ).send()
    return True
