"""A commune on its own domain: the operator's pages let their sign-in forms end there
(CSP form-action), and only the operator's pages widen it."""

import pytest
from django.core.cache import cache
from django.test import Client

from tenants.models import Domain

pytestmark = pytest.mark.django_db


def _form_action(response) -> str:
    policy = response["Content-Security-Policy"]
    return next(part for part in policy.split(";") if part.strip().startswith("form-action"))


def test_operator_pages_allow_forms_to_end_on_a_communes_own_domain(operator, tenant_a):
    cache.clear()
    before = _form_action(Client(HTTP_HOST="localhost").get("/comptes/connexion/"))
    assert "mairie-a.example" not in before
    Domain.objects.create(domain="mairie-a.example", tenant=tenant_a, is_primary=False)
    cache.clear()
    operator_page = Client(HTTP_HOST="localhost").get("/comptes/connexion/")
    assert "http://mairie-a.example:*" in _form_action(operator_page)
    assert "'self'" in _form_action(operator_page)
    commune_page = Client(HTTP_HOST="test-a.localhost").get("/")
    assert "mairie-a.example" not in _form_action(commune_page)
