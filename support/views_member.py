"""A member's assistance pages (its back office, any active membership): file, follow,
reply, confirm; the help suggested while typing."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from portal.permissions import member_required
from support import clock, selectors, services
from support.forms import FileForm, ReplyForm
from support.models import HelpArticle, SupportAttachment
from support.views_desk import _file_response


@member_required
def request_list(request):
    return render(
        request,
        "support/member_list.html",
        {"requests": selectors.member_requests(collectivite=request.tenant)},
    )


@member_required
def request_file(request):
    form = FileForm(request.POST or None, request.FILES or None, collectivite=request.tenant)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            filed = services.support_request_file(
                collectivite=request.tenant,
                user=request.user,
                kind=data["kind"],
                application=data["application"],
                subject=data["subject"],
                description=data["description"],
                files=data["files"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("support:request", reference=filed.reference)
    context = {"form": form, "promise": clock.TAKE_INTO_ACCOUNT_PROMISE}
    return render(request, "support/member_file.html", context)


def _own(request, reference):
    found = selectors.member_request_get(collectivite=request.tenant, reference=reference)
    if found is None:
        raise Http404
    return found


@member_required(conceal=True)
def request_detail(request, reference):
    return _request_page(request, _own(request, reference))


def _request_page(request, support_request, *, reply_form=None, status: int = 200):
    """The request's page; ``reply_form``: a refused reply sent back as typed, its errors
    beside its fields (issue 24 §2)."""
    context = {
        "req": support_request,
        "thread": selectors.request_messages(request=support_request, for_desk=False),
        "reply_form": reply_form or ReplyForm(),
    }
    return render(request, "support/member_request.html", context, status=status)


def _reply(request, support_request):
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.support_request_reply(
                request=support_request,
                user=request.user,
                body=form.cleaned_data["body"],
                from_desk=False,
                files=form.cleaned_data["files"],
            )
        except ValidationError as error:
            form.add_error(None, error)
    if not form.is_valid():
        return _request_page(request, support_request, reply_form=form, status=400)
    return None


def _confirm(request, support_request, *, reopen: bool):
    services.support_request_confirm(request=support_request, user=request.user, reopen=reopen)


# The request page's buttons: each calls one service; a response is a refused form.
MEMBER_ACTIONS = {
    "reply": _reply,
    "confirm": lambda request, support_request: _confirm(request, support_request, reopen=False),
    "reopen": lambda request, support_request: _confirm(request, support_request, reopen=True),
}


@member_required(conceal=True)
@require_POST
def request_act(request, reference):
    support_request = _own(request, reference)
    action = MEMBER_ACTIONS.get(request.POST.get("action"))
    try:
        if action is None:
            raise ValidationError("Action inconnue.")
        refused = action(request, support_request)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        if refused is not None:
            return refused
        messages.success(request, "C'est enregistré.")
    return redirect("support:request", reference=reference)


@member_required(conceal=True)
def attachment(request, reference, pk):
    support_request = _own(request, reference)
    item = get_object_or_404(
        SupportAttachment.objects.exclude(message__kind="note"),
        pk=pk,
        message__request=support_request,
    )
    return _file_response(item)


@member_required
def help_suggest(request):
    """Articles matching what the member is typing (JSON for the filing page's script)."""
    articles = selectors.help_search(
        query=request.GET.get("q", "")[:2000], application=request.GET.get("application", "")
    )
    return JsonResponse(
        {
            "articles": [
                {"title": a.title, "url": f"/gestion/assistance/aide/{a.pk}/"} for a in articles
            ]
        }
    )


@member_required
def help_index(request):
    query = request.GET.get("q", "")[:200]
    articles = (
        selectors.help_search(query=query, limit=30)
        if query.strip()
        else HelpArticle.objects.filter(is_published=True)[:100]
    )
    return render(request, "support/member_help.html", {"articles": articles, "query": query})


@member_required
def help_article(request, pk):
    article = get_object_or_404(HelpArticle, pk=pk, is_published=True)
    return render(request, "support/member_help_article.html", {"article": article})
