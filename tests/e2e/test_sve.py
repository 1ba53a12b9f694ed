"""Browser journeys of SVE on the real stack (live server + real worker, tests/e2e/conftest):
a citizen files a request with a file and sees the AEE arrive; an agent qualifies it and
the citizen sees the AR; a citizen and an agent act in the same minute while the worker
issues the documents."""

import time

import pytest

from portal.outbox.models import OutboxMessage
from sve.models import Document, Request
from tests.conftest import PASSWORD, in_tenant
from tests.sve.conftest import PNG, enabled_form, submit

pytestmark = pytest.mark.django_db(transaction=True)


def reload_until(page, link_name: str, timeout: float = 90) -> None:
    """The citizen reloads the page until the worker's document is there."""
    deadline = time.monotonic() + timeout
    while not page.get_by_role("link", name=link_name).count():
        assert time.monotonic() < deadline, f"« {link_name} » never arrived"
        time.sleep(0.5)
        page.reload()


def server_errors(*pages) -> list:
    errors: list = []
    for p in pages:
        p.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 500 else 0)
    return errors


def test_citizen_files_a_request_with_a_file_and_sees_the_aee(page, site_url, tenant_a, tmp_path):
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
    reload_until(page, "Accusé d'enregistrement électronique")
    text = aee.inner_text()
    assert "Accusé d'enregistrement électronique" in text
    with in_tenant(tenant_a):
        req = Request.objects.get()
    assert req.reference in text
    assert page.get_by_role("link", name="justificatif.png").is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Accusé d'enregistrement électronique").click()
    assert download.value.suggested_filename == f"accuse-enregistrement-{req.reference}.pdf"
    mail = OutboxMessage.objects.get(to=["claude@example.fr"])
    assert req.reference in mail.subject and mail.attachments.count() == 1


def test_agent_qualifies_and_the_citizen_sees_the_ar(
    page, browser, site_url, tenant_a, member_factory
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
    reload_until(citizen, "Accusé de réception")
    ar = citizen.locator("#ar")
    assert "Accusé de réception" in ar.inner_text()
    # Issue 24 §4: the outcome worded as the law does, once the AR confirmed the regime.
    assert "sera réputée rejetée le" in citizen.locator("#decision").inner_text()
    assert citizen.get_by_role("link", name="Accusé de réception").is_visible()
    citizen.context.close()


def test_citizen_files_and_an_agent_decides_in_the_same_minute_while_the_worker_issues(
    page, browser, site_url, tenant_a, member_factory
):
    """Issue 8: what a citizen and an agent do in the same minute, with the worker issuing
    the AEE, the AR and the decision meanwhile: no error page, each document once."""
    agent = member_factory(tenant_a)
    with in_tenant(tenant_a):
        enabled_form(regime="sva")
    base = site_url("test-a")
    citizen = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris").new_page()
    errors = server_errors(page, citizen)
    page.goto(base + "/demarches/gestion/")
    page.locator("#id_username").fill(agent.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    citizen.goto(base + "/demarches/formulaire/demande-test/")
    citizen.get_by_label("Objet").fill("Terrasse sur le domaine public")
    citizen.locator("#id_id-last_name").fill("Martin")
    citizen.locator("#id_id-first_name").fill("Claude")
    citizen.locator("#id_id-postal_address").fill("1 rue de la Mairie")
    citizen.locator("#id_id-email").fill("claude.minute@example.fr")
    citizen.get_by_role("button", name="Déposer ma demande").click()
    citizen.locator("#aee").wait_for()
    with in_tenant(tenant_a):
        req = Request.objects.get()

    # The agent goes at once: the worker is still issuing the AEE.
    page.goto(base + "/demarches/gestion/")
    page.get_by_role("link", name=req.reference).click()
    page.get_by_label("Régime du silence").select_option("sva")
    page.get_by_role("button", name="Qualifier et envoyer l'accusé de réception").click()
    page.get_by_text("l'accusé de réception est envoyé").wait_for()
    page.locator("select[name=decision]").select_option("accept")
    page.get_by_role("button", name="Décider").click()
    # Issue 24 §2: the letter is shown first; it goes out once confirmed.
    page.get_by_role("button", name="Confirmer et envoyer la décision").click()
    page.get_by_text("Décision enregistrée").wait_for()
    citizen.reload()
    for name in ("Accusé d'enregistrement électronique", "Accusé de réception", "Décision"):
        reload_until(citizen, name)
    page.reload()
    assert "en cours d'envoi" not in page.content()
    # The table, kept in the cache under the commune's data version since the agent first
    # opened it, shows what the citizen, the agent and the worker wrote since.
    page.goto(base + "/demarches/gestion/")
    row = page.locator("tbody tr", has_text=req.reference)
    assert "Acceptée" in row.inner_text()
    assert errors == []
    time.sleep(2)  # a duplicate would land now
    with in_tenant(tenant_a):
        for kind in (Document.Kind.AEE, Document.Kind.AR, Document.Kind.DECISION):
            assert Document.objects.filter(request=req, kind=kind).count() == 1, kind
    subjects = list(
        OutboxMessage.objects.filter(to=["claude.minute@example.fr"]).values_list(
            "subject", flat=True
        )
    )
    assert len(subjects) == 3 and len(set(subjects)) == 3, subjects
    citizen.context.close()
