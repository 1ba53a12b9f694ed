"""Signing in and out. The operator's host holds the one login (password, FranceConnect,
ProConnect, second factor); a member host sends people there through OpenID Connect."""

from urllib.parse import urlsplit

from authlib.common.errors import AuthlibBaseError
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView, redirect_to_login
from django.core import signing
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice
from joserfc.errors import JoseError
from oauth2_provider.exceptions import InvalidOIDCClientError, InvalidOIDCRedirectURIError
from oauth2_provider.models import get_application_model
from oauth2_provider.views import RPInitiatedLogoutView

from identity.branding import login_identity
from identity.clients import sso_client, upstream_client, upstream_enabled
from identity.services.second_factor import second_factor_required
from identity.services.sessions import SSO_ID_TOKEN_KEY, UPSTREAM_KEY, user_sessions_end
from identity.services.sso import CALLBACK_PATH, operator_origin
from identity.views.common import NEXT_KEY, complete_sign_in, is_operator_host, refuse, safe_next
from identity.views.common import sign_in as identity_sign_in
from portal.accounts.forms import LoginForm
from portal.accounts.models import User
from portal.permissions import staff_landing
from tenants.models import Domain

LOGOUT_STATE_SALT = "identity.logout"
LOGOUT_URI_INVALID = "L'adresse de retour après la déconnexion n'est pas valide."


class PortalLoginView(LoginView):
    """The operator's login page. On a member host, GET goes to single sign-on; the local
    form still accepts accounts without a second factor (test clients and scripts), and
    refuses the others as it refuses a wrong password."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm

    def get(self, request, *args, **kwargs):
        if not is_operator_host(request):
            query = urlencode({"next": safe_next(request, request.GET.get("next"))})
            return redirect(f"{reverse('identity:sso_start')}?{query}")
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        user = form.get_user()
        # Without a next page, staff land on their back office (issue 11).
        landing = staff_landing(user=user, tenant=getattr(self.request, "tenant", None))
        next_url = safe_next(self.request, self.get_redirect_url() or None, default=landing or "/")
        if not is_operator_host(self.request):
            if second_factor_required(user=user):
                # Issue 22: the same answer, and the same failure counted, as a wrong
                # password: this form must not tell whether the password was right.
                user_login_failed.send(
                    sender=__name__,
                    credentials={"username": form.cleaned_data["username"]},
                    request=self.request,
                )
                form.add_error(None, form.get_invalid_login_error())
                return self.form_invalid(form)
            return complete_sign_in(self.request, user, method="password", next_url=next_url)
        return identity_sign_in(self.request, user, method="password", next_url=next_url)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["upstreams"] = [
            name
            for name in ("franceconnect", "proconnect")
            if is_operator_host(self.request) and upstream_enabled(name)
        ]
        # The commune that sent the person keeps its identity here (issue 24 §1).
        context.update(login_identity(next_url=context.get("next")))
        return context


def technical_admin_login(request):
    """Issue 22: the technical admin has no login of its own (a password alone opened a
    session there): the portal's login, second factor included, then back."""
    return redirect_to_login(
        safe_next(request, request.GET.get("next"), default="/administration-technique/")
    )


def sso_start(request):
    """Member host: no session here, so ask the operator's provider who this is."""
    request.session[NEXT_KEY] = safe_next(request, request.GET.get("next"), default="")
    client = sso_client(host=request.get_host().split(":")[0])
    return client.authorize_redirect(request, request.build_absolute_uri(CALLBACK_PATH))


def sso_callback(request):
    client = sso_client(host=request.get_host().split(":")[0])
    try:
        token = client.authorize_access_token(request)
    except (AuthlibBaseError, JoseError):
        return refuse(
            request,
            "La réponse de connexion n'est pas valable (déjà utilisée, expirée ou ne "
            "correspondant à aucune demande). Recommencez la connexion.",
        )
    user = User.objects.filter(pk=token["userinfo"]["sub"], is_active=True).first()
    if user is None:
        return refuse(request, "Ce compte est désactivé.")
    next_url = (
        request.session.pop(NEXT_KEY, "")
        or staff_landing(user=user, tenant=getattr(request, "tenant", None))
        or "/"
    )
    return complete_sign_in(
        request,
        user,
        method="sso",
        next_url=next_url,
        extra={SSO_ID_TOKEN_KEY: token["id_token"]},
        device=_device_verified_by_provider(user),
    )


