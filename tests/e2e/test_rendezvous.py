"""A citizen searches by keyword, books a visio appointment, receives the confirmation
(stored mail, sent by the real Celery worker process every browser test has, as in the
demo) with the room link, moves the appointment through the mail's rebook link (one new
confirmation), and cancels through the new mail.
Then, on a phone, the admin sets the place's hours (the hours rule, issue 11)."""

import re
import time
from datetime import time as clock
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from portal.audit.trail import SYSTEM_COMMAND
from portal.outbox.models import OutboxMessage
from rendezvous import services
from rendezvous.models import Appointment, AppointmentType, Mode, OpeningRule, Place, Service
from tenants.models import Membership
from tests.conftest import in_tenant
from tests.e2e.conftest import sign_in
from tests.e2e.test_design import Auditor

NBSP = "\u00a0"


def _wait_for_mail(to: str, subject: str) -> OutboxMessage:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        mail = OutboxMessage.objects.filter(to__contains=[to], subject__contains=subject).first()
        if mail is not None:
            return mail
        time.sleep(0.2)
    raise AssertionError(f"no mail to {to} about {subject!r}")


@pytest.mark.django_db(transaction=True)
def test_citizen_books_visio_moves_and_cancels_by_the_mail_links(
    page, site_url, live_server, settings, tenant_a, member_factory
):
    settings.EMAIL_BACKEND = "portal.outbox.backend.OutboxEmailBackend"
    settings.PORTAL_PORT = live_server.url.rsplit(":", 1)[1]
    agent = member_factory(tenant_a)
    with in_tenant(tenant_a):
        service = Service.objects.create(name="Urbanisme")
        place = services.place_save(
            acting_user=SYSTEM_COMMAND,
            place=Place(name="Mairie", address="Place de la Mairie"),
            hours={day: [(clock(8), clock(20))] for day in range(7)},
        )
        kind = AppointmentType.objects.create(
            service=service,
            name="Conseil avant un permis de construire",
            keywords="travaux PLU",
            duration_minutes=30,
            modes=[Mode.IN_PERSON, Mode.VISIO],
            documents_to_bring="Plan de situation",
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
    base = site_url("test-a")
    try:
        page.goto(base + "/")
        page.fill("#rdv-q", "permis CONSTRUIRE")
        page.locator("#rdv-search button").click()
        page.get_by_role("link", name="Conseil avant un permis de construire").click()
        page.locator("button[data-slot]").first.click()
        page.locator("label[for=mode-visio]").click()
        page.fill("#first_name", "Camille")
        page.fill("#last_name", "Usager")
        page.fill("#email", "camille.e2e@example.fr")
        page.get_by_role("button", name="Confirmer le rendez-vous").click()
        page.get_by_text("Votre rendez-vous est confirmé").wait_for()
        visio = page.locator("#visio-link").get_attribute("href")
        assert re.match(r"https://meet\.jit\.si/rdv-[\w-]{32,}$", visio)

        mail = _wait_for_mail("camille.e2e@example.fr", "confirmé")
        assert mail.attachments.get().filename == "rendez-vous.ics"
        assert visio in mail.body

        # Move it: the rebook link opens the week, the next slot, then one confirmation.
        rebook = re.search(r"Déplacer ce rendez-vous : (\S+)", mail.body).group(1)
        page.goto(rebook)
        page.get_by_text("Votre rendez-vous actuel").wait_for()
        page.locator("button[data-slot]").first.click()
        page.get_by_role("button", name="Déplacer mon rendez-vous").click()
        page.get_by_text("Votre rendez-vous est déplacé").wait_for()
        moved = _wait_for_mail("camille.e2e@example.fr", "déplacé")
        assert "remplace celui du" in moved.body
        assert OutboxMessage.objects.filter(to__contains=["camille.e2e@example.fr"]).count() == 2
        cancel = re.search(r"Annuler ce rendez-vous : (\S+)", moved.body).group(1)
        assert cancel.startswith(base + "/rendez-vous/mon-rdv/")

        page.goto(cancel)
        page.get_by_role("button", name="Confirmer l'annulation").click()
        page.get_by_text("Votre rendez-vous est annulé").first.wait_for()
        with in_tenant(tenant_a):
            statuses = dict(Appointment.objects.values_list("cancel_reason", "status"))
            assert statuses == {"déplacé": "cancelled", "": "cancelled"}

        # The hours rule at 375 px: the admin enters the place's hours in its row-per-day
        # form (an inverted range is refused in French, nothing saved), then the commune's
        # home and the place card read the same generated text; axe-core finds nothing
        # serious or critical on these pages.
        admin = member_factory(tenant_a, role=Membership.Role.ADMIN)
        audit = Auditor(375)
        phone = audit.watch(
            page.context.browser.new_context(
                locale="fr-FR",
                timezone_id="Europe/Paris",
                viewport={"width": 375, "height": 800},
            ).new_page()
        )
        phone.set_default_timeout(15_000)
        place_url = f"/rendez-vous/gestion/configuration/lieux/{place.pk}/"
        sign_in(phone, f"{base}/comptes/connexion/?next={place_url}", admin)
        audit.check(phone, "place-hours")
        phone.get_by_label("Lundi, plage 1, fermeture").fill("07:00")
        phone.get_by_role("button", name="Enregistrer").click()
        phone.get_by_text(
            f"La fermeture (7{NBSP}h) doit suivre l'ouverture (8{NBSP}h)."
        ).first.wait_for()
        audit.check(phone, "place-hours-error")
        phone.get_by_label("Lundi, plage 1, fermeture").fill("12:00")
        phone.get_by_label("Lundi, plage 2, ouverture").fill("13:30")
        phone.get_by_label("Lundi, plage 2, fermeture").fill("17:00")
        phone.get_by_role("button", name="Enregistrer").click()
        phone.get_by_text("Lieu et horaires enregistrés.").wait_for()
        expected = [
            f"Lundi{NBSP}: 8{NBSP}h – 12{NBSP}h et 13{NBSP}h{NBSP}30 – 17{NBSP}h",
            f"Du mardi au dimanche{NBSP}: 8{NBSP}h – 20{NBSP}h",
        ]
        phone.goto(base + "/")
        audit.check(phone, "home-hours")
        assert phone.locator("[data-hours] li").all_inner_texts() == expected
        phone.goto(f"{base}/rendez-vous/type/{kind.pk}/")
        audit.check(phone, "place-card-hours")
        assert phone.locator("[data-hours] li").all_inner_texts() == expected
        phone.context.close()
        assert not audit.problems, "\n".join(audit.problems + audit.console)
    finally:
        with in_tenant(tenant_a):
            Appointment.objects.all().delete()
            OpeningRule.objects.all().delete()
            AppointmentType.objects.all().delete()
            Place.objects.all().delete()
            Service.objects.all().delete()
