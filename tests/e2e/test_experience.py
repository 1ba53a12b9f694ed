# ruff: noqa: F811  (the "commune" fixture, imported from test_design, is a parameter)
"""Issue 24, as new users try it in Chromium at 375 and 1280 px, every page checked by
axe-core, the Content-Security-Policy and the screen's width (tests/e2e/test_design.py's
Auditor): one test per section of the issue."""

import pytest

from tests.e2e.test_design import Auditor, _login, commune  # noqa: F401  (fixture)
from tests.e2e.test_sve import reload_until

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
        sve_services.form_template_enable(code="contact", acting_user=commune["admin"])
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


@pytest.fixture
def catalogue_seeded(transactional_db):
    # Transactional tests flush the tables the migration filled: seed again (idempotent).
    from conventions.models import Application, ConventionModel
    from conventions.seeds import seed_catalogue

    seed_catalogue(Application, ConventionModel)


BIRTH_FORM = [
    {"name": "objet", "label": "Objet", "type": "text", "required": True},
    {"name": "naissance", "label": "Date de naissance", "type": "date", "past_only": True},
]


@pytest.mark.parametrize("width", WIDTHS)
def test_3_said_as_a_french_administration_would(
    browser,
    site_url,
    commune,
    tenant_a,
    catalogue_seeded,
    width,  # noqa: F811
):
    import io
    from datetime import date, timedelta

    from pypdf import PdfReader

    from conventions import services as conventions
    from conventions.models import ConventionModel
    from sve import services as sve_services
    from sve.models import Form
    from tests.conftest import in_tenant
    from tests.e2e.conftest import sign_in

    with in_tenant(tenant_a):
        sve_services.form_create(
            acting_user=None,
            slug="copie-acte",
            title="Copie d'acte",
            description="",
            fields=BIRTH_FORM,
            regime="sva",
            delay_months=2,
            delay_days=0,
            service_name="État civil",
            service_address="Mairie",
            service_email="ec@a.fr",
            service_phone="04 92 00 00 00",
            appeal_routes="TA",
        )
        sve_services.form_enable(
            form=Form.objects.get(slug="copie-acte"), acting_user=None, enabled=True
        )
    convention = conventions.convention_create(
        model=ConventionModel.objects.get(seed="000"),
        collectivite=tenant_a,
        acting_user=commune["operator_admin"],
    )
    conventions.convention_sign(
        convention=convention,
        signed_on=date(2025, 3, 10),
        acting_user=commune["operator_admin"],
        today=date(2025, 3, 10),
    )
    base = site_url("test-a")
    audit = Auditor(width)
    page = _new_page(browser, audit, width)

    # The citizen: a birth date in the future is refused; the recap says « 15 juin 2001 ».
    _login(page, base, commune["citizen"].email, width)
    page.goto(base + "/demarches/formulaire/copie-acte/")
    page.get_by_label("Objet").fill("Copie intégrale")
    birth = page.get_by_label("Date de naissance")
    birth.fill((date.today() + timedelta(days=3)).isoformat())
    page.locator("#id_id-last_name").fill("Usager")
    page.locator("#id_id-first_name").fill("Camille")
    page.locator("#id_id-postal_address").fill("1 rue de la Mairie")
    page.locator("#id_id-email").fill("camille@example.fr")
    # The browser's own check (max=today) or the server's: the request is not filed.
    page.get_by_role("button", name="Déposer ma demande").click()
    page.wait_for_load_state("load")
    assert page.locator("#aee").count() == 0
    page.get_by_label("Date de naissance").fill("2001-06-15")
    page.get_by_role("button", name="Déposer ma demande").click()
    page.locator("#aee").wait_for()
    audit.check(page, "track-dated")
    main = page.locator("main").inner_text()
    assert "15 juin 2001" in main and "2001-06-15" not in main
    # The AEE PDF, as the citizen downloads it.
    reload_until(page, "Accusé d'enregistrement électronique")  # issued by the worker
    href = page.get_by_role(
        "link", name="Accusé d'enregistrement électronique"
    ).first.get_attribute("href")
    # Fetched by the page itself (Chromium resolves *.localhost; Playwright's client does not).
    pdf = bytes(
        page.evaluate(
            "async (url) => Array.from(new Uint8Array(await (await fetch(url)).arrayBuffer()))",
            href,
        )
    )
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "15 juin 2001" in text and "2001-06-15" not in text
    page.context.close()

    # The agent's view of the same request.
    page = _new_page(browser, audit, width)
    _login(page, base, commune["agent"].email, width)
    page.goto(base + "/demarches/gestion/")
    page.locator("tr", has_text="Copie d'acte").get_by_role("link").first.click()
    audit.check(page, "agent-dated")
    main = page.locator("main").inner_text()
    assert "15 juin 2001" in main and "2001-06-15" not in main
    assert page.locator("#classer-reasons").count() == 1  # "Motif" has an id of its own
    page.context.close()

    # The operator: the conventions timeline in French, the filters without dashes.
    page = _new_page(browser, audit, width)
    sign_in(page, site_url() + "/comptes/connexion/", commune["operator_admin"])
    page.goto(site_url() + f"/conventions/{convention.pk}/")
    audit.check(page, "convention-timeline")
    timeline = page.locator("table").last.inner_text()
    assert "10 mars 2025" in timeline and "2025-03-10" not in timeline
    page.goto(site_url() + "/conventions/")
    audit.check(page, "conventions-list")
    assert "---------" not in page.locator("main").inner_text()
    page.context.close()
    _clean(audit)


