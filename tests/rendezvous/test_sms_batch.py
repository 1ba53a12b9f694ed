"""SMS issued a batch at a time (issue 28: a tick's 10,000 reminders): the same rules as one
SMS alone (rendezvous/sms.py), decided and claimed in one transaction whose query count
does not grow with the batch, then sent side by side, each at most once."""

import os
import signal
import time
from datetime import time as clock
from datetime import timedelta

import pytest
from django.db import connection

from portal.owed.models import OwedDocument
from portal.owed.services import owed_sweep
from portal.sms.models import SmsSettings, TextMessage
from portal.sms.services import SEND_THREADS, SENDING_LOST_AFTER
from portal.sms.shared.models import SmsMonth, SmsOptOut
from rendezvous import sms
from rendezvous.models import Appointment, Mode
from tests.rendezvous import test_sms
from tests.rendezvous.conftest import MONDAY, NOW, at
from tests.rendezvous.test_sms import worker_to_kill

SENT, SKIPPED = TextMessage.Status.SENT, TextMessage.Status.SKIPPED
stand_in = test_sms.stand_in  # the stand-in provider process, its fixture


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW)


def booked(rdv, count: int, **fields) -> list[Appointment]:
    """``count`` booked appointments on Monday from 9:00, 15 minutes apart, each its own
    mobile number (test data: what booking leaves, without its confirmation)."""
    starts = at(MONDAY, 9)
    return Appointment.objects.bulk_create(
        Appointment(
            type=rdv.kind,
            agent_id=rdv.agent.pk,
            place=rdv.place,
            mode=Mode.IN_PERSON,
            starts_at=starts + timedelta(minutes=15 * i),
            ends_at=starts + timedelta(minutes=15 * i + 15),
            blocked_until=starts + timedelta(minutes=15 * i + 15),
            status=Appointment.Status.BOOKED,
            first_name="Camille",
            last_name="Usager",
            email=f"usager{i}@example.fr",
            phone=f"06 12 34 56 {i:02d}",
            **fields,
        )
        for i in range(count)
    )


def issue(appointments: list[Appointment]) -> list[TextMessage]:
    ids = [appointment.pk for appointment in appointments]
    return sms.sms_issue_batch(appointment_ids=ids, kind=sms.REMINDER)


def test_a_batch_is_sent_once_tagged_and_in_queries_that_do_not_grow_with_it(
    rdv_a, stand_in, queries
):
    SmsSettings.current()  # (made on first use)
    counts = []
    for size in (2, 6):
        appointments = booked(rdv_a, size)
        with queries() as q:
            texts = issue(appointments)
        counts.append(q.count)
        assert [text.status for text in texts] == [SENT] * size
        Appointment.objects.filter(pk__in=[a.pk for a in appointments]).delete()
    # 12 statements (and 4 savepoints here): the first transaction's 10, then one for the sent.
    assert counts == [16, 16]
    messages = stand_in.messages()
    texts = TextMessage.objects.order_by("pk")
    assert sorted(m["tag"] for m in messages) == sorted(
        f"{connection.schema_name}/{text.pk}" for text in texts
    )
    assert {text.provider_ref for text in texts} == {str(m["messageId"]) for m in messages}
    assert all(text.sent_at and text.attempts == 1 for text in texts)
    assert not OwedDocument.objects.filter(issued_at__isnull=True).exists()
    month = SmsMonth.objects.get(schema_name=connection.schema_name)
    assert (month.texts, month.segments, month.refused) == (8, 8, 0)
    assert issue(appointments) == []  # issued: a batch run twice sends nothing more
    assert len(stand_in.messages()) == 8


def test_a_cancelled_appointment_in_a_batch_is_skipped_the_others_sent(rdv_a, stand_in):
    first, cancelled, last = booked(rdv_a, 3)
    Appointment.objects.filter(pk=cancelled.pk).update(status=Appointment.Status.CANCELLED)
    texts = issue([first, cancelled, last])
    assert [text.status for text in texts] == [SENT, SKIPPED, SENT]
    assert "annulé" in texts[1].reason and texts[1].segments == 0
    assert len(stand_in.messages()) == 2
    assert SmsMonth.objects.get(schema_name=connection.schema_name).texts == 2


