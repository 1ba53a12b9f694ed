"""Second factor: TOTP (django-otp) with recovery codes, mandatory for platform admins and
finance staff, asked at every sign-in of an account that enrolled one."""

import re

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD
from tests.identity.conftest import text, totp_code, totp_enrolled

_code = totp_code


def _password_step(client, user):
    return client.post(
        "/comptes/connexion/", {"username": user.email, "password": PASSWORD, "next": "/"}
    )


@pytest.fixture
def enrolled_admin(user_factory):
    admin = user_factory(is_platform_admin=True)
    return admin, totp_enrolled(admin)


def test_a_platform_admin_enrols_before_any_session_opens(operator_client, user_factory):
    admin = user_factory(is_platform_admin=True)
    response = _password_step(operator_client, admin)
    assert response["Location"] == "/comptes/double-authentification/"
    assert "_auth_user_id" not in operator_client.session
    page = text(operator_client.get(response["Location"]))
    assert "<svg" in page and "Code QR" in page
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    response = operator_client.post(response["Location"], {"code": _code(device)})
    page = text(response)
    assert "Vos codes de secours" in page
    assert len(re.findall(r"<li><code>", page)) == 10
    assert operator_client.session["_auth_user_id"] == str(admin.pk)
    assert TOTPDevice.objects.get(user=admin).confirmed


def test_finance_staff_must_use_it_too(operator_client, user_factory):
    finance = user_factory(is_finance=True)
    assert _password_step(operator_client, finance)["Location"].endswith(
        "/double-authentification/"
    )


def test_a_citizen_without_second_factor_signs_in_with_the_password_alone(
    operator_client, user_factory
):
    citizen = user_factory()
    assert _password_step(operator_client, citizen)["Location"] == "/"
    assert operator_client.session["_auth_user_id"] == str(citizen.pk)


def test_the_right_code_opens_the_session(operator_client, enrolled_admin):
    admin, device = enrolled_admin
    _password_step(operator_client, admin)
    response = operator_client.post("/comptes/double-authentification/", {"code": _code(device)})
    assert response["Location"] == "/"
    assert operator_client.session["_auth_user_id"] == str(admin.pk)
    assert operator_client.session.get("otp_device_id")


def test_five_wrong_codes_are_refused_in_french_even_before_the_right_one(
    operator_client, enrolled_admin, settings
):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the lock is what is tested here, not the wait
    admin, device = enrolled_admin
    _password_step(operator_client, admin)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    for _attempt in range(5):
        page = text(operator_client.post("/comptes/double-authentification/", {"code": wrong}))
    assert "Trop de codes erronés (5 à la suite)" in page
    response = operator_client.post("/comptes/double-authentification/", {"code": _code(device)})
    assert response.status_code == 200
    assert "Trop de codes erronés (5 à la suite)" in text(response)
    assert "_auth_user_id" not in operator_client.session


def test_a_wrong_code_makes_the_next_try_wait(operator_client, enrolled_admin):
    admin, device = enrolled_admin
    _password_step(operator_client, admin)
    first = text(operator_client.post("/comptes/double-authentification/", {"code": "000000"}))
    assert "Code incorrect" in first
    second = operator_client.post("/comptes/double-authentification/", {"code": _code(device)})
    assert "attendez quelques secondes" in text(second)
    assert "_auth_user_id" not in operator_client.session


def test_a_recovery_code_works_once(operator_client, enrolled_admin, settings):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    admin, _ = enrolled_admin
    recovery = StaticToken.objects.filter(device__user=admin).first().token
    _password_step(operator_client, admin)
    response = operator_client.post("/comptes/double-authentification/", {"code": recovery})
    assert response["Location"] == "/"
    operator_client.logout()
    _password_step(operator_client, admin)
    again = operator_client.post("/comptes/double-authentification/", {"code": recovery})
    assert "Code incorrect" in text(again)
    assert "_auth_user_id" not in operator_client.session


def test_a_commune_form_does_not_bypass_the_second_factor(client_a, enrolled_admin):
    admin, _ = enrolled_admin
    response = client_a.post("/comptes/connexion/", {"username": admin.email, "password": PASSWORD})
    assert "Adresse électronique ou mot de passe incorrect" in text(response)
    assert "_auth_user_id" not in client_a.session


def _without_token(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def test_a_commune_form_answers_the_same_whether_the_password_is_right_or_not(
    client_a, enrolled_admin
):
    """Issue 22: no password oracle for accounts with a second factor."""
    admin, _ = enrolled_admin
    right = client_a.post("/comptes/connexion/", {"username": admin.email, "password": PASSWORD})
    wrong = client_a.post("/comptes/connexion/", {"username": admin.email, "password": "faux-42"})
    assert right.status_code == wrong.status_code == 200
    assert _without_token(text(right)) == _without_token(text(wrong))
    assert "_auth_user_id" not in client_a.session
