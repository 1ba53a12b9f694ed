"""Whose identity a page of the operator's host wears when a commune sent the person there.

A member host signs people in through the operator's single sign-on (issue 12): its login
page is the operator's, reached with ``next=/o/authorize/?client_id=commune-<host>…``. That
page keeps the commune's name, logo, colours and links (issue 24 §1: a login page that
loses the commune's look reads as phishing), and its "Mot de passe oublié" and "Créer un
compte" lead back to the commune's host.
"""

from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.urls import reverse

from identity.services.sso import sso_client_id
from portal.context_processors import LAYOUT_URLS
from portal.links import host_origin
from tenants.models import Domain

AUTHORIZE_PATH = "/o/authorize/"
CLIENT_PREFIX = sso_client_id(host="")


def commune_of_login(next_url: str | None):
    """(collectivité, host) of the commune whose single sign-on request ``next_url`` is, or
    None."""
    if not next_url:
        return None
    parts = urlsplit(next_url)
    if parts.path != AUTHORIZE_PATH:
        return None
    client_id = (parse_qs(parts.query).get("client_id") or [""])[0]
    if not client_id.startswith(CLIENT_PREFIX):
        return None
    host = client_id.removeprefix(CLIENT_PREFIX)
    domain = Domain.objects.select_related("tenant").filter(domain=host).first()
    if domain is None or domain.tenant.is_operator:
        return None
    return domain.tenant, host


class CommuneLinks:
    """The layout's links (portal.context_processors.LAYOUT_URLS) for a page of the operator's
    host shown on a commune's behalf: its look from the operator's host (the page's own
    origin, as its Content-Security-Policy asks), every other link on the commune's host."""

    def __init__(self, collectivite, host: str):
        self.collectivite = collectivite
        self.origin = host_origin(host)

    def __getitem__(self, key: str) -> str:
        if key == "theme_css":
            return reverse("commune_theme_css", args=[self.collectivite.slug])
        if key == "logo":
            return reverse("commune_logo", args=[self.collectivite.slug])
        return self.origin + reverse(LAYOUT_URLS[key], urlconf=settings.ROOT_URLCONF)


def login_identity(*, next_url: str | None) -> dict:
    """What the login page's layout shows: the commune that sent the person, else the
    operator (never the bare host name Django's login view puts in ``site_name``)."""
    found = commune_of_login(next_url)
    if found is None:
        return {"site_name": settings.OPERATOR_NAME}
    collectivite, host = found
    return {
        "site_collectivite": collectivite,
        "site_is_operator": False,
        "site_name": collectivite.name,
        "site_urls": CommuneLinks(collectivite, host),
        "commune_origin": host_origin(host),
    }
