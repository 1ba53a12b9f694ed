"""The commune admin's "Factures" (member host, /gestion/factures/): its own titres only."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from billing import selectors, services
from billing.forms import MemberContestForm
from billing.models import Contest, Titre
from portal.permissions import member_required


def _own(request, pk) -> Titre:
    # Another commune's titre, or one not yet notified, does not exist here (404).
    return get_object_or_404(
        Titre.objects.defer("pdf").select_related("corrects", "replaces"),
        pk=pk,
        collectivite_id=request.tenant.pk,
        notified_on__isnull=False,
    )


@member_required(admin=True)
def titre_list(request):
    titres = selectors.titres_list(collectivite_id=request.tenant.pk).filter(
        notified_on__isnull=False
    )[:200]
    return render(request, "billing/member_list.html", {"titres": titres})


def _detail_page(request, titre: Titre, form=None):
    return render(
        request,
        "billing/member_detail.html",
        {
            "titre": titre,
            "balance": selectors.titre_balance_cents(titre),
            "form": form or MemberContestForm(),
            "today": timezone.localdate(),
        },
        status=400 if form else 200,
    )


@member_required(admin=True, conceal=True)
def titre_detail(request, pk):
    return _detail_page(request, _own(request, pk))


@member_required(admin=True, conceal=True)
def titre_pdf(request, pk):
    titre = _own(request, pk)
    pdf = Titre.objects.filter(pk=titre.pk).values_list("pdf", flat=True).get()
    if pdf is None:
        raise Http404
    response = HttpResponse(bytes(pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{titre.filename}"'
    return response


@member_required(admin=True, conceal=True)
@require_POST
def titre_contest(request, pk):
    titre = _own(request, pk)
    form = MemberContestForm(request.POST)
    if form.is_valid():
        try:
            services.titre_contest(
                titre=titre,
                received_on=timezone.localdate(),
                means=Contest.Means.PORTAL,
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
            messages.success(request, "Votre contestation a été transmise au service financier.")
            return redirect("billing_member:detail", pk)
        except ValidationError as exc:
            form.add_error(None, exc)
    return _detail_page(request, titre, form)
