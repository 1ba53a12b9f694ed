"""Citizens' pages: the catalogue, filing, following a request, their requests everywhere."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from portal import limits
from sve import documents as sve_documents
from sve import owed as sve_owed
from sve import selectors, services
from sve.fields import (
    build_form_class,
    cleaned_to_data,
    data_to_initial,
    form_layout,
    group_counts,
    group_rows_edit,
    raw_values,
    summary,
)
from sve.forms import CompleteForm, IdentityForm, MessageForm
from sve.models import Document, Form, Request, Status
from sve.services import SveError
from sve.views.common import error_messages, file_response


def catalogue(request):
    return render(request, "sve/catalogue.html", {"forms": selectors.forms_online_cached()})


def _draft(request, form, token):
    if not token:
        return None
    draft = get_object_or_404(Request, access_token=token, status=Status.DRAFT, form=form)
    if draft.user_id and draft.user_id != request.user.pk:
        raise Http404
    return draft


def _draft_saved_message(user, draft) -> str:
    if user.is_authenticated:
        return "Brouillon enregistré. Vous pouvez le reprendre depuis « Mes demandes »."
    if draft.email:
        return f"Brouillon enregistré. Un lien pour le reprendre vous est envoyé à {draft.email}."
    return (
        "Brouillon enregistré. Indiquez votre adresse électronique et enregistrez à nouveau "
        "pour recevoir un lien de reprise, ou gardez l'adresse de cette page."
    )


@limits.limit(
    "filing",
    account=limits.user_or_email("id-email"),
    # The row buttons of repeatable groups only redraw the page: not counted.
    when=lambda request: not request.POST.get("action", "").startswith(("ajouter:", "supprimer:")),
)
def form_fill(request, slug):
    form = get_object_or_404(Form, slug=slug, is_enabled=True, current_version__isnull=False)
    version = form.current_version
    token = request.GET.get("brouillon") or request.POST.get("brouillon") or ""
    if "reprendre" in request.GET:
        # The signed link e-mailed to a citizen without an account (expires).
        token = sve_documents.draft_resume_token(request.GET["reprendre"]) or ""
        if not token:
            messages.error(request, "Ce lien de reprise a expiré ou n'est pas valide.")
            return redirect("sve:fill", slug=slug)
        return redirect(reverse("sve:fill", args=[slug]) + f"?brouillon={token}")
    draft = _draft(request, form, token)
    saving_draft = request.POST.get("action") == "brouillon"
    existing = (
        {d.field_name: d.filename for d in draft.documents.filter(kind=Document.Kind.UPLOAD)}
        if draft
        else {}
    )
    action = request.POST.get("action", "")
    files_dropped = False
    if request.method == "POST" and action.startswith(("ajouter:", "supprimer:")):
        # A row button of a repeatable group (no JavaScript needed): the same page again, one
        # row more or less, with what was typed; nothing is validated or saved.
        rows = group_counts(version.fields, request.POST, prefix="f-")
        typed = build_form_class(version.fields, draft=True, rows=rows)(request.POST, prefix="f")
        rows, values = group_rows_edit(
            version.fields, rows=rows, values=raw_values(typed), action=action
        )
        data_form = build_form_class(version.fields, rows=rows)(prefix="f", initial=values)
        identity = IdentityForm(
            prefix="id", initial=raw_values(IdentityForm(request.POST, prefix="id"))
        )
        files_dropped = any(f.name for f in request.FILES.values())
    elif request.method == "POST":
        rows = group_counts(version.fields, request.POST, prefix="f-")
        DataForm = build_form_class(version.fields, draft=saving_draft, rows=rows)
        data_form = DataForm(request.POST, request.FILES, prefix="f")
        identity = IdentityForm(request.POST, prefix="id")
        for name in existing:
            if name in data_form.fields:
                data_form.fields[name].required = False
        if saving_draft:
            for field in identity.fields.values():
                field.required = False
        if data_form.is_valid() and identity.is_valid():
            data, files = cleaned_to_data(version.fields, data_form.cleaned_data)
            if not request.session.session_key:
                request.session.save()
            kwargs = {
                "form": form,
                "user": request.user,
                "session_key": request.session.session_key,
                "identity": identity.cleaned_data,
                "data": data,
                "files": files,
                "draft": draft,
            }
            try:
                if saving_draft:
                    saved = services.request_save_draft(**kwargs)
                    messages.success(
                        request,
                        _draft_saved_message(request.user, saved),
                    )
                    return redirect(
                        reverse("sve:fill", args=[form.slug]) + f"?brouillon={saved.access_token}"
                    )
                filed = services.request_submit(**kwargs)
            except SveError as exc:
                for message in error_messages(exc):
                    data_form.add_error(None, message)
            else:
                messages.success(request, f"Votre demande {filed.reference} est enregistrée.")
                return redirect("sve:track", token=filed.access_token)
    else:
        initial_identity = {}
        if draft:
            initial_identity = {
                n: getattr(draft, n) for n in ("last_name", "first_name", "postal_address", "email")
            }
        elif request.user.is_authenticated:
            initial_identity = {
                "last_name": request.user.last_name,
                "first_name": request.user.first_name,
                "email": request.user.email,
            }
        initial = data_to_initial(version.fields, draft.data if draft else {})
        rows = group_counts(version.fields, initial)
        data_form = build_form_class(version.fields, rows=rows)(prefix="f", initial=initial)
        identity = IdentityForm(prefix="id", initial=initial_identity)
    return render(
        request,
        "sve/fill.html",
        {
            "form_obj": form,
            "version": version,
            "data_form": data_form,
            "layout": form_layout(data_form, version.fields),
            "identity": identity,
            "draft": draft,
            "existing": existing,
            "files_dropped": files_dropped,
        },
    )


def _tracked(token):
    return get_object_or_404(
        Request.objects.select_related("form_version").exclude(status=Status.DRAFT),
        access_token=token,
    )


def _track_page(request, req, *, message_form=None, complete_form=None, status=200):
    """The tracking page; a form sent back with an error keeps what the citizen typed."""
    docs = list(req.documents.defer("content"))
    uploads = {d.field_name: d.filename for d in docs if d.kind == Document.Kind.UPLOAD}
    return render(
        request,
        "sve/track.html",
        {
            "req": req,
            "lines": summary(req.form_version.fields, req.data, uploads),
            "issued": [d for d in docs if d.kind in Document.ISSUED],
            "owed": sve_owed.request_owed_labels(req),
            "sent": [d for d in docs if d.kind not in Document.ISSUED],
            "has_aee": any(d.kind == Document.Kind.AEE for d in docs),
            "has_ar": any(d.kind == Document.Kind.AR for d in docs),
            "thread": req.messages.filter(internal=False).prefetch_related("attachments"),
            "pending_pieces": req.piece_requests.filter(completed_on__isnull=True),
            "outlook": selectors.request_outlook(req),
            "attestation_available": req.status
            in sve_documents.ISSUABLE[Document.Kind.ATTESTATION],
            "message_form": message_form or MessageForm(),
            "complete_form": complete_form or CompleteForm(),
        },
        status=status,
    )


def track(request, token):
    return _track_page(request, _tracked(token))


def track_document(request, token, document_id):
    req = _tracked(token)
    document = get_object_or_404(Document, pk=document_id, request=req)
    if document.message_id and document.message.internal:
        raise Http404
    return file_response(document)


@require_POST
def track_message(request, token):
    req = _tracked(token)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        files = (
            {"attachment": form.cleaned_data["attachment"]}
            if form.cleaned_data.get("attachment")
            else {}
        )
        try:
            services.message_post(
                request=req,
                actor=request.user,
                body=form.cleaned_data["body"],
                from_agent=False,
                files=files,
            )
            messages.success(request, "Message envoyé.")
            return redirect("sve:track", token=token)
        except SveError as exc:
            form.add_error(None, exc)
    # The message stays as typed (a refused file is named in the error).
    return _track_page(request, req, message_form=form, status=400)


@require_POST
def track_complete(request, token):
    req = _tracked(token)
    form = CompleteForm(request.POST, request.FILES)
    if form.is_valid():
        files = {"piece": form.cleaned_data["piece"]} if form.cleaned_data.get("piece") else {}
        try:
            services.request_complete(
                request=req,
                actor=request.user,
                token=token,
                files=files,
                comment=form.cleaned_data["comment"],
            )
            messages.success(request, "Merci : votre demande est complétée.")
            return redirect("sve:track", token=token)
        except SveError as exc:
            form.add_error(None, exc)
    # The comment stays as typed; a chosen file must be chosen again (browsers forbid
    # setting it), which the error says.
    return _track_page(request, req, complete_form=form, status=400)


@require_POST
def track_attestation(request, token):
    """CRPA L232-3: the attestation of implicit acceptance, delivered on request."""
    req = _tracked(token)
    if req.status != Status.IMPLICITLY_ACCEPTED:
        messages.error(request, "Aucune décision implicite d'acceptation pour cette demande.")
        return redirect("sve:track", token=token)
    sve_documents.document_issue(request_id=req.pk, kind=Document.Kind.ATTESTATION, send=False)
    document = Document.objects.get(request=req, kind=Document.Kind.ATTESTATION)
    return redirect("sve:track_document", token=token, document_id=document.pk)


@login_required
def my_requests(request):
    return render(
        request, "sve/my_requests.html", {"requests": selectors.citizen_requests(user=request.user)}
    )
