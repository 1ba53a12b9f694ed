"""Issue 28, the provider's reports as Brevo documents them
(https://developers.brevo.com/docs/transactional-webhooks, "Transactional SMS"): the
payload names the SMS by "messageId", not by the tag given at sending; statuses come as
"hard_bounce" (webhook) or "hardBounce" (event log)."""

import pytest
from django.db import connection
from django.test import Client

from portal.sms.models import TextMessage
from portal.sms.services import sms_event_record
from rendezvous import sms
from tests.conftest import in_tenant
from tests.rendezvous.conftest import MONDAY, NOW, at
from tests.rendezvous.test_sms import book, stand_in  # noqa: F401 (the provider fixture)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW)  # 08:00 in Paris: out of the quiet hours


def documented(text: TextMessage, msg_status: str) -> dict:
    """The documented example's fields, for this SMS; no "tag"."""
    return {
        "id": 26570,
        "to": text.phone.lstrip("+"),
        "sms_count": text.segments,
        "credits_used": 1.5,
        "messageId": int(text.provider_ref),
        "remaining_credit": 11488.845,
        "msg_status": msg_status,
        "date": "2026-12-01 08:00:05",
        "type": "transactional",
        "reference": "abc-123",
    }


@pytest.fixture
def texts(rdv_a, contact, stand_in):  # noqa: F811
    sent = []
    for hour in (9, 10, 11):
        appointment = book(rdv_a, contact, starts_at=at(MONDAY, hour))
        sent.append(sms.sms_issue(appointment_id=appointment.pk, kind=sms.CONFIRMATION))
    assert [t.status for t in sent] == [TextMessage.Status.SENT] * 3
    return sent


def test_the_documented_payload_finds_its_sms_by_message_id(rdv_a, texts, settings):
    delivered, bounced, untouched = texts
    settings.SMS_EVENTS_SECRET = "secret-des-evenements"
    client = Client(HTTP_HOST="localhost")
    connection.set_schema_to_public()
    for text, status in ((delivered, "delivered"), (bounced, "hard_bounce")):
        response = client.post(
            "/sms/evenements/secret-des-evenements/",
            documented(text, status),
            content_type="application/json",
        )
        assert response.status_code == 204
    with in_tenant(rdv_a.tenant):
        states = {t.pk: t.status for t in TextMessage.objects.all()}
    assert states == {
        delivered.pk: TextMessage.Status.DELIVERED,
        bounced.pk: TextMessage.Status.UNDELIVERED,
        untouched.pk: TextMessage.Status.SENT,
    }


@pytest.mark.parametrize("status", ["hard_bounce", "hardBounce", "soft_bounce", "softBounce"])
def test_both_spellings_of_a_bounce(rdv_a, texts, status):
    sms_event_record(event=documented(texts[0], status))
    texts[0].refresh_from_db()
    assert texts[0].status == TextMessage.Status.UNDELIVERED


def test_an_unknown_or_forged_message_id_changes_nothing(rdv_a, texts):
    for ref in (999999, "1; drop table", "", None):
        sms_event_record(event=documented(texts[0], "delivered") | {"messageId": ref})
    assert set(TextMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_a_stop_in_the_documented_shape_is_honoured(rdv_a, texts):
    from portal.sms.shared.models import SmsOptOut

    sms_event_record(event=documented(texts[0], "unsubscribe") | {"reply": "STOP"})
    assert SmsOptOut.objects.filter(phone="+33612345678").exists()
