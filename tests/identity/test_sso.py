"""Single sign-on across hosts: the operator's provider on the live server, the communes'
clients calling its token endpoint over real HTTP."""

from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from django.contrib.sessions.models import Session
from oauth2_provider.models import get_application_model

from identity.models import SessionRecord
from identity.services.sso import sso_client_id, sso_clients_sync
from tests.conftest import PASSWORD
from tests.identity.conftest import text

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def port(live_server, settings, tenant_a, tenant_b):
    port = live_server.url.rsplit(":", 1)[1]
    settings.PORTAL_PORT = port
    sso_clients_sync()
    return port


def _sign_in_on(hosts, port, slug, user):
    url, response = hosts.go(f"http://{slug}.localhost:{port}/comptes/connexion/?next=/")
    assert url.startswith(f"http://localhost:{port}/comptes/connexion/?next=/o/authorize/")
    assert "Connexion" in text(response)
    next_value = parse_qs(urlsplit(url).query)["next"][0]
    return hosts.go(
        url, {"username": user.email, "password": PASSWORD, "next": next_value}, method="POST"
    )


def _user_id(hosts, host):
    return hosts.client(host).session.get("_auth_user_id")


def test_every_member_domain_is_a_client_of_the_operator(tenant_a):
    application = get_application_model().objects.get(
        client_id=sso_client_id(host="test-a.localhost")
    )
    assert application.skip_authorization and application.redirect_uris.startswith(
        "http://test-a.localhost"
    )


def test_signed_in_once_a_person_reaches_another_commune_without_a_login_page(
    port, hosts, user_factory
):
    user = user_factory()
    url, _ = _sign_in_on(hosts, port, "test-a", user)
    assert url == f"http://test-a.localhost:{port}/"
    assert _user_id(hosts, f"test-a.localhost:{port}") == str(user.pk)
    # Commune B: every hop is a redirect, no login page is shown.
    url, response = hosts.go(f"http://test-b.localhost:{port}/comptes/connexion/?next=/")
    assert url == f"http://test-b.localhost:{port}/" and response.status_code == 200
    assert _user_id(hosts, f"test-b.localhost:{port}") == str(user.pk)
    assert SessionRecord.objects.filter(user=user).count() == 3  # operator, A, B


def test_logging_out_on_one_commune_logs_out_everywhere(port, hosts, user_factory):
    user = user_factory()
    _sign_in_on(hosts, port, "test-a", user)
    hosts.go(f"http://test-b.localhost:{port}/comptes/connexion/?next=/")
    url, _ = hosts.go(f"http://test-b.localhost:{port}/comptes/deconnexion/", {}, method="POST")
    assert url == f"http://test-b.localhost:{port}/"
    for host in ("localhost", "test-a.localhost", "test-b.localhost"):
        assert _user_id(hosts, f"{host}:{port}") is None, host
    assert not SessionRecord.objects.filter(user=user).exists()
    assert not Session.objects.exists() or all(
        s.get_decoded().get("_auth_user_id") != str(user.pk) for s in Session.objects.all()
    )
    # Back on commune A, the login page is shown again.
    url, _ = hosts.go(f"http://test-a.localhost:{port}/comptes/connexion/?next=/")
    assert url.startswith(f"http://localhost:{port}/comptes/connexion/")


def test_a_replayed_sso_answer_is_refused(port, hosts, user_factory):
    user = user_factory()
    url = f"http://test-a.localhost:{port}/comptes/connexion/?next=/"
    response = hosts.request("GET", url)
    response = hosts.request("GET", urljoin(url, response.headers["Location"]))  # SSO start
    authorize = response.headers["Location"]
    hosts.client(f"localhost:{port}").force_login(user)
    callback = hosts.request("GET", authorize).headers["Location"]
    assert "/comptes/sso/retour/?code=" in callback
    first = hosts.request("GET", callback)
    assert first.status_code == 302
    hosts.client(f"test-a.localhost:{port}").logout()
    replay = hosts.request("GET", callback)
    assert replay.status_code == 400
    assert "La réponse de connexion n'est pas valable" in text(replay)
    assert _user_id(hosts, f"test-a.localhost:{port}") is None
