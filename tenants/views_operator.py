"""The operator's pages (public schema): dashboard, onboarding wizard, a member's access."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from portal import sections
from portal.catalogue import application_catalogue, applications_for
from portal.permissions import platform_admin_required
from portal.text import slug_suggest
from tenants import services
from tenants.forms import ArchiveForm, OnboardForm, SuspendForm, form_errors_add
from tenants.models import Collectivite
from tenants.selectors import (
    collectivite_dashboard_csv,
    collectivite_dashboard_list,
    collectivite_history,
    commune_reference_search,
    onboarded_insee_codes,
)

HOME_PAGE_SIZE = 100


def operator_home(request):
    """The operator's home: its member communes, a page at a time, their links from
    prefetched domains (a fixed number of queries at a thousand members), and the blocks of
    public-schema apps for the staff they concern (portal.sections.collect_operator)."""
    from tenants.selectors import collectivite_directory, collectivite_site_url

    page = Paginator(collectivite_directory(), HOME_PAGE_SIZE).get_page(request.GET.get("page"))
    communes = [(c, collectivite_site_url(collectivite=c)) for c in page.object_list]
    context = {"communes": communes, "page": page}
    if request.user.is_authenticated:
        # Each block says whom it is for (conventions: platform admins; billing: finance).
        context["sections"] = sections.collect_operator(request)
    return render(request, "portal/operator_home.html", context)


def _request_site_url(request, host: str) -> str:
    # Links follow the port the operator is using (the dev server, the test live server).
    port = request.get_port()
    default = {"http": "80", "https": "443"}[request.scheme]
    return f"{request.scheme}://{host}{'' if port == default else ':' + port}/"


PAGE_SIZE = 50


def _without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _dashboard_csv(collectivites) -> HttpResponse:
    response = HttpResponse(
        "\ufeff" + collectivite_dashboard_csv(collectivites),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="collectivites-{stamp}.csv"'
    return response


@platform_admin_required
def dashboard(request):
    filters = {
        "search": request.GET.get("q", "").strip(),
        "status": request.GET.get("statut", ""),
        "service": request.GET.get("application", ""),
        "departement": request.GET.get("departement", "").strip(),
    }
    collectivites = collectivite_dashboard_list(**filters)
    if request.GET.get("format") == "csv":
        return _dashboard_csv(collectivites)
    # A thousand members: a page at a time, in a fixed number of queries (issue 14).
    page = Paginator(collectivites, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    catalogue = application_catalogue()
    for c in rows:
        domains = list(c.domains.all())
        c.site_url = _request_site_url(request, domains[0].domain) if domains else ""
        c.applications = applications_for(c.services, catalogue=catalogue)
    return render(
        request,
        "tenants/operator_dashboard.html",
        {
            "collectivites": rows,
            "page": page,
            "filters": filters,
            "statuses": Collectivite.Status.choices,
            "applications": catalogue,
            "query_string": _without_page(request),
        },
    )


@platform_admin_required
@require_GET
def commune_search(request):
    """Type-ahead of the wizard: communes of the reference list matching ``q``."""
    found = commune_reference_search(query=request.GET.get("q", ""))
    onboarded = onboarded_insee_codes([c.insee_code for c in found])
    return JsonResponse(
        {
            "results": [
                {
                    "insee_code": c.insee_code,
                    "name": c.name,
                    "departement": c.departement,
                    "postal_codes": c.postal_codes,
                    "population": c.population_totale or c.population_municipale,
                    "slug": slug_suggest(c.name),
                    "domain": services.default_domain_for(slug_suggest(c.name)),
                    "onboarded": onboarded.get(c.insee_code, ""),
                }
                for c in found
            ]
        }
    )


@platform_admin_required
def onboard(request):
    form = OnboardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            collectivite = services.commune_onboard(
                insee_code=data["insee_code"],
                slug=data["slug"],
                referent_email=data["referent_email"],
                referent_first_name=data["referent_first_name"],
                referent_last_name=data["referent_last_name"],
                services=data["services"],
                extra_domains=data["extra_domains"],
                steps=form.step_values(),
                acting_user=request.user,
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(
                request,
                f"{collectivite.name} est raccordée. Un lien pour choisir son mot de passe a été "
                f"envoyé à {data['referent_email']}.",
            )
            return redirect("operator:collectivite", slug=collectivite.slug)
    return render(
        request,
        "tenants/onboard.html",
        {"form": form, "base_domain": settings.PORTAL_BASE_DOMAIN},
    )


def _member(slug: str) -> Collectivite:
    return get_object_or_404(Collectivite.objects.members(), slug=slug)


@platform_admin_required
def collectivite_detail(request, slug):
    collectivite = _member(slug)
    domains = list(collectivite.domains.order_by("-is_primary", "domain"))
    return render(
        request,
        "tenants/operator_collectivite.html",
        {
            "collectivite": collectivite,
            "domains": [(d, _request_site_url(request, d.domain)) for d in domains],
            "applications": applications_for(collectivite.services),
            "history": collectivite_history(collectivite=collectivite),
            "referents": collectivite.memberships.filter(role="admin", is_active=True)
            .select_related("user")
            .order_by("user__email"),
            "suspend_form": SuspendForm(),
            "archive_form": ArchiveForm(collectivite=collectivite),
        },
    )


def _done(request, collectivite, text):
    messages.success(request, text)
    return redirect("operator:collectivite", slug=collectivite.slug)


def _refused(request, collectivite, exc: ValidationError):
    for text in exc.messages:
        messages.error(request, text)
    return redirect("operator:collectivite", slug=collectivite.slug)


@platform_admin_required
@require_POST
def collectivite_suspend(request, slug):
    collectivite = _member(slug)
    form = SuspendForm(request.POST)
    if not form.is_valid():
        return _refused(request, collectivite, ValidationError("Indiquez le motif."))
    try:
        services.collectivite_suspend(
            collectivite=collectivite, reason=form.cleaned_data["reason"], acting_user=request.user
        )
    except ValidationError as exc:
        return _refused(request, collectivite, exc)
    return _done(request, collectivite, f"L'accès de {collectivite.name} est suspendu.")


@platform_admin_required
@require_POST
def collectivite_lift(request, slug):
    collectivite = _member(slug)
    try:
        services.collectivite_lift_suspension(collectivite=collectivite, acting_user=request.user)
    except ValidationError as exc:
        return _refused(request, collectivite, exc)
    return _done(request, collectivite, f"L'accès de {collectivite.name} est rétabli.")


@platform_admin_required
@require_POST
def collectivite_export(request, slug):
    collectivite = _member(slug)
    content = services.collectivite_export_bytes(
        collectivite=collectivite, acting_user=request.user
    )
    response = HttpResponse(content, content_type="application/zip")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="export-{collectivite.slug}-{stamp}.zip"'
    )
    return response


@platform_admin_required
@require_POST
def collectivite_archive(request, slug):
    collectivite = _member(slug)
    form = ArchiveForm(request.POST, collectivite=collectivite)
    if not form.is_valid():
        return _refused(request, collectivite, ValidationError(form.errors["confirm_slug"]))
    try:
        services.collectivite_archive(collectivite=collectivite, acting_user=request.user)
    except ValidationError as exc:
        return _refused(request, collectivite, exc)
    return _done(request, collectivite, f"{collectivite.name} est archivée ; son site est fermé.")
