"""The portal's WSGI application plus one bare view, for bench/pages.py only.

The bare view answers a few bytes through exactly the same middleware as every page of a
commune's host (tenant routing, sessions, authentication, CSRF, security headers...): the
throughput of a page divided by the bare view's, in the same run, says how much the page
itself costs, whatever the machine's speed or load.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402

from portal import urls_tenant  # noqa: E402

BARE_PATH = "__bench__/nu/"


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


# Added before the first request resolves a URL (the resolver reads the list once).
urls_tenant.urlpatterns.append(path(BARE_PATH, bare))