@pytest.mark.parametrize("width", WIDTHS)
def test_2_agents_do_not_lose_work_or_act_by_accident(
    browser,
    site_url,
    commune,
    tenant_a,
    width,  # noqa: F811
):
    from datetime import date, timedelta

    from sve import services as sve_services
    from tests.conftest import in_tenant

    with in_tenant(tenant_a):
        sve_services.request_qualify(
            request=commune["request"], acting_user=commune["agent"], regime="svr"
        )
    base = site_url("test-a")
    audit = Auditor(width)
    page = _new_page(browser, audit, width)
    _login(page, base, commune["agent"].email, width)
    page.goto(base + f"/demarches/gestion/demandes/{commune['request'].pk}/")

    # "Demander des pièces" with a past date: the list stays, the error stands by the date.
    pieces = "Plan de situation\nJustificatif de domicile"
    page.get_by_label("Pièces ou informations manquantes").fill(pieces)
    page.get_by_label("À fournir avant le").fill((date.today() - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Demander des pièces").click()
    page.wait_for_load_state("load")
    audit.check(page, "pieces-refused")
    assert page.get_by_label("Pièces ou informations manquantes").input_value() == pieces
    due = page.locator(".field", has=page.locator("#pieces-due_on"))
    assert "postérieure à aujourd'hui" in due.inner_text()

    # "Décider": the letter first, then the confirmation.
    page.get_by_label("Décision").select_option("reject")
    page.get_by_label("Motifs (obligatoires pour un refus)").fill("Dossier hors délai.")
    page.get_by_role("button", name="Décider").click()
    page.get_by_role("heading", name="Vérifier la décision avant son envoi").wait_for()
    audit.check(page, "decision-preview")
    letter = page.locator(".letter-preview").inner_text()
    assert "refuse votre demande" in letter and "Dossier hors délai." in letter
    page.get_by_role("button", name="Modifier").click()
    assert page.get_by_label("Motifs (obligatoires pour un refus)").input_value() == (
        "Dossier hors délai."
    )
    page.get_by_role("button", name="Décider").click()
    page.get_by_role("button", name="Confirmer et envoyer la décision").click()
    page.get_by_text("Décision enregistrée").wait_for()

    # The agenda: the team's view and a colleague's, from the page's filters.
    page.goto(base + "/rendez-vous/gestion/")
    audit.check(page, "agenda")
    page.get_by_label("Agent", exact=True).select_option(label="Toute l'équipe")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_load_state("load")
    assert "agent=tous" in page.url
    page.get_by_role("link", name="Vue de la semaine").click()
    assert "agent=tous" in page.url
    page.context.close()
    _clean(audit)


@pytest.mark.parametrize("width", WIDTHS)
def test_5_a_newcomer_passes_the_operator_staffs_second_factor_from_the_banner(
    browser, site_url, operator, user_factory, width
):
    import base64
    from urllib.parse import parse_qs, urlsplit

    from django_otp.oath import TOTP

    from identity import demo as identity_demo
    from portal.demo import _banner
    from tests.conftest import PASSWORD

    user_factory(email="plateforme@hautes-alpes.demo", is_platform_admin=True)
    user_factory(email="finances@hautes-alpes.demo", is_finance=True)
    identity_demo.seed_final()
    banner = _banner()
    audit = Auditor(width)

    def printed(email: str) -> tuple[str, list[str]]:
        # What a newcomer reads in the banner: the account, its URI, its recovery codes.
        block = banner.split(f"   {email}\n", 1)[1].split("\n")
        uri = block[0].strip()
        codes = block[1].split(":", 1)[1].strip().split(", ")
        return uri, codes

    for email, code_of, landing in (
        ("plateforme@hautes-alpes.demo", "totp", "/operateur/"),
        ("finances@hautes-alpes.demo", "recovery", "/facturation/"),
    ):
        uri, codes = printed(email)
        assert uri.startswith("otpauth://totp/")
        page = _new_page(browser, audit, width)
        page.goto(site_url() + f"/comptes/connexion/?next={landing}")
        page.get_by_label("Adresse électronique").fill(email)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.get_by_label("Code de vérification").wait_for()
        audit.check(page, f"second-factor-{code_of}")
        if code_of == "totp":
            secret = parse_qs(urlsplit(uri).query)["secret"][0]
            key = base64.b32decode(secret + "=" * (-len(secret) % 8))
            code = f"{TOTP(key).token():06d}"
        else:
            code = codes[0]
        page.get_by_label("Code de vérification").fill(code)
        page.get_by_role("button", name="Valider").click()
        page.wait_for_url(f"**{landing}")
        audit.check(page, f"landing-{code_of}")
        page.context.close()
    _clean(audit)
