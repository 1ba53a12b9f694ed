"""One policy for staff access (issue 22): every staff surface of the operator's host and of a
commune's host refuses a session that has not passed the second factor where the account
must use one. The URL resolver is walked, as the suspension gate's test does, so that a
route added later is tried too."""

import re
import time

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp.plugins.otp_static.models import StaticToken

from identity.services.sessions import VERIFIED_AT_KEY
from tenants.models import Membership
from tests.conftest import PASSWORD, password_only_login, staff_login

ARG = re.compile(r"<(?:(\w+):)?(\w+)>")
VERIFY = "/comptes/verification/"


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


REGEX_GROUP = re.compile(r"\(\?P<\w+>[^)]*\)")


def _concrete(route: str) -> str:
    """A path the route matches: 1 for numbers, x for other values (regex routes too)."""
    route = REGEX_GROUP.sub("1", route)
    route = route.replace("^", "").replace("$", "").replace("\\Z", "").replace("/?", "/")
    return "/" + ARG.sub(lambda m: "1" if m.group(1) == "int" else "x", route)


# The staff surfaces named by issue 22, by where they are mounted (not by how the views
# are written): a route added under them later is tried too.
OPERATOR_STAFF = (
    "operateur/",
    "facturation/",
    "conventions/",
    "administration-technique/",
    "api/facturation/",
    "api/conventions/",
    "o/authorize/",
)
PUBLIC_ROUTES = sorted(set(_walk(get_resolver("portal.urls_public").url_patterns)))
TENANT_ROUTES = sorted(set(_walk(get_resolver("portal.urls_tenant").url_patterns)))
OPERATOR_STAFF_ROUTES = [
    r
    for r in PUBLIC_ROUTES
    if r.startswith(OPERATOR_STAFF) and r != "administration-technique/login/"
]
MEMBER_STAFF_ROUTES = [
    r
    for r in TENANT_ROUTES
    if "gestion/" in r
    or r == "comptes/securite-commune/"
    or r.endswith(("/qualifier/", "/decider/"))
]


def test_the_walk_finds_every_kind_of_staff_surface():
    found = set(OPERATOR_STAFF_ROUTES) | set(MEMBER_STAFF_ROUTES)
    for expected in (
        "operateur/",
        "operateur/courriels/",
        "operateur/assistance/",
        "facturation/",
        "conventions/",
        "o/authorize/",
        "gestion/",
        "gestion/assistance/",
        "demarches/gestion/demandes/<int:pk>/",
    ):
        assert expected in found, expected
    for prefix in ("administration-technique/", "api/facturation/", "api/conventions/"):
        assert any(r.startswith(prefix) for r in found), prefix
    assert len(OPERATOR_STAFF_ROUTES) >= 40 and len(MEMBER_STAFF_ROUTES) >= 40


def _refused_by_the_gate(response, route: str) -> bool:
    if route.startswith("api/"):
        return response.status_code == 403 and response.json().get("code") == "second_factor"
    return response.status_code == 302 and response["Location"].startswith(VERIFY)


@pytest.fixture
def platform_admin_unverified(operator, user_factory):
    """The issue's intruder: the platform admin's password alone opened a session."""
    admin = user_factory(is_platform_admin=True, is_staff=True, is_superuser=True)
    return admin, password_only_login(Client(HTTP_HOST="localhost"), admin)


def _not_refused(client, routes, **extra) -> list:
    """The routes (GET and POST) that the gate let through."""
    passed = []
    for route in routes:
        for method in ("get", "post"):
            response = getattr(client, method)(_concrete(route), **extra)
            if not _refused_by_the_gate(response, route):
                passed.append((method, route, response.status_code))
    return passed


def _refused(client, routes) -> list:
    """The routes (GET) that the gate refused (past it, a made-up id may fail: not tried)."""
    client.raise_request_exception = False
    return [route for route in routes if _refused_by_the_gate(client.get(_concrete(route)), route)]


def test_an_unverified_platform_admin_reaches_no_operator_staff_surface(platform_admin_unverified):
    _, client = platform_admin_unverified
    assert _not_refused(client, OPERATOR_STAFF_ROUTES) == []


def test_a_verified_platform_admin_passes_the_gate(platform_admin_unverified):
    admin, client = platform_admin_unverified
    staff_login(client, admin)
    assert _refused(client, OPERATOR_STAFF_ROUTES) == []
    assert client.get("/operateur/").status_code == 200