def _device_verified_by_provider(user):
    """Issue 22: the provider's authorize endpoint gives a code to an account that must use
    a second factor only from a session that passed it (identity.staff_access), so this
    session has passed it too."""
    if not second_factor_required(user=user):
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def _upstream_logout(request, upstream: dict, final_url: str):
    """Send the browser to the upstream provider's end of session, then to ``final_url``."""
    client = upstream_client(upstream["provider"])
    endpoint = client.load_server_metadata().get("end_session_endpoint")
    if not endpoint:
        return HttpResponseRedirect(final_url)
    query = urlencode(
        {
            "id_token_hint": upstream["id_token"],
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("identity:logout_done")),
            "state": signing.dumps(final_url, salt=LOGOUT_STATE_SALT),
        }
    )
    return HttpResponseRedirect(f"{endpoint}?{query}")


@require_POST
def logout_view(request):
    """Logging out anywhere logs out everywhere: every session of the account, on every
    host, ends; a member host also ends the provider's session, which ends FranceConnect's
    or ProConnect's."""
    user = request.user
    home = request.build_absolute_uri("/")
    if not is_operator_host(request):
        id_token = request.session.get(SSO_ID_TOKEN_KEY)
        logout(request)
        if id_token:
            # RP-initiated logout at the provider, which ends every session of the account.
            query = urlencode({"id_token_hint": id_token, "post_logout_redirect_uri": home})
            return HttpResponseRedirect(f"{operator_origin()}/o/logout/?{query}")
        if user.is_authenticated:
            user_sessions_end(user=user)
        return redirect(home)
    upstream = request.session.get(UPSTREAM_KEY)
    if user.is_authenticated:
        user_sessions_end(user=user)
    logout(request)
    if upstream:
        return _upstream_logout(request, upstream, home)
    return redirect(home)


def _url_parses(url: str) -> bool:
    """Whether ``url``'s parts, its port included, can be read."""
    try:
        port = urlsplit(url).port  # a port that is no number (or > 65535) raises
    except ValueError:
        return False
    return port != 0


class ProviderLogoutView(RPInitiatedLogoutView):
    """The provider's end-session endpoint (RP-initiated logout): ends every session of the
    account, then FranceConnect's or ProConnect's session if it was opened through one."""

    def validate_logout_request(self, id_token_hint, client_id, post_logout_redirect_uri):
        # Issue 22: the library reads the URI's port as a number and looks the client up
        # unguarded (500): a URI without a valid port, or an unknown client, is refused (400).
        if not _url_parses(post_logout_redirect_uri or ""):
            raise InvalidOIDCRedirectURIError(LOGOUT_URI_INVALID)
        if client_id and not get_application_model().objects.filter(client_id=client_id).exists():
            raise InvalidOIDCClientError()
        return super().validate_logout_request(id_token_hint, client_id, post_logout_redirect_uri)

    def do_logout(
        self, application=None, post_logout_redirect_uri=None, state=None, token_user=None
    ):
        user = token_user or self.request.user
        upstream = self.request.session.get(UPSTREAM_KEY)
        if user.is_authenticated:
            user_sessions_end(user=user)
        response = super().do_logout(application, post_logout_redirect_uri, state, token_user)
        if upstream:
            return _upstream_logout(self.request, upstream, response["Location"])
        return response


def logout_done(request):
    """Back from the upstream provider's logout: on to where the logout started."""
    try:
        final_url = signing.loads(request.GET.get("state", ""), salt=LOGOUT_STATE_SALT, max_age=600)
    except signing.BadSignature:
        return redirect("/")
    host = final_url.split("://", 1)[-1].split("/", 1)[0].split(":")[0]
    if host == request.get_host().split(":")[0] or Domain.objects.filter(domain=host).exists():
        return HttpResponseRedirect(final_url)
    return redirect("/")
