"""Issue 24 §4: not every message is a request for a decision. A report or a question is
acknowledged and names its service, announces no implicit outcome, is left alone by the
implicit-decision job and is closed by an agent as "Traitée"; a request for a decision says
its outcome as the law does, once the regime is confirmed."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from sve import services
from sve.models import Document, Request, Status
from tests.conftest import in_tenant
from tests.sve.conftest import enabled_form, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_a(tenant_a, member_factory):
    return member_factory(tenant_a)


def _track(client, req) -> str:
    return client.get(f"/demarches/suivi/{req.access_token}/").content.decode()


def test_the_catalogues_report_and_contact_forms_ask_no_decision(tenant_a, member_factory):
    admin = member_factory(tenant_a, role="admin")
    with in_tenant(tenant_a):
        for code in ("intervention", "contact"):
            form = services.form_template_enable(code=code, acting_user=admin)
            assert form.current_version.asks_decision is False
        form = services.form_template_enable(code="acte-naissance", acting_user=admin)
        assert form.current_version.asks_decision is True


def test_a_report_announces_no_outcome_and_is_left_alone_by_the_job(
    client_a, tenant_a, agent_a, eager_tasks, outbox, django_capture_on_commit_callbacks
):
    with in_tenant(tenant_a):
        req = submit(enabled_form(regime="svr", asks_decision=False))
        assert req.implicit_decision_on is None
    html = _track(client_a, req)
    assert "bien été reçue par le service : Service état civil" in html
    assert "réputée" not in html and "Silence vaut" not in html and "rejetée" not in html
    with in_tenant(tenant_a):
        with django_capture_on_commit_callbacks(execute=True):
            services.request_qualify(request=req, acting_user=agent_a, regime="svr")
        req.refresh_from_db()
        assert req.implicit_decision_on is None
        ar = req.documents.get(kind=Document.Kind.AR)
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(bytes(ar.content))).pages)
        assert "Service état civil" in text and "réputée" not in text and "Silence" not in text
        # Long after two months, the job turns nothing into a refusal.
        result = services.implicit_decisions_run(today=timezone.localdate() + timedelta(days=400))
        assert result == {"accepted": 0, "rejected": 0}
        req.refresh_from_db()
        assert req.status == Status.ACKNOWLEDGED
    # The agent closes it as handled; the citizen is told.
    page = client_a
    page.force_login(agent_a)
    detail = page.get(f"/demarches/gestion/demandes/{req.pk}/").content.decode()
    assert "Marquer comme traitée" in detail and ">Décider<" not in detail
    with django_capture_on_commit_callbacks(execute=True):
        response = page.post(
            f"/demarches/gestion/demandes/{req.pk}/traiter/", {"note": "Le trou est rebouché."}
        )
    assert response.status_code == 302
    with in_tenant(tenant_a):
        req.refresh_from_db()
        assert req.status == Status.HANDLED and req.get_status_display() == "Traitée"
    assert any("a été traitée" in m.subject for m in outbox)
    assert "Votre demande a été traitée le" in _track(client_a, req)


def test_a_request_for_a_decision_cannot_be_closed_as_handled(tenant_a, agent_a):
    with in_tenant(tenant_a):
        req = submit(enabled_form(regime="svr"))
        with pytest.raises(services.SveError):
            services.request_handle(request=req, acting_user=agent_a)
        assert Request.objects.get(pk=req.pk).status == Status.SUBMITTED


def test_a_decision_is_worded_as_the_law_does_once_the_regime_is_known(client_a, tenant_a, agent_a):
    with in_tenant(tenant_a):
        req = submit(enabled_form(regime="svr"))
    html = _track(client_a, req)
    # Before the acknowledgement, the regime is not confirmed: no date announced.
    assert "réputée acceptée ou rejetée" in html and "sera réputée rejetée le" not in html
    with in_tenant(tenant_a):
        services.request_qualify(request=req, acting_user=agent_a, regime="svr")
    html = _track(client_a, req)
    assert "À défaut de réponse dans ce délai, votre demande sera réputée rejetée le" in html
    assert "Silence vaut refus : sans réponse" not in html


def test_the_migration_marks_catalogue_forms_already_enabled(tenant_a, member_factory):
    from importlib import import_module

    from django.apps import apps

    from sve.models import FormVersion

    mark = import_module("sve.migrations.0006_form_asks_decision").catalogue_forms_mark
    admin = member_factory(tenant_a, role="admin")
    with in_tenant(tenant_a):
        form = services.form_template_enable(code="contact", acting_user=admin)
        FormVersion.objects.filter(form=form).update(asks_decision=True)  # as before 0006
        mark(apps, None)
        assert not FormVersion.objects.filter(form=form, asks_decision=True).exists()


def test_the_commune_admin_sets_it_in_the_builder(client_a, tenant_a, member_factory):
    admin = member_factory(tenant_a, role="admin")
    with in_tenant(tenant_a):
        form = enabled_form()
    client_a.force_login(admin)
    page = client_a.get(f"/demarches/gestion/formulaires/{form.slug}/").content.decode()
    assert "Demande une décision de la mairie" in page


def test_pieces_asked_for_a_report_speak_of_no_implicit_refusal(client_a, tenant_a, agent_a):
    with in_tenant(tenant_a):
        req = submit(enabled_form(regime="svr", asks_decision=False))
        services.request_qualify(request=req, acting_user=agent_a, regime="svr")
        services.request_ask_pieces(
            request=req,
            acting_user=agent_a,
            items="Photo du lieu",
            due_on=timezone.localdate() + timedelta(days=15),
        )
    html = _track(client_a, req)
    assert "pour que le service puisse y donner suite" in html
    assert "réputée" not in html
