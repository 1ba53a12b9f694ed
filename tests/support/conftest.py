from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from tenants.models import Membership

PARIS = ZoneInfo("Europe/Paris")
# A Tuesday inside the desk's window (seed 001 art. 4: Monday to Friday, 8:00 to 16:00).
TUESDAY_10 = datetime(2026, 11, 24, 10, 0, tzinfo=PARIS)


@pytest.fixture
def referent(member_factory, tenant_a):
    return member_factory(tenant_a, role=Membership.Role.ADMIN)


@pytest.fixture
def desk_user(user_factory):
    from support.models import DeskMember

    user = user_factory()
    DeskMember.objects.create(user=user)
    return user


@pytest.fixture
def desk_client(operator, desk_user):
    client = Client(HTTP_HOST="localhost")
    client.force_login(desk_user)
    return client


@pytest.fixture
def file_request(tenant_a, referent):
    from support import services

    def make(**fields):
        values = {
            "collectivite": tenant_a,
            "user": referent,
            "kind": "assistance",
            "subject": "Mot de passe du parapheur",
            "description": "Je n'arrive plus à me connecter au parapheur.",
            "now": TUESDAY_10,
        } | fields
        return services.support_request_file(**values)

    return make
