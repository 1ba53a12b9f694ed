from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render
from django.views.defaults import page_not_found as django_page_not_found

from portal.context_processors import site


def unknown_host(request):
    """No collectivité answers to this host: a French 404 pointing to the operator's site."""
    context = site(request) | {"host": request.get_host().split(":")[0]}
    return render(request, "unknown_host.html", context, status=404)


HOME_PAGE_SIZE = 100


def operator_home(request):
    """The operator's home: its member communes, a page at a time, their links from
    prefetched domains (a fixed number of queries at a thousand members)."""
    from tenants.selectors import collectivite_directory, collectivite_site_url

    page = Paginator(collectivite_directory(), HOME_PAGE_SIZE).get_page(request.GET.get("page"))
    communes = [(c, collectivite_site_url(collectivite=c)) for c in page.object_list]
    return render(request, "portal/operator_home.html", {"communes": communes, "page": page})


def page_not_found(request, exception=None):
    """404: a JSON body under /api/ (as the API documents), the French page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Introuvable.", "code": "not_found"}, status=404)
    return django_page_not_found(request, exception)
