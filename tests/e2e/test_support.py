"""A commune admin files an incident, the operator's desk takes it into account and sets a
likely restoration time, and the admin reads it: two people, two hosts, one Chromium."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from portal.audit.trail import SYSTEM_COMMAND
from support import services
from support.models import DeskMember, HelpArticle
from tenants.models import Membership
from tests.conftest import staff_login


def _signed_in(browser, host: str, user):
    """A browser context signed in as ``user`` on ``host`` (the session of Django's client)."""
    client = staff_login(Client(HTTP_HOST=host), user)  # second factor passed (issue 22)
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "domain": host,
                "path": "/",
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_an_incident_from_filing_to_restoration_time(
    browser, site_url, operator, tenant_a, member_factory, user_factory
):
    referent = member_factory(tenant_a, role=Membership.Role.ADMIN)
    desk = user_factory(first_name="Sam")
    DeskMember.objects.create(user=desk)
    services.help_article_save(
        acting_user=SYSTEM_COMMAND,
        article=HelpArticle(title="Le parapheur ne démarre plus", body="Videz le cache."),
    )
    member_context, member = _signed_in(browser, "test-a.localhost", referent)
    desk_context, desk_page = _signed_in(browser, "localhost", desk)
    try:
        member.goto(site_url("test-a") + "/gestion/")
        member.get_by_role("link", name="Demander de l'aide à l'opérateur").click()
        member.get_by_label("Objet").fill("Parapheur en panne")
        member.get_by_label("Incident").check()
        member.get_by_label("Description").press_sequentially("Le parapheur refuse tout", delay=5)
        # The help is suggested while typing, before filing (seed 001 art. 4).
        expect(member.get_by_role("link", name="Le parapheur ne démarre plus")).to_be_visible()
        member.get_by_role("button", name="Envoyer la demande").click()
        expect(member.get_by_role("heading", name="Parapheur en panne")).to_be_visible()
        reference = member.locator("dd").first.inner_text()
        assert reference.startswith("AS-")

        desk_page.goto(site_url() + "/operateur/assistance/")
        desk_page.get_by_role("link", name=reference).click()
        desk_page.get_by_role("button", name="Prendre en compte").click()
        expect(desk_page.get_by_text("C'est enregistré.")).to_be_visible()
        eta = timezone.localtime(timezone.now() + timedelta(days=1)).replace(
            hour=15, minute=30, second=0, microsecond=0
        )
        desk_page.get_by_label("Rétablissement probable").fill(eta.strftime("%Y-%m-%dT%H:%M"))
        desk_page.get_by_role("button", name="Enregistrer et prévenir la collectivité").click()
        expect(desk_page.get_by_text("C'est enregistré.")).to_be_visible()

        member.reload()
        expect(member.get_by_text("Rétablissement probable du service")).to_be_visible()
        expect(member.get_by_text(eta.strftime("%d/%m/%Y à 15:30")).first).to_be_visible()
        expect(member.locator(".badge", has_text="Prise en compte")).to_be_visible()
    finally:
        member_context.close()
        desk_context.close()
