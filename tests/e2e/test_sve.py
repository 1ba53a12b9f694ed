"""Browser journeys of SVE: a citizen files a request with a file and sees the AEE; an agent
qualifies it and the citizen sees the AR. Tasks run in-process (eager) in the live server."""

import pytest

from tests.conftest import PASSWORD, in_tenant
from tests.sve.conftest import PNG, enabled_form, submit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def eager():
    from portal.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False
    app.conf.task_eager_propagates = False


def test_citizen_files_a_request_with_a_file_and_sees_the_aee(
    page, site_url, tenant_a, eager, tmp_path, settings
):
    settings.EMAIL_BACKEND = "portal.outbox.backend.OutboxEmailBackend"
    with in_tenant(tenant_a):
        enabled_form()
    photo = tmp_path / "justificatif.png"
    photo.write_bytes(PNG)

    page.goto(site_url("test-a") + "/demarches/")
    page.get_by_role("link", name="Demande de test").click()
    page.get_by_label("Objet").fill("Remplacement d'un lampadaire")
    page.get_by_label("Justificatif").set_input_files(str(photo))
    page.get_by_label("Nom", exact=False).first.fill("Martin")
    page.locator("#id_id-first_name").fill("Claude")
    page.locator("#id_id-postal_address").fill("1 rue de la Mairie")
    page.locator("#id_id-email").fill("claude@example.fr")
    page.get_by_role("button", name="Déposer ma demande").click()

    aee = page.locator("#aee")
    aee.wait_for()
    text = aee.inner_text()
    assert "Accusé d'enregistrement électronique" in text
    from sve.models import Request

    with in_tenant(tenant_a):
        req = Request.objects.get()
    assert req.reference in text
    assert page.get_by_role("link", name="justificatif.png").is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Accusé d'enregistrement électronique").click()
    assert download.value.suggested_filename == f"accuse-enregistrement-{req.reference}.pdf"
    from portal.outbox.models import OutboxMessage

    mail = OutboxMessage.objects.get(to=["claude@example.fr"])
    assert req.reference in mail.subject and mail.attachments.count() == 1


def test_agent_qualifies_and_the_citizen_sees_the_ar(
    page, browser, site_url, tenant_a, member_factory, eager
):
    agent = member_factory(tenant_a)
    with in_tenant(tenant_a):
        req = submit(enabled_form(regime="sva"))

    page.goto(site_url("test-a") + "/demarches/gestion/")
    page.locator("#id_username").fill(agent.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name=req.reference).click()
    page.get_by_label("Régime du silence").select_option("svr")
    page.get_by_role("button", name="Qualifier et envoyer l'accusé de réception").click()
    page.get_by_text("l'accusé de réception est envoyé").wait_for()

    citizen = browser.new_context(locale="fr-FR").new_page()
    citizen.goto(site_url("test-a") + f"/demarches/suivi/{req.access_token}/")
    ar = citizen.locator("#ar")
    assert "Accusé de réception" in ar.inner_text()
    assert "Silence vaut refus" in citizen.locator("#decision").inner_text()
    assert citizen.get_by_role("link", name="Accusé de réception").is_visible()
    citizen.context.close()