@pytest.fixture
def enrolled_member_unverified(tenant_a, member_factory, client_a):
    """An admin of commune A who enrolled a second factor, in a session that did not pass it."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    admin = member_factory(tenant_a, role=Membership.Role.ADMIN)
    TOTPDevice.objects.create(user=admin, name="Téléphone", confirmed=True)
    return admin, password_only_login(client_a, admin)


def test_an_unverified_member_reaches_no_back_office_surface(enrolled_member_unverified):
    _, client = enrolled_member_unverified
    assert _not_refused(client, MEMBER_STAFF_ROUTES, content_type="application/json") == []


def test_a_verified_member_passes_the_gate(enrolled_member_unverified):
    admin, client = enrolled_member_unverified
    staff_login(client, admin)
    assert _refused(client, MEMBER_STAFF_ROUTES) == []
    assert client.get("/gestion/").status_code == 200


def test_the_support_desk_needs_the_second_factor_too(operator, user_factory):
    from support.models import DeskMember

    desk = user_factory()
    DeskMember.objects.create(user=desk)
    client = password_only_login(Client(HTTP_HOST="localhost"), desk)
    response = client.get("/operateur/assistance/")
    assert response["Location"].startswith(VERIFY)
    staff_login(client, desk)
    assert client.get("/operateur/assistance/").status_code == 200


def test_the_sso_provider_gives_no_code_to_an_unverified_staff_session(platform_admin_unverified):
    _, client = platform_admin_unverified
    response = client.get("/o/authorize/?client_id=x&response_type=code&scope=openid")
    assert response["Location"].startswith(VERIFY)
    assert "%2Fo%2Fauthorize%2F%3Fclient_id%3Dx" in response["Location"]


def test_a_citizen_reaches_the_provider_without_a_second_factor(operator, user_factory):
    client = Client(HTTP_HOST="localhost")
    client.force_login(user_factory())
    response = client.get("/o/authorize/?client_id=x&response_type=code&scope=openid")
    assert not response.get("Location", "").startswith(VERIFY)


# --- the technical admin uses the portal's login ---------------------------------------


def test_the_technical_admin_has_no_password_only_login(operator, user_factory):
    admin = user_factory(is_platform_admin=True, is_staff=True, is_superuser=True)
    client = Client(HTTP_HOST="localhost")
    response = client.post(
        "/administration-technique/login/",
        {"username": admin.email, "password": PASSWORD, "next": "/operateur/"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/connexion/")
    assert "_auth_user_id" not in client.session
    assert client.get("/operateur/courriels/")["Location"].startswith("/comptes/connexion/")


def test_the_technical_admin_login_page_sends_to_the_portals_login(operator):
    response = Client(HTTP_HOST="localhost").get(
        "/administration-technique/login/?next=/administration-technique/"
    )
    assert response["Location"] == "/comptes/connexion/?next=/administration-technique/"


def test_the_technical_admin_is_reached_after_the_second_factor(operator, user_factory):
    admin = user_factory(is_platform_admin=True, is_staff=True, is_superuser=True)
    client = staff_login(Client(HTTP_HOST="localhost"), admin)
    assert client.get("/administration-technique/").status_code == 200


# --- the verification step --------------------------------------------------------------


def test_the_verification_step_opens_the_staff_surfaces(platform_admin_unverified):
    from tests.identity.conftest import totp_code, totp_enrolled

    admin, client = platform_admin_unverified
    device = totp_enrolled(admin)
    response = client.get("/operateur/courriels/")
    assert response["Location"] == f"{VERIFY}?next=%2Foperateur%2Fcourriels%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Code de vérification" in page.content.decode()
    wrong = client.post(response["Location"], {"code": "000000"})
    assert wrong.status_code == 200
    assert client.get("/operateur/courriels/").status_code == 302
    time.sleep(1.1)  # django-otp makes the next try wait after a wrong code
    done = client.post(response["Location"], {"code": totp_code(device)})
    assert done["Location"] == "/operateur/courriels/"
    assert client.get("/operateur/courriels/").status_code == 200


def test_a_platform_admin_without_a_device_enrols_at_the_verification_step(
    platform_admin_unverified,
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.identity.conftest import totp_code

    admin, client = platform_admin_unverified
    page = client.get(f"{VERIFY}?next=/operateur/")
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    done = client.post(f"{VERIFY}?next=/operateur/", {"code": totp_code(device)})
    assert "Vos codes de secours" in done.content.decode()
    assert client.get("/operateur/").status_code == 200


# --- fresh authentication for security-sensitive changes -----------------------------------


def _age_verification(client, seconds: int) -> None:
    session = client.session
    session[VERIFIED_AT_KEY] = int(time.time()) - seconds
    session.save()


def test_new_recovery_codes_need_a_fresh_second_factor(platform_admin_unverified, settings):
    from tests.identity.conftest import totp_enrolled

    admin, client = platform_admin_unverified
    totp_enrolled(admin)
    before = set(StaticToken.objects.filter(device__user=admin).values_list("token", flat=True))
    response = client.post("/comptes/mon-compte/double-authentification/codes/")
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    after = set(StaticToken.objects.filter(device__user=admin).values_list("token", flat=True))
    assert after == before
    # Verified, but long ago: asked again.
    staff_login(client, admin)
    _age_verification(client, settings.IDENTITY_REAUTH_SECONDS + 1)
    response = client.post("/comptes/mon-compte/double-authentification/codes/")
    assert response["Location"].startswith(VERIFY)
    # Just verified: done.
    staff_login(client, admin)
    response = client.post("/comptes/mon-compte/double-authentification/codes/")
    assert "Vos codes de secours" in response.content.decode()


def test_disabling_the_second_factor_needs_a_fresh_one(client_a, user_factory):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.identity.conftest import totp_code, totp_enrolled

    citizen = user_factory()
    device = totp_enrolled(citizen)
    password_only_login(client_a, citizen)
    response = client_a.post("/comptes/mon-compte/double-authentification/desactiver/")
    assert response["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=citizen).exists()
    client_a.post(response["Location"], {"code": totp_code(device)})
    client_a.post("/comptes/mon-compte/double-authentification/desactiver/")
    assert not TOTPDevice.objects.filter(user=citizen).exists()


def test_an_email_change_asks_the_password_of_an_account_without_second_factor(
    client_a, user_factory
):
    from django.core import mail

    citizen = user_factory()
    client_a.force_login(citizen)
    _age_verification(client_a, 3600)  # signed in an hour ago
    response = client_a.post("/comptes/mon-compte/adresse/", {"email": "nouvelle@example.fr"})
    assert response["Location"].startswith(VERIFY)
    assert not mail.outbox
    page = client_a.get(response["Location"]).content.decode()
    assert "Mot de passe" in page
    wrong = client_a.post(response["Location"], {"password": "pas-le-bon"})
    assert wrong.status_code == 200 and "incorrect" in wrong.content.decode()
    client_a.post(response["Location"], {"password": PASSWORD})
    response = client_a.post("/comptes/mon-compte/adresse/", {"email": "nouvelle@example.fr"})
    assert response["Location"] == "/comptes/mon-compte/"


# --- staff sessions end after a working day of inactivity --------------------------------


def test_a_staff_session_ends_after_a_working_day_idle(platform_admin_unverified, settings):
    from identity.services.sessions import SEEN_AT_KEY

    admin, client = platform_admin_unverified
    staff_login(client, admin)
    assert client.get("/operateur/").status_code == 200
    session = client.session
    session[SEEN_AT_KEY] = int(time.time()) - settings.STAFF_SESSION_IDLE_SECONDS - 1
    session.save()
    response = client.get("/operateur/")
    assert response["Location"].startswith("/comptes/connexion/")
    assert "_auth_user_id" not in client.session


def test_a_staff_session_in_use_stays_open(platform_admin_unverified, settings):
    from identity.services.sessions import SEEN_AT_KEY

    admin, client = platform_admin_unverified
    staff_login(client, admin)
    session = client.session
    session[SEEN_AT_KEY] = int(time.time()) - settings.STAFF_SESSION_IDLE_SECONDS + 600
    session.save()
    assert client.get("/operateur/").status_code == 200
    assert client.session[SEEN_AT_KEY] >= int(time.time()) - 5


def test_a_citizen_session_keeps_its_two_weeks(operator_client, user_factory, settings):
    from identity.services.sessions import SEEN_AT_KEY

    citizen = user_factory()
    operator_client.post("/comptes/connexion/", {"username": citizen.email, "password": PASSWORD})
    assert operator_client.get("/comptes/mon-compte/").status_code == 200
    session = operator_client.session
    assert SEEN_AT_KEY not in session
    assert session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_a_staff_session_expires_after_the_idle_limit(platform_admin_unverified, settings):
    admin, client = platform_admin_unverified
    staff_login(client, admin)
    client.get("/operateur/")
    assert client.session.get_expiry_age() == settings.STAFF_SESSION_IDLE_SECONDS
