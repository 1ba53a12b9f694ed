from django.shortcuts import render

from portal.context_processors import site


def unknown_host(request):
    """No collectivité answers to this host: a French 404 pointing to the operator's site."""
    context = site(request) | {"host": request.get_host().split(":")[0]}
    return render(request, "unknown_host.html", context, status=404)
