"""Every page of the citizen, agent and admin journeys, at 375 px (a phone) and 1280 px:
no Content-Security-Policy violation, 0 serious or critical axe-core violation, no page
wider than the screen (even with a 300-character unbroken string typed by a citizen), the
header's links reachable, a visible focus.

axe-core comes from npm (`make axe` puts the pinned version under var/node/).
With SCREENSHOTS=1 in the environment, the 375 px pages are also saved to var/screenshots/
for a look by eye (``SCREENSHOTS=1 make test-fast PYTEST_ARGS=tests/e2e``); nothing asserts
on them, so the suite does not take them (a full-page PNG per page was a tenth of Chromium's
work in these tests).
"""

import os
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from portal.audit.trail import SYSTEM_COMMAND
from tenants.models import Membership
from tests.conftest import PASSWORD, in_tenant
from tests.sve.conftest import enabled_form

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(django_settings.BASE_DIR) / "var/node/node_modules/axe-core/axe.min.js"
SCREENSHOTS = Path(django_settings.BASE_DIR) / "var/screenshots"
SCREENSHOTS_WANTED = os.environ.get("SCREENSHOTS") == "1"
LONG = "Z" * 300  # one unbroken "word", as pasted by a citizen
LONG_NAME = "Z" * 140  # names are 150 characters at most

# Recorded before any page script runs; read after each page load.
CSP_LISTENER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
});
"""
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
}"""


class Auditor:
    """Checks pages as the journeys reach them and keeps every problem found."""

    def __init__(self, width: int):
        if not AXE.exists():
            pytest.fail(f"axe-core is missing at {AXE}: run `make axe`.")
        self.width = width
        self.axe = AXE.read_text()
        self.problems: list[str] = []
        self.console: list[str] = []
        self.pages = 0

    def watch(self, page):
        page.add_init_script(CSP_LISTENER)
        page.on(
            "console",
            lambda msg: (
                self.console.append(msg.text) if "Content Security Policy" in msg.text else None
            ),
        )
        return page

    def check(self, page, name: str):
        page.wait_for_load_state("load")
        self.pages += 1
        where = f"{name} ({page.url}) at {self.width} px"
        for violation in page.evaluate("window.__csp || []"):
            self.problems.append(f"{where}: CSP {violation}")
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if widths[0] > widths[1]:
            self.problems.append(f"{where}: the page is {widths[0]} px wide")
        page.evaluate(self.axe + "\n;0")
        for violation in page.evaluate(AXE_RUN):
            self.problems.append(f"{where}: axe {violation}")
        if self.width < 500 and SCREENSHOTS_WANTED:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{self.width}-{name}.png"), full_page=True)

    def assert_clean(self):
        problems = self.problems + [f"console: {text}" for text in self.console]
        assert not problems, "\n".join(problems)
        assert self.pages >= 30


def _login(page, base: str, email: str, width: int):
    page.goto(base + "/")
    if width < 768:
        # On a phone the header's links are behind the menu button.
        page.get_by_text("Menu", exact=True).click()
    page.get_by_role("link", name="Se connecter").click()
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("load")


@pytest.fixture
def commune(tenant_a, member_factory, user_factory, settings):
    """Commune A with a colour, an online form with a long-string request, an appointment
    type with slots, an agent, an admin and a citizen."""
    settings.EMAIL_BACKEND = "portal.outbox.backend.OutboxEmailBackend"
    from rendezvous import services as rdv_services
    from rendezvous.models import AppointmentType, Mode, OpeningRule, Place, Service
    from sve import services as sve_services

    tenant_a.primary_color = "#1f5c3a"
    tenant_a.contact_email = "mairie@commune-a.fr"
    tenant_a.save(update_fields=["primary_color", "contact_email"])
    agent = member_factory(tenant_a, role=Membership.Role.AGENT)
    admin = member_factory(tenant_a, role=Membership.Role.ADMIN)
    citizen = user_factory(first_name="Camille", last_name="Usager")
    operator_admin = user_factory(is_platform_admin=True)
    with in_tenant(tenant_a):
        form = enabled_form()
        req = sve_services.request_submit(
            form=form,
            acting_user=None,
            identity={
                "last_name": LONG_NAME,
                "first_name": "Dominique",
                "postal_address": "1 rue " + LONG,
                "email": "dominique@example.fr",
            },
            data={"objet": LONG},
            files={},
        )
        service = Service.objects.create(name="État civil")
        place = rdv_services.place_save(
            acting_user=SYSTEM_COMMAND,
            place=Place(name="Mairie", address="Place de la Mairie"),
            hours={day: [(clock(8), clock(20))] for day in range(7)},
        )
        kind = AppointmentType.objects.create(
            service=service,
            name="Dépôt d'un dossier de passeport",
            keywords="passeport",
            duration_minutes=30,
            modes=[Mode.IN_PERSON],
            min_delay_hours=1,
            cancellable_until_hours=1,
        )
        for weekday in range(7):
            rule = OpeningRule.objects.create(
                agent_id=agent.pk,
                place=place,
                weekday=weekday,
                start_time=clock(8),
                end_time=clock(20),
                valid_from=timezone.localdate() - timedelta(days=1),
            )
            rule.types.add(kind)
    connection.set_schema_to_public()
    return {
        "agent": agent,
        "admin": admin,
        "citizen": citizen,
        "operator_admin": operator_admin,
        "request": req,
        "kind": kind,
    }


