import pytest
from django.test import Client

from conventions.models import Application, ConventionModel
from conventions.seeds import seed_catalogue


@pytest.fixture
def catalogue(db):
    # Transactional tests flush the tables the migration filled: seed again (idempotent).
    seed_catalogue(Application, ConventionModel)
    return {m.seed: m for m in ConventionModel.objects.all()}


@pytest.fixture
def platform_admin(user_factory):
    return user_factory(is_platform_admin=True, first_name="Paule", last_name="Admin")


@pytest.fixture
def admin_client(operator, platform_admin):
    client = Client(HTTP_HOST="localhost")
    client.force_login(platform_admin)
    return client


@pytest.fixture
def collectivite_factory(db):
    """Member rows without a schema (bulk_create skips the schema): enough for public-schema
    conventions that never enter the member's own schema."""
    from tenants.models import Collectivite

    counter = {"n": 0}

    def make(**fields):
        counter["n"] += 1
        n = counter["n"]
        values = {
            "name": f"Commune {n}",
            "slug": f"conv-{n}",
            "schema_name": f"c_conv_{n}",
            "population_totale": 1000 * n,
        }
        values.update(fields)
        return Collectivite.objects.bulk_create([Collectivite(**values)])[0]

    return make


@pytest.fixture
def use_outbox(settings):
    settings.EMAIL_BACKEND = "portal.outbox.backend.OutboxEmailBackend"
