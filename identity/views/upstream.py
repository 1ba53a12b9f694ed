"""FranceConnect (citizens) and ProConnect (staff) on the operator's host."""

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError
from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from joserfc.errors import JoseError

from identity.clients import upstream_client, upstream_enabled
from identity.services.sessions import UPSTREAM_KEY
from identity.services.upstream import (
    LABELS,
    UpstreamIdentity,
    UpstreamRefused,
    upstream_identity_from_claims,
    upstream_link_confirm,
    upstream_sign_in,
)
from identity.views.common import NEXT_KEY, is_operator_host, refuse, safe_next, sign_in
from portal.accounts.models import User

LINK_KEY = "identity_upstream_link"


def _client_or_404(request, provider: str):
    if provider not in LABELS or not is_operator_host(request) or not upstream_enabled(provider):
        raise Http404
    return upstream_client(provider)


def upstream_start(request, provider: str):
    client = _client_or_404(request, provider)
    request.session[NEXT_KEY] = safe_next(request, request.GET.get("next"))
    callback = request.build_absolute_uri(reverse("identity:upstream_callback", args=[provider]))
    acr_values = settings.IDENTITY_UPSTREAMS[provider].get("acr_values")
    extra = {"acr_values": acr_values} if acr_values else {}
    return client.authorize_redirect(request, callback, **extra)


def _claims(client, token) -> dict:
    claims = dict(token.get("userinfo") or {})
    try:
        extra = client.userinfo(token=token)
    except (AuthlibBaseError, ValueError):
        extra = {}
    # The userinfo answer may only add to the ID token's claims about the same subject.
    if extra.get("sub") == claims.get("sub"):
        claims.update(extra)
    return claims


def _token(request, client, label: str) -> dict:
    """The provider's tokens for this callback; UpstreamRefused (French, saying what to do)
    when its answer is stale, forged or refused."""
    try:
        return client.authorize_access_token(request)
    except MismatchingStateError:
        raise UpstreamRefused(
            f"Cette réponse de {label} a déjà été utilisée ou ne correspond à aucune "
            "connexion en cours (paramètre « state »). Recommencez la connexion."
        ) from None
    except JoseError as error:
        # A wrong nonce, audience, issuer or signature in the ID token.
        raise UpstreamRefused(
            f"La réponse de {label} ne correspond pas à votre demande de connexion "
            f"(jeton d'identité invalide : {error.description}). Recommencez la connexion."
        ) from None
    except AuthlibBaseError:
        raise UpstreamRefused(
            f"{label} n'a pas confirmé la connexion : le code a expiré ou n'est plus "
            "valable. Recommencez la connexion."
        ) from None


def upstream_callback(request, provider: str):
    client = _client_or_404(request, provider)
    try:
        token = _token(request, client, LABELS[provider])
        identity = upstream_identity_from_claims(
            provider=provider,
            claims=_claims(client, token),
            trusts_email=settings.IDENTITY_UPSTREAMS[provider].get("trusts_email", False),
        )
        outcome = upstream_sign_in(identity=identity)
    except UpstreamRefused as refusal:
        return refuse(request, str(refusal))
    upstream = {UPSTREAM_KEY: {"provider": provider, "id_token": token.get("id_token", "")}}
    next_url = request.session.pop(NEXT_KEY, "/")
    if outcome.needs_confirmation:
        request.session[LINK_KEY] = {
            "identity": identity.as_session(),
            "user": outcome.user.pk,
            "next": next_url,
            "upstream": upstream,
        }
        return redirect("identity:upstream_link")
    return sign_in(request, outcome.user, method=provider, next_url=next_url, extra=upstream)


def upstream_link(request):
    """An account already has the verified e-mail: link it only if the person agrees."""
    pending = request.session.get(LINK_KEY)
    if not pending:
        return redirect("accounts:login")
    identity = UpstreamIdentity(**pending["identity"])
    user = User.objects.get(pk=pending["user"])
    if request.method == "POST":
        del request.session[LINK_KEY]
        if "confirm" not in request.POST:
            return redirect("accounts:login")
        try:
            upstream_link_confirm(identity=identity, user=user)
        except UpstreamRefused as refusal:
            return refuse(request, str(refusal))
        return sign_in(
            request,
            user,
            method=identity.provider,
            next_url=pending["next"],
            extra=pending["upstream"],
        )
    return render(request, "identity/upstream_link.html", {"identity": identity})
