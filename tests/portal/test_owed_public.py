"""Issue 27: portal.owed also lives in the public schema (support, conventions, billing);
a database migrated before got its table from owed 0002, and the public sweep runs there."""

import importlib

import pytest
from django.apps import apps
from django.db import connection

from portal.jobs.services import job_run
from portal.owed.models import OwedDocument

pytestmark = pytest.mark.django_db

migration = importlib.import_module("portal.owed.migrations.0002_once_public_table")


def _public_table() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('public.owed_oweddocument')")
        return cursor.fetchone()[0] is not None


def test_the_public_table_is_created_where_0001_was_skipped(operator):
    assert connection.schema_name == "public" and _public_table()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE public.owed_oweddocument")  # as the router left it
    assert not _public_table()
    with connection.schema_editor() as editor:
        migration.table_create_where_missing(apps, editor)
        migration.table_create_where_missing(apps, editor)  # present: nothing to do
    assert _public_table() and OwedDocument.objects.count() == 0


def test_the_public_sweep_is_a_public_job(
    operator, settings, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(
        "portal.owed.services._send", lambda task, schema, subject_id: sent.append(schema)
    )
    settings.OWED_RESEND_AFTER_SECONDS = 0
    OwedDocument.objects.create(kind="support.notice", subject_id=1, task="support.notice_send")
    with django_capture_on_commit_callbacks(execute=True):
        assert job_run(job="owed.sweep_public").result == {"requeued": 1}
    assert sent == ["public"]
