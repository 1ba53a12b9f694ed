from django.shortcuts import render

from portal import sections
from portal.permissions import member_required


def commune_home(request):
    """A member's public home page (for communes without a website, seed 000)."""
    return render(
        request,
        "tenants/commune_home.html",
        {"collectivite": request.tenant, "sections": sections.collect(request, "home_section")},
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
