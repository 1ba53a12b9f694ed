"""Issue 24, as new users try it in Chromium at 375 and 1280 px, every page checked by
axe-core, the Content-Security-Policy and the screen's width (tests/e2e/test_design.py's
Auditor): one test per section of the issue."""

import pytest

from tests.e2e.test_design import Auditor, _login, commune  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db(transaction=True)
WIDTHS = [375, 1280]


def _new_page(browser, audit: Auditor, width: int):
    context = browser.new_context(
        locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": width, "height": 800}
    )
    page = audit.watch(context.new_page())
    page.set_default_timeout(15_000)
    return page


def _menu(page, width: int) -> None:
    if width < 768:  # on a phone the header's links are behind the menu button
        page.get_by_text("Menu", exact=True).click()


def _clean(audit: Auditor) -> None:
    problems = audit.problems + [f"console: {text}" for text in audit.console]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("width", WIDTHS)
def test_1_the_commune_stays_the_commune(browser, site_url, commune, width):  # noqa: F811
    base = site_url("test-a")
    audit = Auditor(width)
    page = _new_page(browser, audit, width)

    # A citizen, anonymous: no staff link; the login page wears the commune's identity.
    page.goto(base + "/")
    assert page.get_by_role("link", name="Espace agents").count() == 0
    _menu(page, width)
    page.get_by_role("link", name="Se connecter").click()
    page.get_by_label("Adresse électronique").wait_for()
    audit.check(page, "login-from-commune")
    assert page.url.startswith(site_url() + "/comptes/connexion/")
    assert page.locator(".site-brand__name").inner_text() == "Commune A"
    assert "localhost:" not in page.locator(".site-footer__title").first.inner_text()
    # Its colour: the header's band is the commune's green, not the operator's.
    band = page.evaluate("getComputedStyle(document.querySelector('.site-header')).borderTopColor")
    assert band == "rgb(31, 92, 58)", band
    # "Mot de passe oublié" is the commune's page, on its host, with its name.
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    page.get_by_role("heading", name="Mot de passe oublié").wait_for()
    audit.check(page, "password-reset")
    assert page.url.startswith(base + "/")
    assert page.locator(".site-brand__name").inner_text() == "Commune A"

    # Signed in: the account menu leads to "Mes demandes" and "Mes rendez-vous".
    _login(page, base, commune["citizen"].email, width)
    assert page.url.startswith(base)
    assert page.get_by_role("link", name="Espace agents").count() == 0
    _menu(page, width)
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Mes demandes"
    ).click()
    page.get_by_role("heading", name="Mes demandes").wait_for()
    audit.check(page, "my-requests")
    _menu(page, width)
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Mes rendez-vous"
    ).click()
    page.get_by_role("heading", name="Mes rendez-vous").wait_for()

    # The booking form's way back: "Choisir un autre créneau".
    page.goto(base + "/rendez-vous/")
    page.get_by_role("link", name="Dépôt d'un dossier de passeport").first.click()
    type_url = page.url
    page.locator("button[data-slot]").first.click()
    page.get_by_role("button", name="Confirmer le rendez-vous").wait_for()
    audit.check(page, "book")
    page.get_by_role("link", name="Choisir un autre créneau").click()
    page.locator("button[data-slot]").first.wait_for()
    assert page.url == type_url

    # The tracking page's way back, to the citizen's requests.
    page.goto(base + f"/demarches/suivi/{commune['request'].access_token}/")
    audit.check(page, "track")
    page.get_by_role("navigation", name="Vous êtes ici").get_by_role(
        "link", name="Mes demandes"
    ).click()
    page.get_by_role("heading", name="Mes demandes").wait_for()
    page.context.close()

    # An agent: the staff link on the home page, the request table's way back.
    page = _new_page(browser, audit, width)
    _login(page, base, commune["agent"].email, width)
    page.goto(base + "/")
    page.get_by_role("link", name="Espace agents").click()
    page.goto(base + "/demarches/gestion/")
    audit.check(page, "dashboard")
    page.get_by_role("navigation", name="Vous êtes ici").get_by_role(
        "link", name="Espace agents"
    ).click()
    page.get_by_role("heading", name="Espace agents").wait_for()
    page.context.close()
    _clean(audit)


@pytest.mark.parametrize("width", WIDTHS)
def test_4_a_question_is_not_a_request_for_a_decision(
    browser,
    site_url,
    commune,  # noqa: F811
    tenant_a,
    width,
):
    from sve import services as sve_services
    from tests.conftest import in_tenant

    with in_tenant(tenant_a):
        sve_services.form_template_enable(code="contact", actor=commune["admin"])
    base = site_url("test-a")
    audit = Auditor(width)
    page = _new_page(browser, audit, width)

    # A citizen asks a question through "Nous contacter".
    _login(page, base, commune["citizen"].email, width)
    page.goto(base + "/demarches/")
    page.get_by_role("link", name="Nous contacter").click()
    page.get_by_label("Objet").fill("Horaires de la déchetterie")
    page.get_by_label("Message").fill("Quels sont les horaires d'hiver ?")
    page.locator("#id_id-last_name").fill("Usager")
    page.locator("#id_id-first_name").fill("Camille")
    page.locator("#id_id-postal_address").fill("1 rue de la Mairie")
    page.locator("#id_id-email").fill("camille@example.fr")
    page.get_by_role("button", name="Déposer ma demande").click()
    page.locator("#aee").wait_for()
    audit.check(page, "track-question")
    body = page.locator("main").inner_text()
    assert "bien été reçue par le service" in body
    for threat in ("réputée", "Silence vaut", "rejetée", "refus"):
        assert threat not in body, threat
    track_url = page.url
    page.context.close()

    # The agent acknowledges it and closes it as handled, with the answer.
    page = _new_page(browser, audit, width)
    _login(page, base, commune["agent"].email, width)
    page.goto(base + "/demarches/gestion/")
    page.locator("tr", has_text="Nous contacter").get_by_role("link").first.click()
    page.get_by_role("button", name="Envoyer l'accusé de réception").click()
    page.get_by_text("accusé de réception est envoyé").wait_for()
    audit.check(page, "agent-question")
    assert page.get_by_role("button", name="Décider").count() == 0
    page.get_by_label("Réponse ou suite donnée (envoyée à l'usager)").fill(
        "De 9 h à 17 h du lundi au samedi."
    )
    page.get_by_role("button", name="Marquer comme traitée").click()
    page.get_by_text("Demande traitée").first.wait_for()
    page.context.close()

    page = _new_page(browser, audit, width)
    page.goto(track_url)
    assert "a été traitée le" in page.locator("main").inner_text()
    audit.check(page, "track-handled")
    page.context.close()
    _clean(audit)
