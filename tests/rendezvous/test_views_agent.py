"""The agent's appointment page (rendezvous/views_agent.py): each posted action maps to its
form and service (APPOINTMENT_ACTIONS); the page offers what the rules allow."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.audit.models import HistoryEntry
from portal.audit.trail import ANONYMOUS
from rendezvous import services
from rendezvous.models import Appointment, AppointmentDocument, Mode
from tests.conftest import PASSWORD, in_tenant
from tests.rendezvous.conftest import MONDAY, NOW, at

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW)


@pytest.fixture
def page(rdv_a, contact, client_a):
    """The agent signed in, and the URL of a booked appointment's page."""
    rdv_a.activate()
    booked = services.appointment_book(
        acting_user=ANONYMOUS,
        appointment_type=rdv_a.kind,
        place_id=rdv_a.place.pk,
        starts_at=at(MONDAY, 9),
        **(contact | {"mode": Mode.IN_PERSON}),
    )
    assert client_a.login(email=rdv_a.agent.email, password=PASSWORD)
    return f"/rendez-vous/gestion/rdv/{booked.pk}/"


def _entries():
    return HistoryEntry.objects.count()


def test_an_unknown_action_is_refused_and_writes_nothing(rdv_a, client_a, page):
    before = _entries()
    response = client_a.post(page, {"action": "delete"})
    assert response.status_code == 400 and "Action inconnue." in response.content.decode()
    assert _entries() == before


def test_sharing_needs_a_file_then_shares_it(rdv_a, client_a, page):
    missing = client_a.post(page, {"action": "document"})
    assert missing.status_code == 400 and "Choisissez un fichier." in missing.content.decode()
    shared = client_a.post(
        page, {"action": "document", "fichier": SimpleUploadedFile("convocation.pdf", PDF)}
    )
    assert shared.status_code == 302
    with in_tenant(rdv_a.tenant):
        assert AppointmentDocument.objects.get().author == AppointmentDocument.Author.AGENT


def test_the_page_offers_what_the_status_allows(rdv_a, client_a, page):
    html = client_a.get(page).content.decode()
    assert 'value="cancel"' in html and 'value="seen"' in html and 'value="document"' in html
    assert client_a.post(page, {"action": "cancel", "reason": "Agent malade"}).status_code == 302
    with in_tenant(rdv_a.tenant):
        assert Appointment.objects.get().status == Appointment.Status.CANCELLED
    html = client_a.get(page).content.decode()
    assert 'value="cancel"' not in html and 'value="seen"' not in html
    assert 'value="document"' not in html
