from django.http import JsonResponse
from django.shortcuts import render
from django.views.defaults import page_not_found as django_page_not_found

from portal.context_processors import site


def unknown_host(request):
    """No collectivité answers to this host: a French 404 pointing to the operator's site."""
    context = site(request) | {"host": request.get_host().split(":")[0]}
    return render(request, "unknown_host.html", context, status=404)


def page_not_found(request, exception=None):
    """404: a JSON body under /api/ (as the API documents), the French page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Introuvable.", "code": "not_found"}, status=404)
    return django_page_not_found(request, exception)
