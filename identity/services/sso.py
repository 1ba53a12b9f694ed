"""Single sign-on: the operator's host is the OpenID Connect provider, and every member host
is one of its clients, registered per domain (a client's redirect URIs name its host)."""

from django.conf import settings
from django.db import transaction
from django.utils.crypto import salted_hmac
from oauth2_provider.models import get_application_model

from portal.links import host_origin
from tenants.models import Domain

Application = get_application_model()

CALLBACK_PATH = "/comptes/sso/retour/"


def operator_origin() -> str:
    return host_origin(settings.PORTAL_BASE_DOMAIN)


def sso_client_id(*, host: str) -> str:
    return f"commune-{host.lower()}"


def sso_client_secret(*, client_id: str) -> str:
    # Derived from SECRET_KEY: the provider stores only its hash, the client recomputes it,
    # so no secret is kept in clear anywhere.
    return salted_hmac("identity.sso.client-secret", client_id, algorithm="sha256").hexdigest()


@transaction.atomic
def sso_client_register(*, host: str) -> Application:
    """Register (or bring up to date) the SSO client of one member host. Idempotent."""
    client_id = sso_client_id(host=host)
    origin = host_origin(host.lower())
    application, _ = Application.objects.update_or_create(
        client_id=client_id,
        defaults={
            "name": host.lower(),
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            "client_secret": sso_client_secret(client_id=client_id),
            "hash_client_secret": True,
            "algorithm": Application.RS256_ALGORITHM,
            # A commune of the platform is no third party: no consent screen.
            "skip_authorization": True,
            "redirect_uris": origin + CALLBACK_PATH,
            "post_logout_redirect_uris": origin + "/",
        },
    )
    return application


def sso_clients_sync() -> int:
    """Register every member domain (for existing ones, and after the base URL changed)."""
    hosts = list(
        Domain.objects.exclude(tenant__schema_name="public").values_list("domain", flat=True)
    )
    for host in hosts:
        sso_client_register(host=host)
    return len(hosts)
