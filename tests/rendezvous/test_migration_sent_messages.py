"""Issue 27: migration 0008 turns each SentMessage row into an issued owed row, so that a
message sent before the move to portal.owed is never sent again."""

from importlib import import_module

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from portal.audit.trail import ANONYMOUS
from portal.owed.models import OwedDocument
from rendezvous import messages, services
from tests.rendezvous.conftest import MONDAY, NOW, at

pytestmark = pytest.mark.django_db

migration = import_module("rendezvous.migrations.0008_sms_sent_messages_to_owed")


def test_sent_messages_become_issued_owed_rows(rdv_a, contact, time_machine):
    time_machine.move_to(NOW)
    booked = services.appointment_book(
        acting_user=ANONYMOUS,
        appointment_type=rdv_a.kind,
        place_id=rdv_a.place.pk,
        starts_at=at(MONDAY, 9),
        now=NOW,
        **contact,
    )
    assert OwedDocument.objects.get(kind="rendezvous.confirmation").issued_at is None
    state = MigrationLoader(connection).project_state(
        [("rendezvous", "0007_sms_appointment_opt_out"), ("owed", "0003_sms_due_at")]
    )
    apps = state.apps
    SentMessage = apps.get_model("rendezvous", "SentMessage")
    with connection.schema_editor() as editor:  # the table as it was (in this transaction)
        editor.create_model(SentMessage)
    SentMessage.objects.create(appointment_id=booked.pk, kind="confirmation")
    SentMessage.objects.create(appointment_id=booked.pk, kind="reminder")
    migration.sent_to_owed(apps, None)
    issued = OwedDocument.objects.filter(subject_id=booked.pk, issued_at__isnull=False)
    assert sorted(issued.values_list("kind", flat=True)) == [
        "rendezvous.confirmation",
        "rendezvous.reminder",
    ]
    assert messages.message_send(appointment_id=booked.pk, kind="confirmation") is False
    assert messages.message_send(appointment_id=booked.pk, kind="reminder") is False
