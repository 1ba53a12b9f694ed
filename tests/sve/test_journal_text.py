"""The agent's journal in words: no codes or dicts, "opened" entries folded."""

import pytest

from sve import services
from sve.models import Status
from tests.conftest import PASSWORD, in_tenant
from tests.sve.conftest import enabled_form, submit

pytestmark = pytest.mark.django_db


def test_journal_reads_in_french_and_folds_the_opened_entries(client_a, tenant_a, agent_a):
    with in_tenant(tenant_a):
        req = submit(enabled_form(regime="svr"))
        services.request_qualify(request=req, acting_user=agent_a, regime="svr")
    client_a.login(email=agent_a.email, password=PASSWORD)
    url = f"/demarches/gestion/demandes/{req.pk}/"
    for _ in range(4):
        assert client_a.get(url).status_code == 200
    with in_tenant(tenant_a):
        services.request_ask_pieces(
            request=req, acting_user=agent_a, items="Plan de situation", due_on=_in_days(30)
        )
        # The chain keeps every consultation.
        assert req.journal.filter(action="opened").count() == 4
    html = client_a.get(url).content.decode()
    journal = html[html.index("<h2>Journal</h2>") :]
    assert "Demande déposée." in journal
    assert "Qualifiée « silence vaut refus », décision implicite le" in journal
    assert "Dossier consulté 4 fois depuis le" in journal
    assert "Pièces demandées : Plan de situation (avant le" in journal
    for raw in ("submitted", "qualified", "{&#x27;", "{'", "opened"):
        assert raw not in journal


def _in_days(days):
    from datetime import timedelta

    from django.utils import timezone

    return timezone.localdate() + timedelta(days=days)


def test_tracking_page_says_the_implicit_acceptance_has_arisen(client_a, tenant_a, agent_a):
    from datetime import date

    from sve.models import Request

    with in_tenant(tenant_a):
        req = submit(enabled_form(regime="sva"))
        services.request_qualify(request=req, acting_user=agent_a, regime="sva")
        Request.objects.filter(pk=req.pk).update(
            status=Status.IMPLICITLY_ACCEPTED, implicit_decision_on=date(2026, 3, 10)
        )
    html = client_a.get(f"/demarches/suivi/{req.access_token}/").content.decode()
    assert "acceptée implicitement depuis le 10 mars 2026" in html
    assert "sera acceptée le" not in html
    assert "Télécharger l&#x27;attestation" in html or "Télécharger l'attestation" in html


def test_tracking_page_before_the_date_and_while_pieces_are_awaited(client_a, tenant_a, agent_a):
    with in_tenant(tenant_a):
        req = submit(enabled_form(regime="sva"))
        services.request_qualify(request=req, acting_user=agent_a, regime="sva")
        req.refresh_from_db()
    html = client_a.get(f"/demarches/suivi/{req.access_token}/").content.decode()
    assert "À défaut de réponse dans ce délai, votre demande sera réputée acceptée le" in html
    with in_tenant(tenant_a):
        services.request_ask_pieces(
            request=req, acting_user=agent_a, items="Plan", due_on=_in_days(20)
        )
    html = client_a.get(f"/demarches/suivi/{req.access_token}/").content.decode()
    assert "ne court qu&#x27;à compter de la réception" in html
    assert "sera acceptée le" not in html
