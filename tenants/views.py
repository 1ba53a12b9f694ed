"""A member's own pages: public home page, logo, and the admin's look and members pages."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from portal import sections
from portal.catalogue import (
    CITIZEN_CATALOGUE_CACHE,
    applications_for,
    citizen_applications_for,
)
from portal.permissions import member_required
from portal.tenant_cache import tenant_cache_prefetched
from tenants import services
from tenants.forms import InviteForm, LookForm, form_errors_add
from tenants.models import Collectivite, CollectiviteLogo, Membership
from tenants.permissions import membership_for
from tenants.selectors import DEFAULT_PRIMARY, tenant_memberships
from tenants.theming import theme_palette


def commune_home(request):
    """A member's public home page (for communes without a website, seed 000)."""
    collectivite = request.tenant
    # Every value the page shows comes from the cache, in one round trip (issue 11 §4).
    with tenant_cache_prefetched(*sections.home_caches(request), shared=(CITIZEN_CATALOGUE_CACHE,)):
        context = {
            "collectivite": collectivite,
            "applications": citizen_applications_for(collectivite.services),
            "sections": sections.collect(request, "home_section"),
            "aside_sections": sections.collect(request, "home_aside_section"),
            # Staff links for staff only (issue 24 §1: citizens got a 403 behind them).
            "is_staff_here": membership_for(request.user, collectivite) is not None,
        }
    return render(request, "tenants/commune_home.html", context)


def _branded(request, slug: str | None):
    """The commune a look is asked for: this host's, or (on the operator's host, for a page
    shown on a commune's behalf, identity.branding) the one named in the URL."""
    if slug is None:
        return request.tenant
    return get_object_or_404(Collectivite.objects.members(), slug=slug)


def logo(request, slug: str | None = None):
    """The commune's logo; its URL carries the logo's version, so it may be cached long."""
    tenant = _branded(request, slug)
    if tenant.is_operator or not tenant.logo_version:
        raise Http404
    stored = CollectiviteLogo.objects.filter(collectivite=tenant).first()
    if stored is None:
        raise Http404
    response = HttpResponse(bytes(stored.content), content_type=stored.content_type)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


def theme_css(request, slug: str | None = None):
    """The commune's colours as CSS variables (static/portal/portal.css reads them); the
    URL carries the colour, so it may be cached long."""
    tenant = _branded(request, slug)
    if tenant.is_operator or not tenant.primary_color:
        raise Http404
    palette = theme_palette(tenant.primary_color)
    body = ":root {\n" + "".join(f"  --{name}: {value};\n" for name, value in palette.items())
    response = HttpResponse(body + "}\n", content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def legal_page(request, page: str):
    """The pages every French public site carries, written from the commune's settings:
    mentions légales (LCEN art. 6 III), données personnelles (RGPD art. 13-14) and the
    déclaration d'accessibilité (law 2005-102 art. 47, RGAA)."""
    collectivite = request.tenant
    if collectivite.is_operator:
        raise Http404
    return render(
        request,
        f"tenants/legal/{page}.html",
        {
            "collectivite": collectivite,
            "hosting": settings.PORTAL_HOSTING,
            "applications": applications_for(collectivite.services),
        },
    )


@member_required
def backoffice_home(request):
    return render(
        request,
        "tenants/backoffice_home.html",
        {
            "collectivite": request.tenant,
            "membership": request.membership,
            "sections": sections.collect(request, "backoffice_section"),
        },
    )


@member_required(admin=True)
def look(request):
    """The commune's look and contact details, edited by its admin (seed 002)."""
    collectivite = request.tenant
    form = LookForm(
        request.POST or None,
        request.FILES or None,
        instance=collectivite,
        initial={"primary_color": collectivite.primary_color or DEFAULT_PRIMARY},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.collectivite_look_update(
                acting_user=request.user,
                collectivite=collectivite,
                primary_color=data["primary_color"],
                logo=data["logo"],
                remove_logo=data["remove_logo"],
                **{name: data[name] for name in LookForm.Meta.fields},
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, "L'apparence et les coordonnées sont enregistrées.")
            return redirect("commune:look")
    return render(request, "tenants/look.html", {"form": form, "collectivite": collectivite})


@member_required(admin=True)
def members(request):
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_invite(
                acting_user=request.user, collectivite=request.tenant, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, f"Invitation envoyée à {form.cleaned_data['email'].lower()}.")
            return redirect("commune:members")
    return render(
        request,
        "tenants/members.html",
        {
            "form": form,
            "memberships": tenant_memberships(collectivite=request.tenant),
            "collectivite": request.tenant,
            "roles": Membership.Role,
        },
    )


@member_required(admin=True)
@require_POST
def member_action(request, pk):
    # Only this commune's memberships: another commune's id is a 404.
    membership = get_object_or_404(Membership, pk=pk, collectivite=request.tenant)
    action = request.POST.get("action")
    try:
        if action == "make_admin":
            services.membership_role_set(
                acting_user=request.user, membership=membership, role=Membership.Role.ADMIN
            )
        elif action == "make_agent":
            services.membership_role_set(
                acting_user=request.user, membership=membership, role=Membership.Role.AGENT
            )
        elif action == "deactivate":
            services.membership_deactivate(acting_user=request.user, membership=membership)
        elif action == "reactivate":
            services.membership_reactivate(acting_user=request.user, membership=membership)
        else:
            raise ValidationError("Action inconnue.")
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(request, f"{membership.user.email} : modification enregistrée.")
    return redirect("commune:members")
