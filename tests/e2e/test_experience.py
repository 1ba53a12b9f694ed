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
