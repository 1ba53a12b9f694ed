"""portal.db.retry_on_deadlock: a transaction PostgreSQL aborts as a deadlock victim is run
again instead of failing (real deadlock between two threads, two rows locked crosswise)."""

import threading

import pytest
from django.db import OperationalError, connection, transaction

from portal.db import is_retryable, retry_on_deadlock
from portal.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_deadlock_victim_is_retried_and_both_succeed():
    first = OutboxMessage.objects.create(schema_name="public", from_email="a@x.fr", subject="1")
    second = OutboxMessage.objects.create(schema_name="public", from_email="a@x.fr", subject="2")
    barrier = threading.Barrier(2, timeout=30)
    attempts = {"ab": 0, "ba": 0}
    results: dict = {}

    def crosswise(name, one, other):
        @retry_on_deadlock
        @transaction.atomic
        def lock_both():
            attempts[name] += 1
            OutboxMessage.objects.select_for_update().get(pk=one.pk)
            if attempts[name] == 1:
                barrier.wait()  # both hold their first row: the second locks cross
            OutboxMessage.objects.select_for_update().get(pk=other.pk)
            OutboxMessage.objects.filter(pk=other.pk).update(subject=f"by {name}")
            return name

        try:
            results[name] = lock_both()
        except Exception as error:  # noqa: BLE001 - checked below
            results[name] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=crosswise, args=("ab", first, second)),
        threading.Thread(target=crosswise, args=("ba", second, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == {"ab": "ab", "ba": "ba"}
    assert sorted(attempts.values()) == [1, 2]  # one victim, run again once


def test_other_errors_are_not_retried():
    calls = []

    @retry_on_deadlock
    def broken():
        calls.append(1)
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1/0")

    with pytest.raises(Exception, match="division by zero"):
        broken()
    assert calls == [1]
    assert not is_retryable(OperationalError("plain"))
