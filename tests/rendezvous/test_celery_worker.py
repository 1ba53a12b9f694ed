"""A real Celery worker (Redis broker) sends the confirmation queued when a booking commits,
inside the right tenant's schema, once."""

import time

import pytest
from django.core import mail
from django.db import connection

from portal.audit.trail import ANONYMOUS
from portal.owed.models import OwedDocument
from rendezvous import services
from rendezvous.models import Appointment
from tests.conftest import worker_in_thread
from tests.rendezvous.conftest import MONDAY, NOW, at, make_setup


@pytest.mark.django_db(transaction=True)
def test_worker_sends_the_confirmation_once(tenant_a, member_factory, contact):
    agent = member_factory(tenant_a)
    setup = make_setup(tenant_a, [agent])
    try:
        with worker_in_thread():
            appointment = services.appointment_book(
                acting_user=ANONYMOUS,
                appointment_type=setup.kind,
                place_id=setup.place.pk,
                starts_at=at(MONDAY, 9),
                now=NOW,
                **(contact | {"mode": "visio"}),
            )
            connection.set_schema_to_public()  # the task must find its tenant by itself
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                if any(appointment.visio_url in m.body for m in mail.outbox):
                    break
                time.sleep(0.1)
        sent = [m for m in mail.outbox if appointment.visio_url in m.body]
        assert len(sent) == 1
        assert sent[0].attachments[0][0] == "rendez-vous.ics"
        connection.set_tenant(tenant_a)
        assert (
            OwedDocument.objects.filter(kind__startswith="rendezvous.", issued_at__isnull=False)
            .filter(subject_id=appointment.pk)
            .count()
            == 1
        )
    finally:
        connection.set_tenant(tenant_a)
        Appointment.objects.all().delete()
