"""What finance staff send to the public accountant: a PES Recette file per campaign and
per correction (the cancellation and the new titre), the bordereaux to sign when the file
is not signed electronically, and the ledgers."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from billing import selectors
from billing.models import Campaign, Titre
from billing.pes import bordereau_groups, triplet
from billing.services.exports import pes_batch_numbers, pes_export
from billing.services.titres import issuer_snapshot
from portal.permissions import finance_required


@finance_required
def exports(request):
    page = Paginator(selectors.corrections_list(), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "billing/exports.html",
        {"campaigns": selectors.campaigns_with_titres()[:50], "corrections": page},
    )


def pes_download(request, *, titres: list[Titre], batch: str):
    """The PES file of a batch, or back to the exports page with the French reason."""
    try:
        content, name = pes_export(
            acting_user=request.user, titres=titres, batch=batch, today=timezone.localdate()
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("billing:exports")
    response = HttpResponse(content, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _correction(pk) -> list[Titre]:
    annulation = get_object_or_404(Titre.objects.defer("pdf"), pk=pk, kind=Titre.Kind.ANNULATION)
    titres = selectors.correction_titres(annulation=annulation)
    if len(titres) != 2 or any(t.pdf is None for t in titres):
        raise Http404("PDF de la correction en cours de production.")
    return titres


@finance_required
def correction_pes(request, pk):
    """One correction's PES file: the cancellation in an annulation/réduction bordereau
    referring to the first titre, the new titre in an ordinary one."""
    titres = _correction(pk)
    return pes_download(request, titres=titres, batch=f"A{titres_annulation(titres).number:05d}")


def titres_annulation(titres: list[Titre]) -> Titre:
    return next(t for t in titres if t.kind == Titre.Kind.ANNULATION)


def _bordereaux_page(request, *, titres: list[Titre], batch: str):
    """The bordereaux of a batch, printable, for the ordonnateur's handwritten signature
    (PES file with InfoDematerialisee 0: the paper bordereau is the signed one)."""
    issuer = issuer_snapshot()
    numbers = pes_batch_numbers(acting_user=request.user, titres=titres, batch=batch, issuer=issuer)
    bordereaux = [
        {
            "number": numbers[typ_bord].number,
            "typ_bord": typ_bord,
            "triplet": triplet(group[0]),
            "titres": group,
            "total_ht": sum(t.total_ht_cents for t in group),
            "total_vat": sum(t.total_vat_cents for t in group),
            "total_ttc": sum(t.total_ttc_cents for t in group),
        }
        for typ_bord, group in bordereau_groups(titres).items()
    ]
    return render(
        request,
        "billing/bordereaux.html",
        {"issuer": issuer, "bordereaux": bordereaux, "year": titres[0].year, "batch": batch},
    )


@finance_required
def campaign_bordereaux(request, pk):
    campaign = get_object_or_404(Campaign, pk=pk)
    titres = list(
        selectors.titres_list(campaign_id=pk)
        .select_related("corrects", "replaces")
        .order_by("number")
    )
    if not titres:
        raise Http404("Aucun titre émis.")
    return _bordereaux_page(request, titres=titres, batch=f"C{campaign.pk:04d}")


@finance_required
def correction_bordereaux(request, pk):
    titres = _correction(pk)
    return _bordereaux_page(
        request, titres=titres, batch=f"A{titres_annulation(titres).number:05d}"
    )
