"""Issue 27: the desk's notices written before portal.owed sent them become owed documents
(sent ones issued, unsent ones still owed for the sweep)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.owed.models import OwedDocument
from tests.migrating import migrate_to, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)


def test_existing_notices_become_owed_documents(file_request):
    filed = file_request()
    OwedDocument.objects.all().delete()  # as before issue 27: no owed rows
    old = migrate_to(("support", "0003_deskmember_data_version"))
    try:
        notice = old.get_model("support", "SupportNotice")
        notice.objects.all().delete()
        sent_at = timezone.now() - timedelta(days=2)
        sent = notice.objects.create(request_id=filed.pk, kind="filed", sent_at=sent_at)
        unsent = notice.objects.create(request_id=filed.pk, kind="reply", key="7")
    finally:
        migrate_to_latest("support")
    rows = {
        row.subject_id: row
        for row in OwedDocument.objects.filter(kind="support.notice", task="support.notice_send")
    }
    assert set(rows) == {sent.pk, unsent.pk}
    assert rows[sent.pk].issued_at == sent_at
    assert rows[unsent.pk].issued_at is None
    assert rows[unsent.pk].queued_at == unsent.created_at  # old enough: the sweep takes it
