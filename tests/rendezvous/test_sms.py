"""SMS about appointments (issue 28) through the real Brevo client, against the stand-in
provider process on loopback (portal/sms/stand_in.py): owed with the change, sent once,
never in the quiet hours, never to who refused, never past the commune's cap."""

import os
import select
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from types import SimpleNamespace

import pytest
import requests
from django.conf import settings as django_settings
from django.db import connection

from portal.audit.trail import ANONYMOUS
from portal.owed.models import OwedDocument
from portal.owed.services import owed_sweep
from portal.sms.models import SmsSettings, TextMessage
from portal.sms.services import SENDING_LOST_AFTER, sms_event_record
from portal.sms.shared.models import SmsMonth, SmsOptOut
from rendezvous import services, sms
from rendezvous.models import Appointment, Mode
from tests.rendezvous.conftest import MONDAY, NOW, at

KEY = "cle-de-test"


class StandIn:
    def __init__(self, port: int):
        self.url = f"http://127.0.0.1:{port}"

    def messages(self) -> list[dict]:
        return requests.get(self.url + "/_stand_in/messages", timeout=5).json()

    def fail(self, count: int) -> None:
        requests.post(self.url + "/_stand_in/fail", json={"count": count}, timeout=5)

    def reply(self, to: str, text: str) -> dict:
        return requests.post(
            self.url + "/_stand_in/reply", json={"to": to, "text": text}, timeout=5
        ).json()


def stand_in_start(**env) -> tuple[subprocess.Popen, StandIn]:
    process = subprocess.Popen(
        [sys.executable, "-m", "portal.sms.stand_in"],
        cwd=django_settings.BASE_DIR,
        env=os.environ | {"SMS_API_KEY": KEY} | env,
        stdout=subprocess.PIPE,
        text=True,
    )
    ready, _, _ = select.select([process.stdout], [], [], 30)
    line = process.stdout.readline() if ready else ""
    assert line.startswith("PORT "), f"the stand-in provider did not start: {line!r}"
    return process, StandIn(int(line.split()[1]))


@pytest.fixture
def stand_in(settings):
    process, provider = stand_in_start()
    settings.SMS_API_KEY = KEY
    settings.SMS_API_URL = provider.url
    settings.SMS_SENDER = "MAIRIE"
    yield provider
    process.terminate()
    process.wait(timeout=10)


@contextmanager
def worker_to_kill(monkeypatch, tenant, name: str):
    """For a test that SIGKILLs a real worker mid-send: a stand-in provider that answers in
    4 s, this test's own queue, the worker's settings (no quiet hours: it runs on the real
    clock). The test sets ``run.worker`` (``worker_start(run.queue)``); at the end the
    worker, queue and provider stop and the tenant's appointments and SMS are deleted."""
    from tests.conftest import default_queue_set, queue_delete, worker_stop

    process, provider = stand_in_start(SMS_STAND_IN_DELAY="4")
    queue = default_queue_set(monkeypatch, f"tests-sms-{name}-{os.getpid()}-{time.time_ns()}")
    env = {"SMS_API_KEY": KEY, "SMS_API_URL": provider.url, "SMS_QUIET_FROM": "00:00"}
    env["SMS_QUIET_UNTIL"] = "00:00"
    for setting, value in env.items():
        monkeypatch.setenv(setting, value)
        monkeypatch.setattr(django_settings, setting, value)
    run = SimpleNamespace(provider=provider, queue=queue, worker=None)
    try:
        yield run
    finally:
        if run.worker is not None:
            worker_stop(run.worker)
        queue_delete(queue)
        process.terminate()
        process.wait(timeout=10)
        connection.set_tenant(tenant)
        Appointment.objects.all().delete()
        TextMessage.objects.all().delete()


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW)


def book(rdv, contact, *, starts_at=None, **extra) -> Appointment:
    return services.appointment_book(
        acting_user=ANONYMOUS,
        appointment_type=rdv.kind,
        place_id=rdv.place.pk,
        starts_at=starts_at or at(MONDAY, 9),
        now=NOW,
        **(contact | extra),
    )


def owed(kind: str) -> list[OwedDocument]:
    return list(OwedDocument.objects.filter(kind=sms.OWED[kind]))


