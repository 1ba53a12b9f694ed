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
    from tenants.models import Collectivite

    return get_object_or_404(Collectivite.objects.select_related("billing_profile"), pk=pk)


@finance_required
def member_detail(request, pk):
    collectivite = _collectivite(pk)
    if request.method != "POST":
        return _member_page(request, collectivite)
    form = BillingProfileForm(request.POST, instance=getattr(collectivite, "billing_profile", None))
    try:
        if form.is_valid():
            services.billing_profile_save(
                collectivite=collectivite, values=form.cleaned_data, acting_user=request.user
            )
            messages.success(request, "Identification Chorus Pro enregistrée.")
            return redirect("billing:member", pk)
    except ValidationError as exc:
        _apply(form, exc)
    return _member_page(request, collectivite, status=400, profile_form=form)


def _package_saved(request, convention) -> None:
    """Told once a package is chosen: whether this year's titre already went out with the
    former one."""
    year = timezone.localdate().year
    if selectors.convention_year_billed(convention=convention, year=year):
        messages.warning(
            request,
            f"Forfait enregistré. Le titre {year} de ce membre est déjà émis avec l'ancien"
            " forfait : il ne changera que par une correction de ce titre, sinon à partir de"
            f" la campagne {year + 1}.",
        )
    else:
        messages.success(request, "Forfait enregistré.")


@finance_required
@require_POST
def member_package(request, pk, convention_pk):
    collectivite = _collectivite(pk)
    convention = get_object_or_404(
        collectivite.conventions.select_related("model"), pk=convention_pk
    )
    packages = services.package_codes(model=convention.model)
    form = PackageForm(request.POST, packages=packages, prefix=f"p{convention.pk}")
    try:
        if form.is_valid():
            services.convention_package_set(
                convention=convention,
                package_code=form.cleaned_data["package_code"],
                decided_by=form.cleaned_data["decided_by"],
                acting_user=request.user,
            )
            _package_saved(request, convention)
            return redirect("billing:member", pk)
    except ValidationError as exc:
        _apply(form, exc)
    return _member_page(request, collectivite, status=400, **{f"package_{convention.pk}": form})


def _usage_saved(request, convention, year: int) -> None:
    """Told once a service used is recorded: which campaign bills it."""
    if selectors.convention_year_billed(convention=convention, year=year):
        messages.warning(
            request,
            f"Prestation enregistrée. Le titre {year} de ce membre est déjà"
            " émis : elle ne sera facturée que par une correction de ce titre.",
        )
    else:
        messages.success(
            request, f"Prestation enregistrée : elle sera facturée par la campagne {year}."
        )


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
    try:
        if form.is_valid():
            data = form.cleaned_data
            convention = next(c for c in packaged if c.pk == data["convention"])
            services.service_usage_record(
                convention=convention,
                **{k: data[k] for k in ("service_code", "used_on", "quantity", "note")},
                acting_user=request.user,
            )
            _usage_saved(request, convention, data["used_on"].year)
            return redirect("billing:member", pk)
    except ValidationError as exc:
        _apply(form, exc)
    return _member_page(request, collectivite, status=400, usage_form=form)


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
