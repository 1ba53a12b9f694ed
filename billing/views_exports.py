"""What finance staff send to the public accountant: a PES Recette file per campaign and
per correction (the cancellation and the new titre), and the ledgers."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from billing import selectors
from billing.models import Titre
from billing.pes import pes_filename, pes_recette
from billing.services.titres import issuer_snapshot
from billing.views import _download
from portal.permissions import finance_required


@finance_required
def exports(request):
    page = Paginator(selectors.corrections_list(), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "billing/exports.html",
        {"campaigns": selectors.campaigns_with_titres()[:50], "corrections": page},
    )


@finance_required
def correction_pes(request, pk):
    """One correction's PES file: the cancellation in an annulation/réduction bordereau
    referring to the first titre, the new titre in an ordinary one."""
    annulation = get_object_or_404(Titre.objects.defer("pdf"), pk=pk, kind=Titre.Kind.ANNULATION)
    titres = selectors.correction_titres(annulation=annulation)
    if len(titres) != 2 or any(t.pdf is None for t in titres):
        raise Http404("PDF de la correction en cours de production.")
    issuer, today = issuer_snapshot(), timezone.localdate()
    batch = f"A{annulation.number:05d}"
    content = pes_recette(titres=titres, issuer=issuer, batch=batch, today=today)
    name = pes_filename(issuer=issuer, year=annulation.year, batch=batch, today=today)
    return _download(content, name, "application/xml")