@pytest.mark.parametrize("kind", ["confirmation", "moved", "reminder", "cancellation"])
@pytest.mark.parametrize("mode", [Mode.IN_PERSON, Mode.VISIO, Mode.PHONE])
def test_each_template_fits_one_gsm7_sms_for_a_usual_commune(
    rdv_a, contact, kind, mode, monkeypatch
):
    from portal.sms.gsm7 import gsm7_transliterate, sms_length, sms_segments

    # Long and accented, as many are ("É" is in GSM-7, "ê" and "ç" are not).
    monkeypatch.setattr(connection.tenant, "name", "Saint-Étienne-de-Tinée")
    appointment = book(rdv_a, contact, mode=mode)
    if kind == "moved":
        appointment.replaces_id = appointment.pk
    text = gsm7_transliterate(
        sms.sms_text(appointment=appointment, kind="confirmation" if kind == "moved" else kind)
    )
    assert "Saint-Étienne-de-Tinée" in text and sms.short_url(appointment=appointment) in text
    assert sms_length(text)[0] == "gsm7" and sms_length(text)[1] <= 160, text
    assert sms_segments(text) == 1


def test_no_key_no_sms_and_booking_works(rdv_a, contact, settings):
    settings.SMS_API_KEY = ""
    appointment = book(rdv_a, contact)
    assert appointment.status == Appointment.Status.BOOKED
    assert owed("confirmation") == []
    assert OwedDocument.objects.filter(kind="rendezvous.confirmation").count() == 1


def test_confirmation_sms_sent_once_through_the_provider_api(rdv_a, contact, stand_in):
    appointment = book(rdv_a, contact, mode=Mode.VISIO)
    assert [row.subject_id for row in owed("confirmation")] == [appointment.pk]
    text = sms.sms_issue(appointment_id=appointment.pk, kind=sms.CONFIRMATION)
    assert text.status == TextMessage.Status.SENT and text.segments == 1
    assert sms.sms_issue(appointment_id=appointment.pk, kind=sms.CONFIRMATION) is None
    [sent] = stand_in.messages()
    assert sent["recipient"] == "33612345678" and sent["sender"] == "MAIRIE"
    assert sent["type"] == "transactional" and sent["tag"] == f"{connection.schema_name}/{text.pk}"
    assert sent["content"].startswith(f"{connection.tenant.name} : RDV confirmé le 07/12 à 09h00")
    assert "en visio" in sent["content"] and sent["smsCount"] == 1
    assert text.provider_ref == str(sent["messageId"])
    assert owed("confirmation")[0].issued_at is not None
    month = SmsMonth.objects.get(schema_name=connection.schema_name)
    assert (month.texts, month.segments) == (1, 1)


def test_the_sms_link_opens_the_manage_page_until_an_action_replaces_it(
    rdv_a, contact, stand_in, client_a
):
    appointment = book(rdv_a, contact)
    link = sms.short_url(appointment=appointment)
    path = link.split("localhost:8000", 1)[1]
    response = client_a.get(path)
    assert response.status_code == 302 and "/rendez-vous/mon-rdv/" in response["Location"]
    services.appointment_cancel(  # through the link: it dies with the action
        acting_user=ANONYMOUS,
        appointment=appointment,
        by="citizen",
        link_secret=appointment.link_secret,
        now=NOW,
    )
    assert client_a.get(path).status_code == 404


def test_overseas_mobile_numbers_get_their_sms(rdv_a, contact, stand_in):
    appointment = book(rdv_a, contact, phone="0692 12 34 56")
    sms.sms_issue(appointment_id=appointment.pk, kind=sms.CONFIRMATION)
    assert [m["recipient"] for m in stand_in.messages()] == ["262692123456"]


def test_landline_or_declined_at_booking_owes_no_sms(rdv_a, contact, stand_in):
    book(rdv_a, contact, phone="04 92 00 00 00")
    book(rdv_a, contact, starts_at=at(MONDAY, 10), sms_opt_out=True)
    assert owed("confirmation") == []


def test_opted_out_on_the_account_page_gets_no_sms(
    rdv_a, contact, stand_in, user_factory, client_a
):
    from tests.conftest import PASSWORD

    citizen = user_factory()
    client_a.login(email=citizen.email, password=PASSWORD)
    assert client_a.post("/comptes/mon-compte/sms/", {"sms": "non"}).status_code == 302
    assert "aucun SMS" in client_a.get("/comptes/mon-compte/sms/").content.decode()
    appointment = book(rdv_a, contact, citizen_id=citizen.pk)
    text = sms.sms_issue(appointment_id=appointment.pk, kind=sms.CONFIRMATION)
    assert text.status == TextMessage.Status.SKIPPED and "refuse" in text.reason
    assert stand_in.messages() == []


