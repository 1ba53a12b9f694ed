import pytest
from django.test import Client

from tenants.services.reference import CommuneRow, commune_reference_import

# A few real communes of Hautes-Alpes (DGCL 2026, populations millésime 2023). Briançon
# (05023) and Puy-Saint-André (05107) are the session's test-b / test-a tenants.
ROWS = [
    CommuneRow("05046", "Embrun", "05", "210500468", ["05200"], 6387, 6733),
    CommuneRow("05061", "Gap", "05", "210500617", ["05000"], 40656, 42060),
    CommuneRow("05006", "L'Argentière-la-Bessée", "05", "210500062", ["05120"], 2277, 2335),
    CommuneRow("05139", "Saint-Étienne-en-Dévoluy", "05", "210501391", ["05250"], 560, 580),
    CommuneRow("05107", "Puy-Saint-André", "05", "210501078", ["05100"], 471, 482),
    CommuneRow("05023", "Briançon", "05", "210500237", ["05100"], 10748, 11059),
]


@pytest.fixture
def reference(db):
    commune_reference_import(rows=[CommuneRow(**vars(row)) for row in ROWS], population_year=2023)


@pytest.fixture
def platform_admin(user_factory):
    return user_factory(is_platform_admin=True, first_name="Paule")


@pytest.fixture
def admin_client(operator, platform_admin):
    client = Client(HTTP_HOST="localhost")
    client.force_login(platform_admin)
    return client


@pytest.fixture
def use_outbox(settings):
    settings.EMAIL_BACKEND = "portal.outbox.backend.OutboxEmailBackend"
