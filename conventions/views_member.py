"""The commune admin's agreements in its back office (member host): read them and their
PDFs, give notice, ask for an avenant. Another commune's convention is a 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from conventions import selectors, services
from conventions.forms import MemberAmendmentForm, MemberNoticeForm
from conventions.models import Convention, Document
from conventions.views import document_response
from portal.permissions import member_required


def _own(request, pk) -> Convention:
    return get_object_or_404(
        Convention.objects.select_related("model", "collectivite").exclude(state="draft"),
        pk=pk,
        collectivite_id=request.tenant.pk,
    )


@member_required(admin=True)
def convention_list(request):
    rows = selectors.conventions_page(today=timezone.localdate(), collectivite_id=request.tenant.pk)
    return render(
        request,
        "conventions/member_list.html",
        {"rows": [c for c in rows if c.state != Convention.State.DRAFT]},
    )


@member_required(admin=True, conceal=True)
def convention_detail(request, pk):
    return _detail_page(request, _own(request, pk))


def _detail_page(request, convention, *, bound: dict | None = None, status: int = 200):
    """The agreement's page; ``bound``: a refused form sent back as typed, with its errors
    beside its fields (issue 24 §2)."""
    return render(
        request,
        "conventions/member_detail.html",
        {
            "convention": convention,
            "deadlines": selectors.convention_deadlines(convention, today=timezone.localdate()),
            "coverages": convention.coverages.select_related("application"),
            "documents": convention.documents.defer("content").filter(issued_at__isnull=False),
            "notices": convention.notices.all(),
            "amendments": convention.amendments.all(),
            "actions": services.convention_actions(convention),
            "notice_form": MemberNoticeForm(),
            "amendment_form": MemberAmendmentForm(convention=convention),
            **(bound or {}),
        },
        status=status,
    )


@member_required(admin=True, conceal=True)
def document_download(request, pk, document_pk):
    convention = _own(request, pk)
    return document_response(get_object_or_404(Document, convention=convention, pk=document_pk))


def _done(request, convention, text: str):
    messages.success(request, text)
    return redirect("conventions_member:detail", pk=convention.pk)


def _refused(request, convention, name: str, form, exc: ValidationError | None = None):
    """The page again with ``form`` as typed: its errors beside its fields, the service's
    refusal above them; nothing was written."""
    if exc is not None:
        form.add_error(None, exc)
    messages.error(request, "Rien n'a été transmis : corrigez ce qui est signalé ci-dessous.")
    return _detail_page(request, convention, bound={name: form}, status=400)


@member_required(admin=True, conceal=True)
@require_POST
def notice_file(request, pk):
    convention = _own(request, pk)
    form = MemberNoticeForm(request.POST, request.FILES)
    if not form.is_valid():
        return _refused(request, convention, "notice_form", form)
    try:
        notice = services.notice_record(
            convention=convention,
            party="member",
            received_on=timezone.localdate(),
            means="portal",
            reason=form.cleaned_data["reason"],
            letter=form.cleaned_data["letter"],
            acting_user=request.user,
            from_member=True,
        )
    except ValidationError as exc:
        return _refused(request, convention, "notice_form", form, exc)
    late = "" if notice.on_time else " (hors délai pour l'échéance en cours)"
    return _done(
        request,
        convention,
        f"Dénonciation transmise{late} : la convention prendra fin le {notice.ends_on:%d/%m/%Y}.",
    )


@member_required(admin=True, conceal=True)
@require_POST
def amendment_file(request, pk):
    convention = _own(request, pk)
    form = MemberAmendmentForm(request.POST, convention=convention)
    if not form.is_valid():
        return _refused(request, convention, "amendment_form", form)
    data = form.cleaned_data
    try:
        amendment = services.amendment_request(
            convention=convention,
            add=list(data["add"]),
            remove=list(data["remove"]),
            requested_on=timezone.localdate(),
            effective_on=data["effective_on"],
            note=data["note"],
            acting_user=request.user,
        )
    except ValidationError as exc:
        return _refused(request, convention, "amendment_form", form, exc)
    return _done(
        request,
        convention,
        f"Demande d'avenant n°{amendment.number} transmise : réponse au plus tard le"
        f" {amendment.answer_due_on:%d/%m/%Y}.",
    )