def test_stop_reported_by_the_provider_is_honoured(rdv_a, contact, stand_in, settings):
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    first = book(rdv_a, contact)
    sms.sms_issue(appointment_id=first.pk, kind=sms.CONFIRMATION)
    event = stand_in.reply("33612345678", "STOP")
    settings.SMS_EVENTS_SECRET = "secret-des-evenements"
    connection.set_schema_to_public()
    assert client.post("/sms/evenements/mauvais/", event, "application/json").status_code == 404
    response = client.post(
        "/sms/evenements/secret-des-evenements/", event, content_type="application/json"
    )
    assert response.status_code == 204
    assert SmsOptOut.objects.filter(phone="+33612345678").exists()
    connection.set_tenant(rdv_a.tenant)
    second = book(rdv_a, contact, starts_at=at(MONDAY, 10))
    text = sms.sms_issue(appointment_id=second.pk, kind=sms.CONFIRMATION)
    assert text.status == TextMessage.Status.SKIPPED
    assert len(stand_in.messages()) == 1


def test_forged_or_oversized_events_write_nothing_and_answer_204(rdv_a, settings):
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    settings.SMS_EVENTS_SECRET = "secret-des-evenements"
    connection.set_schema_to_public()
    url = "/sms/evenements/secret-des-evenements/"
    for event in (
        {"msg_status": "unsubscribed", "to": "3" * 400},
        {"msg_status": "delivered", "tag": "no_such_schema/12"},
        {"msg_status": "delivered", "tag": "x/" + "9" * 40},
        {"msg_status": "delivered", "tag": "a;drop/1"},
    ):
        assert client.post(url, event, content_type="application/json").status_code == 204
    assert not SmsOptOut.objects.exists()


def test_delivery_report_updates_the_status(rdv_a, contact, stand_in):
    appointment = book(rdv_a, contact)
    text = sms.sms_issue(appointment_id=appointment.pk, kind=sms.CONFIRMATION)
    [event] = requests.get(stand_in.url + "/_stand_in/events", timeout=5).json()
    sms_event_record(event=event)
    text.refresh_from_db()
    assert text.status == TextMessage.Status.DELIVERED


def test_nothing_is_sent_in_the_quiet_hours_it_waits_for_the_morning(
    rdv_a, contact, stand_in, time_machine
):
    appointment = book(rdv_a, contact)
    night = NOW.replace(hour=22, minute=30)
    time_machine.move_to(night)
    assert sms.sms_issue(appointment_id=appointment.pk, kind=sms.CONFIRMATION, now=night) is None
    [row] = owed("confirmation")
    morning = (night + timedelta(days=1)).replace(hour=8, minute=0)
    assert row.issued_at is None and row.due_at == morning
    time_machine.move_to(night + timedelta(hours=2))
    owed_sweep(older_than=timedelta(0))  # (the e-mail, owed too, is queued again)
    row.refresh_from_db()
    assert row.attempts == 1  # the SMS is not
    time_machine.move_to(morning + timedelta(minutes=1))
    owed_sweep(older_than=timedelta(0))
    row.refresh_from_db()
    assert row.attempts == 2
    text = sms.sms_issue(appointment_id=appointment.pk, kind=sms.CONFIRMATION)
    assert text.status == TextMessage.Status.SENT
    assert stand_in.messages()[0]["recipient"] == "33612345678"


def test_reminder_for_an_appointment_cancelled_after_queueing_is_not_sent(
    rdv_a, contact, stand_in, time_machine
):
    appointment = book(rdv_a, contact)
    time_machine.move_to(at(MONDAY, 9) - timedelta(hours=47))
    Appointment.objects.filter(pk=appointment.pk).update(created_at=NOW)
    from rendezvous.messages import reminders_send

    reminders_send()
    assert [row.subject_id for row in owed("reminder")] == [appointment.pk]
    services.appointment_cancel(
        acting_user=ANONYMOUS, appointment=appointment, by="agent", reason="Agent absent"
    )
    text = sms.sms_issue(appointment_id=appointment.pk, kind=sms.REMINDER)
    assert text.status == TextMessage.Status.SKIPPED and "annulé" in text.reason
    cancelled = sms.sms_issue(appointment_id=appointment.pk, kind=sms.CANCELLATION)
    assert cancelled.status == TextMessage.Status.SENT
    assert [m["content"].split(" : ")[1][:20] for m in stand_in.messages()] == [
        "votre RDV du 07/12 à"
    ]


