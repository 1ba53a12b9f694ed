from django.shortcuts import render

from portal.permissions import platform_admin_required
from tenants.models import Collectivite
from tenants.selectors import collectivite_dashboard_list


@platform_admin_required
def dashboard(request):
    search = request.GET.get("q", "").strip()
    status = request.GET.get("statut", "")
    collectivites = collectivite_dashboard_list(search=search, status=status)
    return render(
        request,
        "tenants/operator_dashboard.html",
        {
            "collectivites": collectivites,
            "search": search,
            "status": status,
            "statuses": Collectivite.Status.choices,
        },
    )
