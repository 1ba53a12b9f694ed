"""A citizen searches by keyword, books a visio appointment, receives the confirmation
(stored mail, sent by a real Celery worker) with the room link, and cancels through it."""

import re
import time
from datetime import time as clock
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.utils import timezone

from portal.celery import app
from portal.outbox.models import OutboxMessage
from rendezvous.models import Appointment, AppointmentType, Mode, OpeningRule, Place, Service
from tests.conftest import in_tenant


@pytest.mark.django_db(transaction=True)
def test_citizen_books_visio_and_cancels_by_the_mail_link(
    page, site_url, live_server, settings, tenant_a, member_factory
):
    settings.EMAIL_BACKEND = "portal.outbox.backend.OutboxEmailBackend"
    settings.PORTAL_PORT = live_server.url.rsplit(":", 1)[1]
    agent = member_factory(tenant_a)
    with in_tenant(tenant_a):
        service = Service.objects.create(name="Urbanisme")
        place = Place.objects.create(
            name="Mairie", address="Place de la Mairie", opening_hours="Tous les jours 8 h – 20 h"
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
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
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

            deadline = time.monotonic() + 20
            mail = None
            while mail is None and time.monotonic() < deadline:
                mail = OutboxMessage.objects.filter(to__contains=["camille.e2e@example.fr"]).first()
                time.sleep(0.2)
        assert mail is not None, "the confirmation was not sent"
        assert mail.attachments.get().filename == "rendez-vous.ics"
        assert visio in mail.body
        cancel = re.search(r"Annuler ce rendez-vous : (\S+)", mail.body).group(1)
        assert cancel.startswith(base + "/rendez-vous/mon-rdv/")

        page.goto(cancel)
        page.get_by_role("button", name="Confirmer l'annulation").click()
        page.get_by_text("Votre rendez-vous est annulé").first.wait_for()
        with in_tenant(tenant_a):
            assert Appointment.objects.get().status == Appointment.Status.CANCELLED
    finally:
        with in_tenant(tenant_a):
            Appointment.objects.all().delete()
            OpeningRule.objects.all().delete()
            AppointmentType.objects.all().delete()
            Place.objects.all().delete()
            Service.objects.all().delete()