def test_provider_errors_are_retried_with_backoff_and_cancellation_meanwhile_honoured(
    rdv_a, contact, stand_in, time_machine
):
    appointment = book(rdv_a, contact)
    stand_in.fail(1)
    text = sms.sms_issue(appointment_id=appointment.pk, kind=sms.CONFIRMATION)
    assert text.status == TextMessage.Status.QUEUED and text.attempts == 1
    assert abs(text.next_attempt_at - (NOW + timedelta(minutes=1))) < timedelta(seconds=30)
    assert sms.sms_deliver(text_id=text.pk) is None  # not due yet
    time_machine.move_to(NOW + timedelta(minutes=2))
    assert sms.sms_sweep() == {"sent": 1, "lost": 0}
    assert len(stand_in.messages()) == 1
    # A second one fails, then its appointment is moved away before the retry.
    other = book(rdv_a, contact, starts_at=at(MONDAY, 10))
    stand_in.fail(1)
    text = sms.sms_issue(appointment_id=other.pk, kind=sms.CONFIRMATION)
    assert text.status == TextMessage.Status.QUEUED
    services.appointment_cancel(acting_user=ANONYMOUS, appointment=other, by="citizen")
    time_machine.move_to(NOW + timedelta(minutes=10))
    sms.sms_sweep()
    text.refresh_from_db()
    assert text.status == TextMessage.Status.SKIPPED and len(stand_in.messages()) == 1


def test_past_the_monthly_cap_e_mail_only_and_the_admins_are_told(
    rdv_a, contact, stand_in, member_factory
):
    SmsSettings.objects.create(monthly_cap=1)
    first, second = book(rdv_a, contact), book(rdv_a, contact, starts_at=at(MONDAY, 10))
    assert sms.sms_issue(appointment_id=first.pk, kind=sms.CONFIRMATION).status == "sent"
    capped = sms.sms_issue(appointment_id=second.pk, kind=sms.CONFIRMATION)
    assert capped.status == TextMessage.Status.SKIPPED and "plafond" in capped.reason
    month = SmsMonth.objects.get(schema_name=connection.schema_name)
    assert (month.texts, month.segments, month.refused) == (1, 1, 1)
    assert len(stand_in.messages()) == 1
    # The admins are told once this month.
    from django.core import mail

    from tenants.models import Membership

    admin = member_factory(rdv_a.tenant, role=Membership.Role.ADMIN)
    assert sms.sms_cap_notice(month_key=202612) is True
    assert sms.sms_cap_notice(month_key=202612) is False
    [notice] = [m for m in mail.outbox if "Plafond de SMS atteint (12/2026)" in m.subject]
    assert notice.to == [admin.email] and "/gestion/sms/" in notice.body
    assert OwedDocument.objects.get(kind="sms.cap_notice").subject_id == 202612


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_send_never_sends_twice(tenant_a, member_factory, contact, monkeypatch):
    """SIGKILL a real worker while the provider has the SMS and has not answered; restart:
    the owed row is issued and the claim is never resent (settled as unknown later)."""
    from tests.conftest import worker_start
    from tests.rendezvous.conftest import make_setup

    rdv = make_setup(tenant_a, [member_factory(tenant_a)])
    with worker_to_kill(monkeypatch, tenant_a, "kill") as run:
        run.worker = worker_start(run.queue)
        appointment = book(rdv, contact)
        deadline = time.monotonic() + 60
        while not run.provider.messages():  # the provider got it, and answers in 4 s
            assert time.monotonic() < deadline and run.worker.poll() is None
            time.sleep(0.05)
        os.kill(run.worker.pid, signal.SIGKILL)
        run.worker.wait(timeout=10)
        connection.set_tenant(tenant_a)
        text = TextMessage.objects.get(subject_id=appointment.pk)
        assert text.status == TextMessage.Status.SENDING
        run.worker = worker_start(run.queue)
        assert owed_sweep(older_than=timedelta(0))["requeued"] == 0  # issued: not owed
        later = text.status_at + SENDING_LOST_AFTER + timedelta(seconds=1)
        assert sms.sms_sweep(now=later) == {"sent": 0, "lost": 1}
        time.sleep(2)
        text.refresh_from_db()
        assert text.status == TextMessage.Status.UNKNOWN
        assert len(run.provider.messages()) == 1