@pytest.mark.parametrize("width", [375, 1280])
def test_every_journey_page_passes_csp_axe_and_fits_the_screen(
    browser, site_url, live_server, settings, commune, width
):
    settings.PORTAL_PORT = live_server.url.rsplit(":", 1)[1]
    base = site_url("test-a")
    audit = Auditor(width)

    def new_page():
        context = browser.new_context(
            locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": width, "height": 800}
        )
        page = audit.watch(context.new_page())
        page.set_default_timeout(15_000)
        return page

    # Citizen, anonymous: home, the header's links, sign-up (password rules as a list).
    page = new_page()
    page.goto(base + "/")
    audit.check(page, "home")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [document.activeElement.textContent.trim(), s.outlineStyle, s.outlineWidth]; })()"
    )
    assert focused[0] == "Aller au contenu" and focused[1] != "none" and focused[2] != "0px"
    login = page.get_by_role("link", name="Se connecter")
    if width < 768:
        assert not login.is_visible()
        page.get_by_text("Menu", exact=True).click()
    assert login.is_visible() and page.get_by_role("link", name="Créer un compte").is_visible()
    page.get_by_role("link", name="Créer un compte").click()
    audit.check(page, "signup")
    assert page.locator(".field__hint li").count() >= 2  # the password rules, one per item
    for path, name in [
        ("/mentions-legales/", "legal-mentions"),
        ("/donnees-personnelles/", "legal-privacy"),
        ("/accessibilite/", "legal-accessibility"),
    ]:
        page.goto(base + path)
        audit.check(page, name)
    page.context.close()

    # Citizen, signed in: files a request with a long unbroken string, follows it,
    # books an appointment.
    page = new_page()
    _login(page, base, commune["citizen"].email, width)
    audit.check(page, "home-signed-in")
    page.goto(base + "/demarches/")
    audit.check(page, "catalogue")
    page.get_by_role("link", name="Demande de test").click()
    audit.check(page, "fill")
    page.get_by_label("Objet").fill(LONG)
    page.locator("#id_id-last_name").fill(LONG_NAME)
    page.locator("#id_id-first_name").fill("Claude")
    page.locator("#id_id-postal_address").fill("1 rue de la Mairie")
    page.locator("#id_id-email").fill("claude@example.fr")
    page.get_by_role("button", name="Déposer ma demande").click()
    page.locator("#aee").wait_for()
    audit.check(page, "track")
    page.goto(base + "/demarches/mes-demandes/")
    audit.check(page, "my-requests")
    page.goto(base + "/rendez-vous/")
    audit.check(page, "rdv-search")
    page.get_by_role("link", name="Dépôt d'un dossier de passeport").first.click()
    audit.check(page, "rdv-type")
    page.locator("button[data-slot]").first.click()
    page.get_by_role("button", name="Confirmer le rendez-vous").wait_for()
    audit.check(page, "rdv-book")
    page.fill("#first_name", "Camille")
    page.fill("#last_name", "Usager")
    page.fill("#email", "camille@example.fr")
    page.get_by_role("button", name="Confirmer le rendez-vous").click()
    page.get_by_text("Votre rendez-vous est confirmé").wait_for()
    audit.check(page, "rdv-manage")
    page.goto(base + "/rendez-vous/mes-rendez-vous/")
    audit.check(page, "rdv-mine")
    page.context.close()

    # Agent: back office, the request table (the long string wraps), a request, the agenda.
    page = new_page()
    _login(page, base, commune["agent"].email, width)
    page.goto(base + "/gestion/")
    audit.check(page, "backoffice")
    page.goto(base + "/demarches/gestion/")
    audit.check(page, "dashboard")
    # The long name wraps in its cell instead of pushing the status columns away.
    cell = page.locator("td", has_text="ZZZZ").first.bounding_box()
    assert cell["width"] < 420, cell
    if width >= 1280:
        assert page.evaluate(
            "(() => { const w = document.querySelector('.table-wrap');"
            " return w.scrollWidth <= w.clientWidth; })()"
        )
    page.get_by_role("link", name=commune["request"].reference).click()
    audit.check(page, "agent-request")
    page.goto(base + "/rendez-vous/gestion/?vue=semaine")
    audit.check(page, "agenda")
    page.context.close()

    # Admin: look and legal settings, team, forms.
    page = new_page()
    _login(page, base, commune["admin"].email, width)
    page.goto(base + "/gestion/apparence/")
    audit.check(page, "look")
    page.goto(base + "/gestion/membres/")
    audit.check(page, "members")
    page.goto(base + "/demarches/gestion/formulaires/")
    audit.check(page, "forms")
    page.goto(base + "/demarches/gestion/formulaires/demande-test/")
    audit.check(page, "form-edit")
    page.goto(base + "/gestion/assistance/")
    audit.check(page, "support-member")
    page.goto(base + "/gestion/assistance/nouvelle/")
    audit.check(page, "support-file")
    page.context.close()

    # The operator's platform admin: home, members' dashboard, one member, onboarding, mails.
    page = new_page()
    _login(page, site_url(), commune["operator_admin"].email, width)
    audit.check(page, "operator-home")
    for path, name in [
        ("/operateur/", "operator-dashboard"),
        ("/operateur/collectivites/test-a/", "operator-collectivite"),
        ("/operateur/raccorder/", "operator-onboard"),
        ("/operateur/courriels/", "operator-outbox"),
    ]:
        page.goto(site_url() + path)
        audit.check(page, name)
    page.context.close()

    audit.assert_clean()
