"""A member's assistance pages (its back office, any active membership): file, follow,
reply, confirm; the help suggested while typing."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from portal.permissions import member_required
from support import selectors, services
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
    return render(request, "support/member_file.html", {"form": form})


def _own(request, reference):
    found = selectors.member_request_get(collectivite=request.tenant, reference=reference)
    if found is None:
        raise Http404
    return found


@member_required(conceal=True)
def request_detail(request, reference):
    support_request = _own(request, reference)
    return render(
        request,
        "support/member_request.html",
        {
            "req": support_request,
            "thread": selectors.request_messages(request=support_request, for_desk=False),
            "reply_form": ReplyForm(),
        },
    )


@member_required(conceal=True)
@require_POST
def request_act(request, reference):
    support_request = _own(request, reference)
    action = request.POST.get("action")
    try:
        if action == "reply":
            form = ReplyForm(request.POST, request.FILES)
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            services.support_request_reply(
                request=support_request,
                user=request.user,
                body=form.cleaned_data["body"],
                from_desk=False,
                files=form.cleaned_data["files"],
            )
        elif action in ("confirm", "reopen"):
            services.support_request_confirm(
                request=support_request, user=request.user, reopen=action == "reopen"
            )
        else:
            raise ValidationError("Action inconnue.")
        messages.success(request, "C'est enregistré.")
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
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