def test_commune_admin_sees_the_months_sms_and_cost_and_sets_the_cap(
    rdv_a, contact, stand_in, member_factory, client_a, settings, django_assert_max_num_queries
):
    from portal.audit.models import HistoryEntry
    from tenants.models import Membership
    from tests.conftest import staff_login

    settings.SMS_SEGMENT_PRICE_CENTS = "4.5"
    for hour in (9, 10, 11):
        appointment = book(rdv_a, contact, starts_at=at(MONDAY, hour))
        sms.sms_issue(appointment_id=appointment.pk, kind=sms.CONFIRMATION)
    admin = member_factory(rdv_a.tenant, role=Membership.Role.ADMIN)
    staff_login(client_a, admin)
    page = client_a.get("/gestion/sms/").content.decode()
    assert "<strong>SMS envoyés :</strong> 3" in page
    assert "14 centimes" in page  # 3 x 4.5 cents, rounded half up
    assert client_a.post("/gestion/sms/", {"monthly_cap": "-2"}).status_code == 400
    assert client_a.post("/gestion/sms/", {"monthly_cap": "3"}).status_code == 302
    assert SmsSettings.current().monthly_cap == 3
    assert HistoryEntry.objects.filter(action="sms.cap_set", actor_id=admin.pk).count() == 1
    fourth = book(rdv_a, contact, starts_at=at(MONDAY, 11, 30))
    assert sms.sms_issue(appointment_id=fourth.pk, kind=sms.CONFIRMATION).status == "skipped"
    page = client_a.get("/gestion/sms/").content.decode()
    assert "Le plafond mensuel est atteint : 1 SMS" in page
    agent = member_factory(rdv_a.tenant)
    staff_login(client_a, agent)
    assert client_a.get("/gestion/sms/").status_code in (302, 403, 404)


def test_operator_sees_every_communes_use(
    rdv_a, contact, stand_in, user_factory, operator_client, django_assert_max_num_queries
):
    from tests.conftest import staff_login

    appointment = book(rdv_a, contact)
    sms.sms_issue(appointment_id=appointment.pk, kind=sms.CONFIRMATION)
    SmsMonth.objects.create(schema_name="autre", month=NOW.date().replace(day=1), segments=7)
    connection.set_schema_to_public()
    operator_admin = user_factory(is_platform_admin=True)
    staff_login(operator_client, operator_admin)
    with django_assert_max_num_queries(12):
        page = operator_client.get("/operateur/sms/").content.decode()
    assert rdv_a.tenant.name in page and "<td>7</td>" in page


def test_agent_sees_whether_the_citizen_was_texted(
    rdv_a, contact, stand_in, member_factory, client_a
):
    from tests.conftest import staff_login

    appointment = book(rdv_a, contact)
    sms.sms_issue(appointment_id=appointment.pk, kind=sms.CONFIRMATION)
    staff_login(client_a, rdv_a.agent)
    page = client_a.get(f"/rendez-vous/gestion/rdv/{appointment.pk}/").content.decode()
    assert "Confirmation : <strong>envoyé</strong> au +33612345678" in page
    declined = book(rdv_a, contact, starts_at=at(MONDAY, 10), sms_opt_out=True)
    page = client_a.get(f"/rendez-vous/gestion/rdv/{declined.pk}/").content.decode()
    assert "Aucun SMS : l'usager les a refusés." in page


def test_booking_page_records_the_refusal_of_sms(rdv_a, contact, stand_in, client_a):
    held = services.appointment_hold(
        appointment_type=rdv_a.kind, place_id=rdv_a.place.pk, starts_at=at(MONDAY, 9), now=NOW
    )
    form = {k: v for k, v in contact.items()} | {"sms_opt_out": "on"}
    response = client_a.post(f"/rendez-vous/reservation/{held.token}/", form)
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.sms_opt_out is True and owed("confirmation") == []
