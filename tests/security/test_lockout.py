"""Lockout that protects without locking out (issue 22): failed logins lock the account from
the address they came from, for a delay that grows with each further failure; the same
account still signs in from another address."""

from datetime import timedelta

from axes.helpers import get_client_cache_keys
from django.core.cache import cache
from django.test import Client, RequestFactory

from portal.limits import lockout_delay
from tests.conftest import PASSWORD

ATTACKER = "203.0.113.5"
OFFICE = "198.51.100.7"


def _login(client, email, password, address):
    return client.post(
        "/comptes/connexion/", {"username": email, "password": password}, REMOTE_ADDR=address
    )


def test_wrong_passwords_from_one_address_do_not_lock_the_admin_out_elsewhere(
    operator, user_factory
):
    admin = user_factory(is_platform_admin=True)
    attacker = Client(HTTP_HOST="localhost")
    for attempt in range(5):
        _login(attacker, admin.email, f"mauvais-{attempt}", ATTACKER)
    locked = _login(attacker, admin.email, PASSWORD, ATTACKER)
    assert locked.status_code == 429 and "Trop de tentatives" in locked.content.decode()
    office = Client(HTTP_HOST="localhost")
    response = _login(office, admin.email, PASSWORD, OFFICE)
    assert response.status_code == 302
    assert response["Location"] == "/comptes/double-authentification/"


def test_a_forwarded_header_does_not_make_a_new_source(operator, user_factory):
    user = user_factory()
    client = Client(HTTP_HOST="localhost")
    for attempt in range(5):
        client.post(
            "/comptes/connexion/",
            {"username": user.email, "password": "faux"},
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}",
        )
    assert _login(client, user.email, PASSWORD, ATTACKER).status_code == 429


def test_the_delay_grows_with_each_failure_past_the_limit(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.LOGIN_LOCKOUT_BASE_SECONDS = 60
    settings.LOGIN_LOCKOUT_MAX_SECONDS = 24 * 3600
    assert lockout_delay(failures=1) == timedelta(minutes=1)
    assert lockout_delay(failures=5) == timedelta(minutes=1)
    assert lockout_delay(failures=6) == timedelta(minutes=2)
    assert lockout_delay(failures=7) == timedelta(minutes=4)
    assert lockout_delay(failures=40) == timedelta(hours=24)


def _lock_seconds_left(email: str, address: str) -> int:
    request = RequestFactory().post("/comptes/connexion/", REMOTE_ADDR=address)
    request.axes_ip_address, request.axes_user_agent = address, ""
    (key,) = get_client_cache_keys(request, {"username": email})
    return cache._cache.get_client(write=False).ttl(cache.make_and_validate_key(key))


def test_the_lock_lasts_longer_after_each_further_try(operator, user_factory, settings):
    settings.LOGIN_LOCKOUT_BASE_SECONDS = 60
    user = user_factory()
    client = Client(HTTP_HOST="localhost")
    for attempt in range(5):
        _login(client, user.email, f"faux-{attempt}", ATTACKER)
    first = _lock_seconds_left(user.email, ATTACKER)
    assert 50 <= first <= 60
    _login(client, user.email, "encore-faux", ATTACKER)
    _login(client, user.email, "encore-faux", ATTACKER)
    assert 230 <= _lock_seconds_left(user.email, ATTACKER) <= 240
