"""FranceConnect / ProConnect through a real OpenID Connect provider started in the test
(django-oauth-toolkit in its own process on loopback)."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from identity.models import ExternalIdentity
from portal.accounts.models import User
from portal.audit.models import HistoryEntry
from tests.identity.conftest import Browser, text

OPERATOR = "http://localhost"


def _to_upstream_login(hosts, provider="franceconnect"):
    url, response = hosts.go(f"{OPERATOR}/comptes/{provider}/")
    assert url.startswith("http://127.0.0.1:") and "/login/" in url, url
    return url, response


def _until_callback(hosts, username, provider="franceconnect"):
    """Sign in at the provider and stop before the portal's callback: its URL."""
    url, response = _to_upstream_login(hosts, provider)
    # Post the login form, then follow the provider's redirects until the portal's callback.
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text).group(1)
    response = hosts.outside.post(
        url,
        data={
            "csrfmiddlewaretoken": csrf,
            "username": username,
            "password": "mot-de-passe-du-fournisseur",
            "next": parse_qs(urlsplit(url).query)["next"][0],
        },
        allow_redirects=False,
    )
    location = response.headers["Location"]
    response = hosts.outside.get(
        f"http://127.0.0.1:{urlsplit(url).port}{location}", allow_redirects=False
    )
    callback = response.headers["Location"]
    assert callback.startswith(f"{OPERATOR}/comptes/{provider}/retour/?"), callback
    return callback


def test_citizen_signs_in_with_franceconnect_and_only_names_and_email_are_kept(db, upstream, hosts):
    upstream()
    url, response = _to_upstream_login(hosts)
    url, response = hosts.upstream_login(url, response, "camille")
    assert url == f"{OPERATOR}/", url
    user = User.objects.get(email="camille.martin@example.fr")
    assert (user.first_name, user.last_name) == ("Camille", "Martin")
    assert not user.has_usable_password()
    assert ExternalIdentity.objects.filter(user=user, subject="fc-sub-camille").exists()
    session = hosts.client("localhost").session
    assert session["_auth_user_id"] == str(user.pk)
    stored = repr(dict(session)) + repr(User.objects.filter(pk=user.pk).values().get())
    assert "1984-02-29" not in stored and "05061" not in stored and "99100" not in stored


def test_a_replayed_state_is_refused_in_french(db, upstream, hosts):
    upstream()
    callback = _until_callback(hosts, "camille")
    first = hosts.client("localhost").get(callback.removeprefix(OPERATOR))
    assert first.status_code == 302
    hosts.client("localhost").logout()
    replay = hosts.client("localhost").get(callback.removeprefix(OPERATOR))
    assert replay.status_code == 400
    assert "a déjà été utilisée ou ne correspond à aucune connexion en cours" in text(replay)
    assert User.objects.filter(email="camille.martin@example.fr").count() == 1


def test_a_code_issued_for_another_request_fails_the_nonce_check(db, upstream, hosts):
    """Code injection: an attacker's code (their nonce) played into the victim's callback
    with the victim's state is refused; nothing is created."""
    upstream()
    victim = _until_callback(hosts, "camille")
    victim_state = parse_qs(urlsplit(victim).query)["state"][0]
    attacker = Browser()
    attacker_callback = _until_callback(attacker, "camille")
    attacker_code = parse_qs(urlsplit(attacker_callback).query)["code"][0]
    response = hosts.client("localhost").get(
        f"/comptes/franceconnect/retour/?code={attacker_code}&state={victim_state}"
    )
    assert response.status_code == 400
    page = text(response)
    assert "ne correspond pas à votre demande de connexion" in page and "nonce" in page
    assert not User.objects.filter(email="camille.martin@example.fr").exists()
    assert not ExternalIdentity.objects.exists()


def test_an_expired_code_is_refused_and_nothing_is_created(db, upstream, hosts):
    provider = upstream()
    callback = _until_callback(hosts, "camille")
    provider.expire_codes()
    response = hosts.client("localhost").get(callback.removeprefix(OPERATOR))
    assert response.status_code == 400
    assert "le code a expiré ou n'est plus valable" in text(response)
    assert not User.objects.filter(email="camille.martin@example.fr").exists()


