"""Issue 24 §2 and §3 on the request pages: dates in French on the recap, the agent's view
and the AEE; a date of birth cannot be in the future; the request page's forms keep what
the agent typed, show each error beside its field, have ids of their own; "Décider" shows
the letter and sends it only once confirmed."""

import io
import re
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from sve import services
from sve.models import Document, PieceRequest, Request, Status
from tests.conftest import in_tenant
from tests.sve.conftest import enabled_form, submit

pytestmark = pytest.mark.django_db

DATED = [
    {"name": "objet", "label": "Objet", "type": "text", "required": True},
    {"name": "naissance", "label": "Date de naissance", "type": "date", "past_only": True},
]


@pytest.fixture
def agent_a(tenant_a, member_factory):
    return member_factory(tenant_a)


@pytest.fixture
def agent_client(client_a, agent_a):
    client_a.force_login(agent_a)
    return client_a


def test_dates_read_in_french_on_the_recap_the_agents_view_and_the_aee(
    client_a, tenant_a, agent_a, eager_tasks, outbox, django_capture_on_commit_callbacks
):
    with in_tenant(tenant_a):
        with django_capture_on_commit_callbacks(execute=True):
            req = submit(
                enabled_form(fields=DATED), data={"objet": "Copie", "naissance": "2001-06-15"}
            )
        aee = Document.objects.get(request=req, kind=Document.Kind.AEE)
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(bytes(aee.content))).pages)
    assert "15 juin 2001" in " ".join(text.split()) and "2001-06-15" not in text
    recap = client_a.get(f"/demarches/suivi/{req.access_token}/").content.decode()
    assert "15 juin 2001" in recap and "2001-06-15" not in recap
    client_a.force_login(agent_a)
    view = client_a.get(f"/demarches/gestion/demandes/{req.pk}/").content.decode()
    assert "15 juin 2001" in view and "2001-06-15" not in view


def test_a_date_of_birth_in_the_future_is_refused(client_a, tenant_a):
    with in_tenant(tenant_a):
        form = enabled_form(fields=DATED)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client_a.post(
        f"/demarches/formulaire/{form.slug}/",
        {
            "action": "deposer",
            "f-objet": "Copie",
            "f-naissance": tomorrow,
            "id-last_name": "Martin",
            "id-first_name": "Claude",
            "id-postal_address": "1 rue de la Mairie",
            "id-email": "claude@example.fr",
        },
    )
    assert "ne peut pas être dans le futur" in response.content.decode()
    with in_tenant(tenant_a):
        assert not Request.objects.exclude(status=Status.DRAFT).exists()


def test_the_request_page_has_no_two_elements_with_one_id(agent_client, tenant_a):
    with in_tenant(tenant_a):
        req = submit(enabled_form())
    html = agent_client.get(f"/demarches/gestion/demandes/{req.pk}/").content.decode()
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert [i for i, n in ids.items() if n > 1] == []
    # Each "Motif" label points at its own field.
    for target in re.findall(r'<label for="([^"]+)">Motif', html):
        assert ids[target] == 1


def _acknowledged(tenant_a, agent_a):
    with in_tenant(tenant_a):
        req = submit(enabled_form(regime="svr"))
        services.request_qualify(request=req, acting_user=agent_a, regime="svr")
    return req


def test_asking_pieces_with_a_past_date_keeps_the_list_and_says_why_beside_the_date(
    agent_client, tenant_a, agent_a
):
    req = _acknowledged(tenant_a, agent_a)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = agent_client.post(
        f"/demarches/gestion/demandes/{req.pk}/pieces/",
        {"items": "Plan de situation\nJustificatif de domicile", "due_on": yesterday},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Plan de situation\nJustificatif de domicile</textarea>" in html
    field = html.split('for="pieces-due_on"', 1)[1].split("</div>", 1)[0]
    assert "postérieure à aujourd&#x27;hui" in field or "postérieure à aujourd'hui" in field
    with in_tenant(tenant_a):
        assert not PieceRequest.objects.filter(request=req).exists()


def test_a_refusal_without_reasons_keeps_the_choice_and_errs_beside_the_reasons(
    agent_client, tenant_a, agent_a
):
    req = _acknowledged(tenant_a, agent_a)
    response = agent_client.post(
        f"/demarches/gestion/demandes/{req.pk}/decider/",
        {"decision": "reject", "reasons": "", "confirmed": "True"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert '<option value="reject" selected>' in html
    field = html.split('for="decider-reasons"', 1)[1].split("</div>", 1)[0]
    assert "motivé" in field


def test_deciding_shows_the_letter_and_sends_only_once_confirmed(
    agent_client, tenant_a, agent_a, eager_tasks, outbox, django_capture_on_commit_callbacks
):
    req = _acknowledged(tenant_a, agent_a)
    data = {"decision": "reject", "reasons": "Le terrain est en zone inondable."}
    preview = agent_client.post(f"/demarches/gestion/demandes/{req.pk}/decider/", data)
    html = preview.content.decode()
    assert preview.status_code == 200 and "Vérifier la décision" in html
    assert "refuse votre demande" in html and "Le terrain est en zone inondable." in html
    assert "Camille Durand" in html  # the signatory (CRPA L212-1)
    with in_tenant(tenant_a):
        assert Request.objects.get(pk=req.pk).status == Status.ACKNOWLEDGED
    # "Modifier": back to the page, the reasons as typed.
    back = agent_client.post(
        f"/demarches/gestion/demandes/{req.pk}/decider/",
        {**data, "confirmed": "True", "modifier": "1"},
    ).content.decode()
    assert "Le terrain est en zone inondable.</textarea>" in back
    with in_tenant(tenant_a):
        assert Request.objects.get(pk=req.pk).status == Status.ACKNOWLEDGED
    with django_capture_on_commit_callbacks(execute=True):
        done = agent_client.post(
            f"/demarches/gestion/demandes/{req.pk}/decider/", {**data, "confirmed": "True"}
        )
    assert done.status_code == 302
    with in_tenant(tenant_a):
        assert Request.objects.get(pk=req.pk).status == Status.REJECTED


def test_a_refusal_without_reasons_is_refused_before_its_preview(agent_client, tenant_a, agent_a):
    req = _acknowledged(tenant_a, agent_a)
    response = agent_client.post(
        f"/demarches/gestion/demandes/{req.pk}/decider/", {"decision": "reject", "reasons": ""}
    )
    html = response.content.decode()
    assert response.status_code == 400 and "Vérifier la décision" not in html
    assert "motivé" in html.split('for="decider-reasons"', 1)[1].split("</div>", 1)[0]
