"""Global accounts: French login, logout and password reset pages on every host."""

import re

import pytest
from django.core import mail

from portal.accounts.models import User
from portal.audit.models import HistoryEntry
from tests.conftest import PASSWORD


def test_login_page_is_in_french(operator_client):
    page = operator_client.get("/comptes/connexion/").content.decode()
    assert "Connexion" in page and "Mot de passe oublié" in page
    assert 'lang="fr"' in page


@pytest.mark.parametrize("client_fixture", ["client_a", "client_b"])
def test_a_commune_sends_the_login_to_the_operators_single_sign_on(request, client_fixture):
    client = request.getfixturevalue(client_fixture)
    response = client.get("/comptes/connexion/?next=/rendez-vous/")
    assert response["Location"] == "/comptes/sso/?next=%2Frendez-vous%2F"
    authorize = client.get(response["Location"])["Location"]
    assert authorize.startswith("http://localhost:8000/o/authorize/?response_type=code")


def test_one_account_logs_in_on_every_commune(client_a, client_b, user_factory):
    user = user_factory(email="Camille@Example.fr")
    for client in (client_a, client_b):
        response = client.post(
            "/comptes/connexion/", {"username": "camille@example.fr", "password": PASSWORD}
        )
        assert response.status_code == 302, response.content.decode()
        assert client.session["_auth_user_id"] == str(user.pk)


def test_wrong_password_gets_a_french_error(client_a, user_factory):
    user = user_factory()
    response = client_a.post("/comptes/connexion/", {"username": user.email, "password": "faux"})
    assert "Adresse électronique ou mot de passe incorrect." in response.content.decode()


def test_logout(client_a, user_factory):
    client_a.force_login(user_factory())
    assert client_a.post("/comptes/deconnexion/").status_code == 302
    assert "_auth_user_id" not in client_a.session


def test_password_reset_mails_a_link_to_the_same_host(client_b, tenant_b, user_factory, settings):
    settings.PORTAL_PORT = ""  # the link's port is the configured one (issue 22)
    user = user_factory()
    client_b.post("/comptes/mot-de-passe/oubli/", {"email": user.email})
    assert len(mail.outbox) == 1
    link = re.search(
        r"http://test-b\.localhost/comptes/mot-de-passe/nouveau/\S+", mail.outbox[0].body
    )
    assert link, mail.outbox[0].body
    path = link.group(0).removeprefix("http://test-b.localhost")
    form_page = client_b.get(path, follow=True)
    new_password = "un-nouveau-mot-de-passe-42"
    done = client_b.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)
    # Recorded in the trail, the person who followed the link as actor (issue 22).
    entry = HistoryEntry.objects.get(action="account.password_reset")
    assert (entry.actor_id, entry.collectivite_id) == (user.pk, tenant_b.pk)
    # The link is spent: a second try shows the page of an invalid link, and sets nothing.
    again = client_b.get(path, follow=True)
    assert again.context["validlink"] is False


def test_a_refused_new_password_is_neither_set_nor_recorded(client_a, user_factory):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = user_factory()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    form_url = client_a.get(f"/comptes/mot-de-passe/nouveau/{uid}/{token}/")["Location"]
    data = {"new_password1": "un-nouveau-mot-de-passe-42", "new_password2": "un-autre-mot"}
    assert client_a.post(form_url, data).status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not HistoryEntry.objects.filter(action="account.password_reset").exists()


def test_signup_refuses_passwords_under_12_characters(client_a):
    response = client_a.post(
        "/comptes/inscription/",
        {"email": "nouveau@example.fr", "password1": "Court-123", "password2": "Court-123"},
    )
    assert "au moins 12 caractères" in response.content.decode()
    assert not User.objects.filter(email="nouveau@example.fr").exists()


def test_signup_creates_a_global_account(client_a, client_b):
    password = "une-phrase-de-passe-longue"
    response = client_a.post(
        "/comptes/inscription/",
        {
            "email": "Nouvel.Usager@Example.fr",
            "first_name": "Nour",
            "password1": password,
            "password2": password,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="nouvel.usager@example.fr")
    assert client_b.login(username=user.email, password=password)


def test_email_is_unique_whatever_its_case(user_factory):
    from django.db import IntegrityError

    user_factory(email="unique@example.fr")
    with pytest.raises(IntegrityError):
        User.objects.create(email="UNIQUE@example.fr")


def test_staff_land_on_their_back_office_and_citizens_on_the_home_page(
    client_a, client_b, operator_client, user_factory, member_factory, tenant_a
):
    def login(client, user, next_url=""):
        data = {"username": user.email, "password": PASSWORD}
        url = "/comptes/connexion/" + (f"?next={next_url}" if next_url else "")
        response = client.post(url, data)
        assert response.status_code == 302
        client.logout()
        return response["Location"]

    agent = member_factory(tenant_a)
    assert login(client_a, agent) == "/gestion/"
    # Elsewhere the agent is a citizen like any other; an explicit next page wins.
    assert login(client_b, agent) == "/"
    assert login(client_a, agent, "/demarches/") == "/demarches/"
    assert login(client_a, user_factory()) == "/"
    admin = user_factory(is_platform_admin=True)
    # A platform admin passes the second factor first (issue 12), then lands on /operateur/.
    assert login(operator_client, admin) == "/comptes/double-authentification/"
    # On a member host the local form refuses an account with a second factor: it signs in
    # through the operator's login.
    refused = client_a.post("/comptes/connexion/", {"username": admin.email, "password": PASSWORD})
    assert refused.status_code == 200
    assert "double authentification" in refused.content.decode()
