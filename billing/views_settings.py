"""Finance staff's pages for what a titre prints: the issuer, and per member its Chorus Pro
identification, its seed 003 package and the complementary services it used."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from billing import selectors
from billing.forms import BillingProfileForm, IssuerForm, PackageForm, ServiceUsageForm
from billing.models import ServiceUsage
from billing.services import settings as services
from conventions.models import ConventionModel
from portal.permissions import finance_required
from tenants.models import Collectivite


def _apply(form, exc: ValidationError) -> None:
    """A service's error on the form: per field when it names one, else for the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@finance_required
def issuer(request):
    current = selectors.issuer_current()
    form = IssuerForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.issuer_save(values=form.cleaned_data, acting_user=request.user)
            messages.success(
                request, "Ordonnateur enregistré : les prochains titres l'imprimeront."
            )
            return redirect("billing:issuer")
        except ValidationError as exc:
            _apply(form, exc)
    return render(
        request,
        "billing/issuer.html",
        {
            "form": form,
            "problems": selectors.issuer_problems(current),
            "court_warnings": selectors.court_warnings(current.court if current else ""),
        },
        status=400 if form.errors else 200,
    )


@finance_required
def member_list(request):
    name = request.GET.get("q", "").strip()
    page = Paginator(selectors.members_list(name=name), 50).get_page(request.GET.get("page"))
    return render(request, "billing/members.html", {"page": page, "q": name})


def _member_page(request, collectivite, *, status=200, **forms):
    conventions = selectors.member_conventions(collectivite=collectivite)
    packaged = [c for c in conventions if c.model.pricing == ConventionModel.Pricing.PACKAGES]
    profile = getattr(collectivite, "billing_profile", None)
    billed = selectors.billed_years(conventions=packaged)
    for convention in packaged:
        chosen = getattr(convention, "billing_package", None)
        convention.package_form = forms.get(f"package_{convention.pk}") or PackageForm(
            packages=services.package_codes(model=convention.model),
            initial={
                "package_code": chosen.package_code if chosen else "",
                "decided_by": chosen.decided_by if chosen else "",
            },
            prefix=f"p{convention.pk}",
        )
        labels = dict(services.service_codes(model=convention.model))
        for usage in convention.usages:
            usage.label = labels.get(usage.service_code, usage.service_code)
            usage.billed = (convention.pk, usage.year) in billed
    usage_form = forms.get("usage_form")
    if usage_form is None and packaged:
        usage_form = _usage_form(None, packaged)
    context = {
        "collectivite": collectivite,
        "conventions": conventions,
        "packaged": packaged,
        "profile_form": forms.get("profile_form") or BillingProfileForm(instance=profile),
        "usage_form": usage_form,
    }
    return render(request, "billing/member.html", context, status=status)


def _usage_form(data, packaged):
    services_offered: dict[str, str] = {}
    for convention in packaged:
        for code, label in services.service_codes(model=convention.model):
            services_offered.setdefault(code, label)
    return ServiceUsageForm(
        data, conventions=packaged, services=list(services_offered.items()), prefix="usage"
    )


def _collectivite(pk):
    return get_object_or_404(Collectivite.objects.select_related("billing_profile"), pk=pk)


def _submitted(form, service) -> bool:
    """Whether ``form`` is valid and ``service(cleaned_data)`` accepted it; else the form
    holds why, each error beside its field when the service names one (``_apply``)."""
    if not form.is_valid():
        return False
    try:
        service(form.cleaned_data)
    except ValidationError as exc:
        _apply(form, exc)
        return False
    return True


def _saved(request, *, billed: bool, text: str, billed_text: str) -> None:
    """Saved: said as a warning when that year's titre is already issued (only a correction
    of the titre then bills the change)."""
    if billed:
        messages.warning(request, billed_text)
    else:
        messages.success(request, text)


@finance_required
def member_detail(request, pk):
    collectivite = _collectivite(pk)
    if request.method != "POST":
        return _member_page(request, collectivite)
    form = BillingProfileForm(request.POST, instance=getattr(collectivite, "billing_profile", None))
    saved = _submitted(
        form,
        lambda data: services.billing_profile_save(
            collectivite=collectivite, values=data, acting_user=request.user
        ),
    )
    if not saved:
        return _member_page(request, collectivite, status=400, profile_form=form)
    messages.success(request, "Identification Chorus Pro enregistrée.")
    return redirect("billing:member", pk)


@finance_required
@require_POST
def member_package(request, pk, convention_pk):
    collectivite = _collectivite(pk)
    convention = get_object_or_404(
        collectivite.conventions.select_related("model"), pk=convention_pk
    )
    packages = services.package_codes(model=convention.model)
    form = PackageForm(request.POST, packages=packages, prefix=f"p{convention.pk}")
    saved = _submitted(
        form,
        lambda data: services.convention_package_set(
            convention=convention,
            package_code=data["package_code"],
            decided_by=data["decided_by"],
            acting_user=request.user,
        ),
    )
    if not saved:
        return _member_page(request, collectivite, status=400, **{f"package_{convention.pk}": form})
    year = timezone.localdate().year
    _saved(
        request,
        billed=selectors.convention_year_billed(convention=convention, year=year),
        text="Forfait enregistré.",
        billed_text=f"Forfait enregistré. Le titre {year} de ce membre est déjà émis avec"
        " l'ancien forfait : il ne changera que par une correction de ce titre, sinon à partir"
        f" de la campagne {year + 1}.",
    )
    return redirect("billing:member", pk)


def _usage_record(packaged, acting_user):
    def record(data):
        services.service_usage_record(
            convention=next(c for c in packaged if c.pk == data["convention"]),
            service_code=data["service_code"],
            used_on=data["used_on"],
            quantity=data["quantity"],
            note=data["note"],
            acting_user=acting_user,
        )

    return record


@finance_required
@require_POST
def member_usage(request, pk):
    collectivite = _collectivite(pk)
    packaged = [
        c
        for c in selectors.member_conventions(collectivite=collectivite)
        if c.model.pricing == ConventionModel.Pricing.PACKAGES
    ]
    form = _usage_form(request.POST, packaged)
    if not _submitted(form, _usage_record(packaged, request.user)):
        return _member_page(request, collectivite, status=400, usage_form=form)
    year = form.cleaned_data["used_on"].year
    convention = next(c for c in packaged if c.pk == form.cleaned_data["convention"])
    _saved(
        request,
        billed=selectors.convention_year_billed(convention=convention, year=year),
        text=f"Prestation enregistrée : elle sera facturée par la campagne {year}.",
        billed_text=f"Prestation enregistrée. Le titre {year} de ce membre est déjà émis :"
        " elle ne sera facturée que par une correction de ce titre.",
    )
    return redirect("billing:member", pk)


@finance_required
@require_POST
def member_usage_delete(request, pk, usage_pk):
    collectivite = _collectivite(pk)
    usage = get_object_or_404(
        ServiceUsage.objects.filter(convention__collectivite=collectivite), pk=usage_pk
    )
    try:
        services.service_usage_delete(usage=usage, acting_user=request.user)
        messages.success(request, "Prestation supprimée.")
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("billing:member", pk)
