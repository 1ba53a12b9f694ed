"""Abuse limits on accounts (issue 8): per-account lockout (django-axes) and per-IP limits
(django-ratelimit) on login, sign-up and password reset, counted in the real Redis; a
sign-up that does not tell who has an account."""

import re

from django.core import mail

from portal.accounts.models import User
from tests.conftest import PASSWORD


def _login(client, email, password):
    return client.post("/comptes/connexion/", {"username": email, "password": password})


def test_forty_wrong_passwords_lock_the_account_even_with_the_right_one(client_a, user_factory):
    user = user_factory(email="cible@example.fr")
    for attempt in range(40):
        # Case and IP do not matter: the account is what is counted.
        email = user.email.upper() if attempt % 2 else user.email
        response = _login(client_a, email, f"mauvais-{attempt}")
        assert response.status_code in (200, 429)
    locked = _login(client_a, user.email, PASSWORD)
    assert locked.status_code == 429 and "Trop de tentatives" in locked.content.decode()
    assert "_auth_user_id" not in client_a.session


def test_the_lockout_comes_after_the_configured_failures(client_a, user_factory, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = user_factory()
    assert _login(client_a, user.email, "faux-1").status_code == 200
    assert _login(client_a, user.email, "faux-2").status_code == 200
    assert _login(client_a, user.email, "faux-3").status_code == 429
    locked = _login(client_a, user.email, PASSWORD)
    assert locked.status_code == 429
    assert "Trop de tentatives de connexion pour ce compte" in locked.content.decode()
    # Another account from the same IP is not locked.
    other = user_factory()
    assert _login(client_a, other.email, PASSWORD).status_code == 302


def test_a_success_resets_the_failures(client_a, user_factory, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = user_factory()
    assert _login(client_a, user.email, "faux").status_code == 200
    assert _login(client_a, user.email, "faux").status_code == 200
    assert _login(client_a, user.email, PASSWORD).status_code == 302
    client_a.logout()
    assert _login(client_a, user.email, "faux").status_code == 200
    assert _login(client_a, user.email, PASSWORD).status_code == 302


def test_logins_are_limited_per_ip_with_a_french_429_page(client_a, user_factory, settings):
    settings.PORTAL_RATE_LIMITS = settings.PORTAL_RATE_LIMITS | {"login:ip": "3/m"}
    users = [user_factory() for _ in range(4)]
    for user in users[:3]:
        assert _login(client_a, user.email, "faux").status_code == 200
    refused = _login(client_a, users[3].email, PASSWORD)
    assert refused.status_code == 429 and refused["Retry-After"]
    assert "Trop de tentatives" in refused.content.decode()
    assert "_auth_user_id" not in client_a.session


def _signup(client, email, password="une-phrase-de-passe-longue"):
    return client.post(
        "/comptes/inscription/",
        {"email": email, "first_name": "Nour", "password1": password, "password2": password},
        follow=True,
    )


def _page(response) -> str:
    return re.sub(r'value="[^"]{40,}"', "", response.content.decode())  # CSRF tokens


def test_signup_answers_the_same_whether_the_account_exists(client_a, user_factory):
    user_factory(email="deja@example.fr")
    existing = _signup(client_a, "Deja@Example.fr", "un-autre-mot-de-passe-long")
    fresh = _signup(client_a, "nouveau@example.fr")
    assert existing.status_code == fresh.status_code == 200
    assert existing.redirect_chain == fresh.redirect_chain
    assert _page(existing) == _page(fresh)
    assert "existe déjà" not in existing.content.decode()
    # The owner of the existing address is told by mail; nothing changed on the account.
    attempt, welcome = mail.outbox
    assert attempt.to == ["deja@example.fr"] and "Quelqu'un a tenté" in attempt.body
    assert "/comptes/mot-de-passe/oubli/" in attempt.body
    assert welcome.to == ["nouveau@example.fr"] and "est créé" in welcome.body
    assert User.objects.filter(email__iexact="deja@example.fr").count() == 1
    assert not User.objects.get(email="deja@example.fr").check_password(
        "un-autre-mot-de-passe-long"
    )
    assert User.objects.get(email="nouveau@example.fr").check_password("une-phrase-de-passe-longue")


def test_signups_are_limited_per_ip_and_per_address(client_a, settings):
    settings.PORTAL_RATE_LIMITS = settings.PORTAL_RATE_LIMITS | {
        "signup:ip": "4/h",
        "signup:account": "2/h",
    }
    assert _signup(client_a, "a@example.fr").status_code == 200
    assert _signup(client_a, "a@example.fr").status_code == 200
    assert _signup(client_a, "a@example.fr").status_code == 429
    assert _signup(client_a, "b@example.fr").status_code == 200
    assert _signup(client_a, "c@example.fr").status_code == 429  # 5th from this IP
    assert len(mail.outbox) == 3


def test_password_resets_are_limited_per_address(client_a, user_factory, settings):
    settings.PORTAL_RATE_LIMITS = settings.PORTAL_RATE_LIMITS | {"password-reset:account": "2/h"}
    user = user_factory()
    url = "/comptes/mot-de-passe/oubli/"
    assert client_a.post(url, {"email": user.email}).status_code == 302
    assert client_a.post(url, {"email": user.email.upper()}).status_code == 302
    refused = client_a.post(url, {"email": user.email})
    assert refused.status_code == 429 and "Trop de tentatives" in refused.content.decode()
    assert len(mail.outbox) == 2
