"""Finance staff's pages on the operator's host (/facturation/)."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from billing import exports, selectors, services
from billing.forms import (
    CampaignForm,
    ContestForm,
    CorrectionForm,
    PaymentForm,
    PopulationForm,
    TariffForm,
    TariffLineFormSet,
    TitreFilterForm,
)
from billing.liquidation import liquidate
from billing.models import Campaign, Contest, Titre
from billing.terms import campaign_deadline, campaign_reminder_from
from portal.inputs import number
from portal.permissions import finance_required
from tenants.models import Collectivite


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@finance_required
def index(request):
    form = CampaignForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(
                year=form.cleaned_data["year"],
                model_ids=[m.pk for m in form.cleaned_data["models"]],
                acting_user=request.user,
            )
            return redirect("billing:campaign", campaign.pk)
        except ValidationError as exc:
            form.add_error(None, exc)
    today = timezone.localdate()
    return render(
        request,
        "billing/index.html",
        {
            "form": form,
            "campaigns": selectors.campaigns_list()[:50],
            "deadline": campaign_deadline(today.year),
            "remind": campaign_reminder_from(today.year) <= today <= campaign_deadline(today.year),
        },
    )


@finance_required
def campaign_detail(request, pk):
    campaign = get_object_or_404(Campaign.objects.prefetch_related("convention_models"), pk=pk)
    model_ids = [m.pk for m in campaign.convention_models.all()]
    preview = liquidate(year=campaign.year, model_ids=model_ids)
    return render(
        request,
        "billing/campaign.html",
        {
            "campaign": campaign,
            "preview": preview,
            "deadline": campaign_deadline(campaign.year),
            "delivered": selectors.campaign_delivered(campaign=campaign),
            "court_warnings": selectors.court_warnings(
                getattr(selectors.issuer_current(), "court", "")
            ),
        },
    )


def _confirmed_number(value) -> int:
    """A number the confirmation carries; -1 (never a preview's) when absent or garbled."""
    parsed = number(value, low=0, high=10**15)
    return -1 if parsed is None else parsed


@finance_required
@require_POST
def campaign_launch(request, pk):
    campaign = get_object_or_404(Campaign, pk=pk)
    if not request.POST.get("confirm"):
        messages.error(
            request, "Cochez la confirmation de l'émission (nombre de titres et montant total)."
        )
        return redirect("billing:campaign", pk)
    try:
        services.campaign_launch(
            campaign=campaign,
            acting_user=request.user,
            expected_members=_confirmed_number(request.POST.get("members")),
            expected_total_ttc=_confirmed_number(request.POST.get("total_ttc")),
        )
        messages.success(request, "Émission lancée : suivez sa progression ci-dessous.")
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("billing:campaign", pk)


@finance_required
def campaign_progress(request, pk):
    campaign = get_object_or_404(Campaign, pk=pk)
    delivered = selectors.campaign_delivered(campaign=campaign)
    return JsonResponse(
        {
            "delivered": delivered,
            "state": campaign.state,
            "state_label": campaign.get_state_display(),
            "done": campaign.done,
            "total": campaign.total,
            "issued": campaign.issued,
            "skipped": campaign.skipped,
            "errors": campaign.errors,
            "finished": campaign.state in (Campaign.State.DONE, Campaign.State.FAILED)
            and delivered >= campaign.issued,
        }
    )


@finance_required
def campaign_pes(request, pk):
    campaign = get_object_or_404(Campaign, pk=pk)
    titres = list(
        selectors.titres_list(campaign_id=pk)
        .defer(None)
        .prefetch_related("lines")
        .select_related("corrects", "replaces")
        .order_by("number")
    )
    if not titres or any(t.pdf is None for t in titres):
        raise Http404("Aucun titre émis, ou PDF en cours de production.")
    from billing.views_exports import pes_download

    return pes_download(request, titres=titres, batch=f"C{campaign.pk:04d}")


@finance_required
def titre_list(request):
    form = TitreFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    titres = selectors.titres_list(year=data.get("year"), status=data.get("status") or "")
    if data.get("member"):
        titres = titres.filter(collectivite__name__icontains=data["member"])
    export = request.GET.get("format")
    if export in ("csv", "xlsx"):
        writer = exports.to_csv if export == "csv" else exports.to_xlsx
        content = writer(exports.TITRE_COLUMNS, exports.titre_rows(titres))
        kind = (
            "text/csv"
            if export == "csv"
            else ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        )
        return _download(content, f"titres.{export}", kind)
    page = Paginator(titres, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "billing/titres.html",
        {"form": form, "page": page, "query_string": query.urlencode()},
    )


def _titre_page(request, titre, **forms):
    context = {
        "titre": titre,
        "balance": selectors.titre_balance_cents(titre),
        "payment_form": forms.get("payment_form") or PaymentForm(),
        "contest_form": forms.get("contest_form") or ContestForm(),
        "correction_form": forms.get("correction_form") or CorrectionForm(),
    }
    return render(request, "billing/titre.html", context, status=400 if forms else 200)


def _titre(pk):
    return get_object_or_404(
        Titre.objects.defer("pdf").select_related("collectivite", "corrects", "replaces"), pk=pk
    )


@finance_required
def titre_detail(request, pk):
    return _titre_page(request, _titre(pk))


@finance_required
def titre_pdf(request, pk):
    titre = get_object_or_404(Titre, pk=pk)
    if titre.pdf is None:
        raise Http404("PDF en cours de production.")
    return _download(bytes(titre.pdf), titre.filename, "application/pdf")


def _titre_pay(titre: Titre, acting_user, data: dict) -> Titre:
    services.payment_record(
        titre=titre,
        paid_on=data["paid_on"],
        amount_cents=data["amount"],
        reference=data["reference"],
        acting_user=acting_user,
    )
    return titre


def _titre_contest(titre: Titre, acting_user, data: dict) -> Titre:
    services.titre_contest(
        titre=titre,
        received_on=data["received_on"],
        means=Contest.Means.EMAIL,
        reason=data["reason"],
        acting_user=acting_user,
    )
    return titre


def _titre_correct(titre: Titre, acting_user, data: dict) -> Titre:
    _, new = services.titre_correct(titre=titre, reason=data["reason"], acting_user=acting_user)
    return new


@dataclass(frozen=True)
class TitreAction:
    """One action of the titre page: its form, the form's name in the page, the one service
    it calls (returning the titre to show next) and what finance staff are told."""

    form: type[forms.Form]
    name: str
    perform: Callable[[Titre, object, dict], Titre]
    done: Callable[[Titre], str] = lambda titre: "Enregistré."


# The titre page's actions, by the code each form posts.
TITRE_ACTIONS = {
    "paiement": TitreAction(PaymentForm, "payment_form", _titre_pay),
    "contestation": TitreAction(ContestForm, "contest_form", _titre_contest),
    "correction": TitreAction(
        CorrectionForm,
        "correction_form",
        _titre_correct,
        done=lambda new: f"Titre annulé ; nouveau titre n° {new.reference} émis.",
    ),
}


@finance_required
@require_POST
def titre_action(request, pk, action):
    titre = _titre(pk)
    page_action = TITRE_ACTIONS.get(action)
    if page_action is None:
        raise Http404
    form = page_action.form(request.POST)
    try:
        if form.is_valid():
            shown = page_action.perform(titre, request.user, form.cleaned_data)
            messages.success(request, page_action.done(shown))
            return redirect("billing:titre", shown.pk)
    except ValidationError as exc:
        form.add_error(None, exc)
    # The page again, the form as typed with its errors.
    return _titre_page(request, titre, **{page_action.name: form})


@finance_required
def payments(request):
    export = request.GET.get("format")
    if export in ("csv", "xlsx"):
        writer = exports.to_csv if export == "csv" else exports.to_xlsx
        content = writer(exports.PAYMENT_COLUMNS, exports.payment_rows(selectors.payments_list()))
        kind = (
            "text/csv"
            if export == "csv"
            else ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        )
        return _download(content, f"paiements.{export}", kind)
    return render(
        request,
        "billing/payments.html",
        {
            "overdue": selectors.titres_overdue(today=timezone.localdate())[:200],
            "payments": selectors.payments_list()[:200],
        },
    )


@finance_required
def tariffs(request):
    form = TariffForm(request.POST or None)
    lines = TariffLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        try:
            services.tariff_save(
                model=form.cleaned_data["model"],
                year=form.cleaned_data["year"],
                decision=form.cleaned_data["decision"],
                document=form.cleaned_data["document"],
                acting_user=request.user,
                lines=[f.line() for f in lines if f.has_changed() and f.cleaned_data],
            )
            messages.success(request, "Tarif enregistré.")
            return redirect("billing:tariffs")
        except ValidationError as exc:
            form.add_error(None, exc)
    return render(
        request,
        "billing/tariffs.html",
        {"form": form, "lines": lines, "tariffs": selectors.tariffs_list()[:100]},
    )


@finance_required
@require_POST
def population_override(request):
    form = PopulationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.population_override_set(
                collectivite=get_object_or_404(Collectivite, pk=data["collectivite"]),
                year=data["year"],
                population=data["population"],
                source=data["source"],
                acting_user=request.user,
            )
            messages.success(request, "Population retenue enregistrée.")
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
    else:
        messages.error(request, "Population ou source manquante.")
    return redirect(request.POST.get("next") or "billing:index")