def test_opted_out_numbers_and_accounts_in_a_batch_get_no_sms(rdv_a, stand_in, user_factory):
    citizen = user_factory()
    by_number, by_account, wanted = booked(rdv_a, 3)
    Appointment.objects.filter(pk=by_account.pk).update(citizen_id=citizen.pk)
    SmsOptOut.objects.create(phone="+33612345600", source=SmsOptOut.Source.PROVIDER)
    SmsOptOut.objects.create(user_id=citizen.pk, source=SmsOptOut.Source.ACCOUNT)
    texts = issue([by_number, by_account, wanted])
    assert [text.status for text in texts] == [SKIPPED, SKIPPED, SENT]
    assert all("refuse" in text.reason for text in texts[:2])
    assert [m["recipient"] for m in stand_in.messages()] == ["33612345602"]


def test_the_cap_reached_in_the_middle_of_a_batch_stops_there(rdv_a, stand_in):
    SmsSettings.objects.create(monthly_cap=2)
    texts = issue(booked(rdv_a, 4))
    assert [text.status for text in texts] == [SENT, SENT, SKIPPED, SKIPPED]
    assert all("plafond" in text.reason for text in texts[2:])
    month = SmsMonth.objects.get(schema_name=connection.schema_name)
    assert (month.texts, month.segments, month.refused) == (2, 2, 2)
    assert OwedDocument.objects.filter(kind="sms.cap_notice", subject_id=202612).exists()
    assert len(stand_in.messages()) == 2


def test_a_provider_error_in_a_batch_is_retried_with_backoff(rdv_a, stand_in, time_machine):
    stand_in.fail(1)
    texts = issue(booked(rdv_a, 3))
    assert sorted(text.status for text in texts) == [TextMessage.Status.QUEUED, SENT, SENT]
    [failed] = [text for text in texts if text.status == TextMessage.Status.QUEUED]
    assert failed.attempts == 1
    assert abs(failed.next_attempt_at - (NOW + timedelta(minutes=1))) < timedelta(seconds=30)
    time_machine.move_to(NOW + timedelta(minutes=2))
    assert sms.sms_sweep() == {"sent": 1, "lost": 0}
    assert len({m["tag"] for m in stand_in.messages()}) == 3


def test_quiet_hours_put_the_whole_batch_off_to_the_morning(rdv_a, stand_in, time_machine):
    night = NOW.replace(hour=22)
    time_machine.move_to(night)
    appointments = booked(rdv_a, 2)
    sms.sms_reminders_owe(appointment_ids=[a.pk for a in appointments])
    assert (
        sms.sms_issue_batch(
            appointment_ids=[a.pk for a in appointments], kind=sms.REMINDER, now=night
        )
        == []
    )
    morning = (night + timedelta(days=1)).replace(hour=8)
    assert set(OwedDocument.objects.values_list("due_at", flat=True)) == {morning}
    assert stand_in.messages() == []


@pytest.mark.django_db(transaction=True)
def test_worker_killed_between_claim_and_send_never_sends_them(
    tenant_a, member_factory, monkeypatch
):
    """A tick's reminders go to a real worker as one batch, all claimed in one transaction;
    the provider holds the first SEND_THREADS of them (it answers in 4 s) when the worker
    is SIGKILLed: the rest were claimed and never sent. After a restart and the sweeps,
    none is sent (again): the claims are settled as unknown."""
    from tests.conftest import worker_start
    from tests.rendezvous.conftest import make_setup

    rdv = make_setup(tenant_a, [member_factory(tenant_a)], end=clock(17))
    appointments = booked(rdv, SEND_THREADS + 4)
    with worker_to_kill(monkeypatch, tenant_a, "batch") as run:
        run.worker = worker_start(run.queue)
        sms.sms_reminders_owe(appointment_ids=[a.pk for a in appointments])
        deadline = time.monotonic() + 60
        while len(run.provider.messages()) < SEND_THREADS:
            assert time.monotonic() < deadline and run.worker.poll() is None
            time.sleep(0.05)
        os.kill(run.worker.pid, signal.SIGKILL)
        run.worker.wait(timeout=10)
        connection.set_tenant(tenant_a)
        texts = TextMessage.objects.all()
        assert [text.status for text in texts] == [TextMessage.Status.SENDING] * len(appointments)
        run.worker = worker_start(run.queue)
        assert owed_sweep(older_than=timedelta(0))["requeued"] == 0  # issued: not owed
        later = max(text.status_at for text in texts) + SENDING_LOST_AFTER + timedelta(seconds=1)
        assert sms.sms_sweep(now=later) == {"sent": 0, "lost": len(appointments)}
        time.sleep(2)
        assert set(TextMessage.objects.values_list("status", flat=True)) == {"unknown"}
        assert len(run.provider.messages()) == SEND_THREADS
