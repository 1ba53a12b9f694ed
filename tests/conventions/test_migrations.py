"""Issue 27: conventions' reminders sent before portal.owed become issued owed documents."""

import pytest

from portal.owed.models import OwedDocument
from tests.migrating import migrate_to, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)


def test_sent_reminders_become_issued_owed_documents(catalogue, tenant_a, platform_admin):
    from conventions import services

    convention = services.convention_create(
        model=catalogue["000"], collectivite=tenant_a, acting_user=platform_admin
    )
    old = migrate_to(("conventions", "0001_initial"))
    try:
        reminder = old.get_model("conventions", "Reminder")
        sent = reminder.objects.create(
            convention_id=convention.pk, key="notice-member-2025-12-10", due_on="2025-12-10"
        )
    finally:
        migrate_to_latest("conventions")
    row = OwedDocument.objects.get(kind="conventions.reminder")
    assert (row.subject_id, row.task) == (sent.pk, "conventions.reminder_send")
    assert row.issued_at == sent.sent_at  # mailed when its row committed
    assert convention.reminders.get().created_at == sent.sent_at
