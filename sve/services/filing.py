"""Filing: drafts and submission of a request (with or without an account)."""

import secrets

from django.db import transaction
from django.utils import timezone

from portal.calendar import current_insee_code
from portal.db import retry_on_deadlock
from sve import deadlines
from sve.journal import journal_append
from sve.models import Document, Form, Request, Status
from sve.owed import OWED_KIND
from sve.services.common import (
    SveError,
    documents_from_uploads,
    on_commit_task,
    owe,
)
from tenants.services.activity import account_activity_record

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
IDENTITY_FIELDS = ("last_name", "first_name", "postal_address", "email")


def reference_new() -> str:
    year = timezone.localdate().year
    return f"{year}-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def _store_files(request: Request, files: dict) -> None:
    if not files:
        return
    # A draft's earlier file for the same field is replaced.
    Document.objects.filter(
        request=request, kind=Document.Kind.UPLOAD, field_name__in=list(files)
    ).delete()
    documents_from_uploads(request=request, kind=Document.Kind.UPLOAD, files=files)


def _fill(request: Request, *, user, session_key: str, identity: dict, data: dict) -> None:
    request.user = user if user is not None and user.is_authenticated else None
    request.session_key = session_key or ""
    for name in IDENTITY_FIELDS:
        setattr(request, name, (identity.get(name) or "").strip())
    request.data = data


def _draft_for(form: Form, draft: Request | None) -> Request:
    if draft is None:
        return Request(
            form=form,
            form_version=form.current_version,
            access_token=secrets.token_urlsafe(32),
        )
    draft = Request.objects.select_for_update(no_key=True, of=("self",)).get(pk=draft.pk)
    if draft.status != Status.DRAFT:
        raise SveError("Cette demande a déjà été déposée.", code="bad_status")
    return draft


@retry_on_deadlock
@transaction.atomic
def request_save_draft(
    *,
    form: Form,
    acting_user,
    session_key: str = "",
    identity: dict,
    data: dict,
    files: dict | None = None,
    draft: Request | None = None,
) -> Request:
    """Keep a draft (nothing legal starts: no reference, no receipt)."""
    if not form.is_enabled:
        raise SveError("Ce formulaire n'est pas en ligne.", code="form_disabled")
    request = _draft_for(form, draft)
    _fill(request, user=acting_user, session_key=session_key, identity=identity, data=data)
    created = request.pk is None
    request.save()
    _store_files(request, files or {})
    account_activity_record(user_id=request.user_id, requests=int(created))
    if not (acting_user and acting_user.is_authenticated) and request.email:
        # Without an account there is no "Mes demandes": the resume link goes by e-mail.
        from sve import tasks

        on_commit_task(tasks.draft_resume_send, request.pk)
    return request


@retry_on_deadlock
@transaction.atomic
def request_submit(
    *,
    form: Form,
    acting_user,
    session_key: str = "",
    identity: dict,
    data: dict,
    files: dict | None = None,
    draft: Request | None = None,
) -> Request:
    """File a request: it gets its reference and receipt time at once; the AEE (PDF and
    e-mail) is owed from now on and produced by a worker after commit (CRPA L112-11,
    R112-11-2)."""
    if not form.is_enabled or form.current_version_id is None:
        raise SveError("Ce formulaire n'est pas en ligne.", code="form_disabled")
    missing = [name for name in IDENTITY_FIELDS if not (identity.get(name) or "").strip()]
    if missing:
        # CRPA R112-9-1: name, first name, postal address and e-mail of the applicant.
        raise SveError(
            "Indiquez vos nom, prénom, adresse postale et adresse électronique.",
            code="identity_missing",
        )
    request = _draft_for(form, draft)
    _fill(request, user=acting_user, session_key=session_key, identity=identity, data=data)
    now = timezone.now()
    request.form_version = form.current_version
    request.status = Status.SUBMITTED
    request.reference = reference_new()
    request.received_at = now
    request.received_on = timezone.localdate(now)
    request.regime = form.current_version.regime
    request.ar_due_on = deadlines.ar_due_on(request.received_on, insee_code=current_insee_code())
    # A draft has no request for pieces: the delay runs from receipt.
    request.implicit_decision_on = deadlines.implicit_decision_on(
        regime=request.regime,
        received_on=request.received_on,
        delay_months=request.form_version.delay_months,
        delay_days=request.form_version.delay_days,
        asks_decision=request.form_version.asks_decision,
    )
    created = request.pk is None
    request.save()
    _store_files(request, files or {})
    # In this transaction: "Mes demandes" reads only the communes recorded (issue 14).
    account_activity_record(user_id=request.user_id, requests=int(created))
    journal_append(
        request=request,
        acting_user=request.user,
        actor_label="" if request.user else f"usager {request.email}",
        action="submitted",
        payload={
            "reference": request.reference,
            "form": form.slug,
            "version": request.form_version.number,
            "received_at": now.isoformat(),
        },
    )
    owe(OWED_KIND[Document.Kind.AEE], request)
    return request
