"""OpenID Connect clients (Authlib): a member host's client of the operator's provider, and
the operator's clients of the upstream providers (FranceConnect, ProConnect).

Authlib keeps ``state``, ``nonce`` and the PKCE verifier in the session and checks them on
return: a replayed or foreign ``state`` raises MismatchingStateError, a wrong ``nonce``
InvalidClaimError."""

from authlib.integrations.django_client import OAuth
from django.conf import settings

from identity.services.sso import operator_origin, sso_client_id, sso_client_secret

_registry = OAuth()


def _client(name: str, **config):
    # One Authlib client per configuration (it caches the provider's metadata).
    key = f"{name}:{abs(hash(tuple(sorted((k, str(v)) for k, v in config.items()))))}"
    client = _registry.create_client(key)
    if client is None:
        client = _registry.register(key, **config)
    return client


def sso_client(*, host: str):
    """The member host's client of the operator's provider."""
    client_id = sso_client_id(host=host)
    provider = operator_origin() + "/o"
    # The provider's endpoints are known: no discovery request before each redirect.
    return _client(
        "sso",
        client_id=client_id,
        client_secret=sso_client_secret(client_id=client_id),
        authorize_url=provider + "/authorize/",
        access_token_url=provider + "/token/",
        issuer=provider,
        jwks_uri=provider + "/.well-known/jwks.json",
        userinfo_endpoint=provider + "/userinfo/",
        end_session_endpoint=provider + "/logout/",
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"},
    )


def upstream_enabled(name: str) -> bool:
    config = settings.IDENTITY_UPSTREAMS.get(name) or {}
    return bool(config.get("client_id") and config.get("issuer"))


def upstream_client(name: str):
    """The operator's client of an upstream provider configured by environment variables."""
    config = settings.IDENTITY_UPSTREAMS[name]
    issuer = config["issuer"].rstrip("/")
    return _client(
        name,
        client_id=config["client_id"],
        client_secret=config["client_secret"],
        server_metadata_url=issuer + "/.well-known/openid-configuration",
        client_kwargs={"scope": config["scope"]},
    )
