"""Citizens' pages: the catalogue, filing, following a request, their requests everywhere."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from portal import limits
from sve import documents as sve_documents
from sve import filling, selectors, services
from sve import owed as sve_owed
from sve.fields import form_layout, summary
from sve.forms import CompleteForm, MessageForm
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


def _draft_resume(request, slug):
    """The signed link e-mailed to a citizen without an account (expires)."""
    token = sve_documents.draft_resume_token(request.GET["reprendre"]) or ""
    if not token:
        messages.error(request, "Ce lien de reprise a expiré ou n'est pas valide.")
        return redirect("sve:fill", slug=slug)
    return redirect(reverse("sve:fill", args=[slug]) + f"?brouillon={token}")


def _filed(request, form, draft, forms: filling.FillForms, *, saving_draft: bool):
    """Keep the draft or file the request, then the page that follows; None when a service
    refused (its message then heads the form)."""
    if not request.session.session_key:
        request.session.save()
    service = services.request_save_draft if saving_draft else services.request_submit
    try:
        saved = service(
            form=form,
            acting_user=request.user,
            session_key=request.session.session_key,
            draft=draft,
            **forms.filing_input(form.current_version),
        )
    except SveError as exc:
        for message in error_messages(exc):
            forms.data_form.add_error(None, message)
        return None
    if saving_draft:
        messages.success(request, _draft_saved_message(request.user, saved))
        return redirect(reverse("sve:fill", args=[form.slug]) + f"?brouillon={saved.access_token}")
    messages.success(request, f"Votre demande {saved.reference} est enregistrée.")
    return redirect("sve:track", token=saved.access_token)


def _fill_page(request, form, draft, forms: filling.FillForms, existing: dict):
    context = {
        "form_obj": form,
        "version": form.current_version,
        "data_form": forms.data_form,
        "layout": form_layout(forms.data_form, form.current_version.fields),
        "identity": forms.identity,
        "draft": draft,
        "existing": existing,
        "files_dropped": forms.files_dropped,
    }
    return render(request, "sve/fill.html", context)


@limits.limit(
    "filing",
    account=limits.user_or_email("id-email"),
    # The row buttons of repeatable groups only redraw the page: not counted.
    when=lambda request: not filling.row_button(request.POST.get("action", "")),
)
def form_fill(request, slug):
    form = get_object_or_404(Form, slug=slug, is_enabled=True, current_version__isnull=False)
    if "reprendre" in request.GET:
        return _draft_resume(request, slug)
    draft = _draft(request, form, request.GET.get("brouillon") or request.POST.get("brouillon"))
    existing = filling.draft_uploads(draft)
    action, version = request.POST.get("action", ""), form.current_version
    if request.method != "POST":
        forms = filling.fill_forms_initial(version, draft=draft, user=request.user)
    elif filling.row_button(action):
        forms = filling.fill_forms_redrawn(version, request.POST, request.FILES, action=action)
    else:
        saving_draft = action == "brouillon"
        forms = filling.fill_forms_posted(
            version, request.POST, request.FILES, saving_draft=saving_draft, existing=existing
        )
        if forms.is_valid() and (
            done := _filed(request, form, draft, forms, saving_draft=saving_draft)
        ):
            return done
    return _fill_page(request, form, draft, forms, existing)


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
                acting_user=request.user,
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
                acting_user=request.user,
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


ATTESTATION_PENDING = (
    "Votre attestation est en cours de préparation : elle sera disponible sur cette page"
    " dans quelques instants."
)


@require_POST
def track_attestation(request, token):
    """CRPA L232-3: the attestation of implicit acceptance, delivered on request."""
    req = _tracked(token)
    if req.status != Status.IMPLICITLY_ACCEPTED:
        messages.error(request, "Aucune décision implicite d'acceptation pour cette demande.")
        return redirect("sve:track", token=token)
    attestation = Document.objects.filter(request=req, kind=Document.Kind.ATTESTATION)
    document_id = attestation.values_list("pk", flat=True).first()
    if document_id is None:  # the worker makes and seals it (issue 26): owed, ready shortly
        services.attestation_owe(request=req)
        messages.info(request, ATTESTATION_PENDING)
        return redirect("sve:track", token=token)
    return redirect("sve:track_document", token=token, document_id=document_id)


@login_required
def my_requests(request):
    return render(
        request, "sve/my_requests.html", {"requests": selectors.citizen_requests(user=request.user)}
    )