def test_an_unverified_email_is_refused_and_nothing_is_created(db, upstream, hosts):
    upstream()
    url, response = _to_upstream_login(hosts)
    url, response = hosts.upstream_login(url, response, "non-verifie")
    assert response.status_code == 400
    assert "n'a pas transmis d'adresse électronique vérifiée" in text(response)
    assert not User.objects.filter(email="noe.durand@example.fr").exists()
    assert not ExternalIdentity.objects.exists()
    assert "_auth_user_id" not in hosts.client("localhost").session


def test_an_existing_account_is_linked_only_after_its_owner_confirms(
    db, upstream, hosts, user_factory
):
    upstream()
    owner = user_factory(email="ines.roux@example.fr", first_name="Inès")
    url, response = _to_upstream_login(hosts)
    url, response = hosts.upstream_login(url, response, "existant")
    assert url == f"{OPERATOR}/comptes/liaison/"
    assert "Relier votre compte à FranceConnect" in text(response)
    assert not ExternalIdentity.objects.exists()
    assert "_auth_user_id" not in hosts.client("localhost").session
    url, response = hosts.go(f"{OPERATOR}/comptes/liaison/", {"confirm": "1"}, method="POST")
    assert ExternalIdentity.objects.get().user == owner
    assert hosts.client("localhost").session["_auth_user_id"] == str(owner.pk)
    # The link is in the trail, its owner as actor (issue 22).
    linked = HistoryEntry.objects.get(action="security.upstream_linked")
    assert (linked.actor_id, linked.subject_id) == (owner.pk, str(owner.pk))


def test_declining_the_link_links_nothing(db, upstream, hosts, user_factory):
    upstream()
    user_factory(email="ines.roux@example.fr")
    url, response = _to_upstream_login(hosts)
    hosts.upstream_login(url, response, "existant")
    hosts.go(f"{OPERATOR}/comptes/liaison/", {"cancel": "1"}, method="POST")
    assert not ExternalIdentity.objects.exists()
    assert not HistoryEntry.objects.filter(action="security.upstream_linked").exists()
    assert "_auth_user_id" not in hosts.client("localhost").session


def test_proconnect_grants_nothing_the_portal_did_not(
    db, upstream, hosts, tenant_a, member_factory
):
    upstream(provider="proconnect")
    url, response = _to_upstream_login(hosts, "proconnect")
    url, response = hosts.upstream_login(url, response, "inconnu")
    assert response.status_code == 400
    assert "Aucun accès n'est ouvert pour paul.blanc@ailleurs.fr" in text(response)
    assert not User.objects.filter(email="paul.blanc@ailleurs.fr").exists()

    agent = member_factory(tenant_a, email="lea.garnier@commune-a.fr")
    memberships_before = list(agent.memberships.values_list("collectivite_id", "role"))
    hosts = Browser()
    url, response = _to_upstream_login(hosts, "proconnect")
    url, response = hosts.upstream_login(url, response, "agent")
    assert url == f"{OPERATOR}/comptes/liaison/"
    hosts.go(f"{OPERATOR}/comptes/liaison/", {"confirm": "1"}, method="POST")
    agent.refresh_from_db()
    assert list(agent.memberships.values_list("collectivite_id", "role")) == memberships_before
    assert not agent.is_platform_admin and not agent.is_finance


def test_logging_out_ends_the_franceconnect_session_too(db, upstream, hosts):
    provider = upstream()
    url, response = _to_upstream_login(hosts)
    hosts.upstream_login(url, response, "camille")
    response = hosts.client("localhost").post("/comptes/deconnexion/")
    end_session = response.headers["Location"]
    assert end_session.startswith(f"{provider.origin}/o/logout/?id_token_hint=")
    url, response = hosts.go(end_session)
    assert url == f"{OPERATOR}/", url
    assert "_auth_user_id" not in hosts.client("localhost").session
    # The provider's own session is over: signing in again asks for the password there.
    url, _ = _to_upstream_login(hosts)
    assert "/login/" in url


@pytest.mark.parametrize("provider", ["franceconnect", "proconnect"])
def test_buttons_follow_the_providers_wording(db, upstream, hosts, provider):
    upstream(provider=provider)
    page = text(hosts.client("localhost").get("/comptes/connexion/"))
    label = {"franceconnect": "FranceConnect", "proconnect": "ProConnect"}[provider]
    assert f"S'identifier avec {label}" in page
    assert f"Qu'est-ce que {label} ?" in page
