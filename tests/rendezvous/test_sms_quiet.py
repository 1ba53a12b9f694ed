"""Issue 28: no SMS between 21:00 and 8:00 in the recipient's own time. An overseas number
tells its zone (libphonenumber's time-zone data); the commune's (Paris) otherwise."""

import base64
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from portal.celery import app
from portal.sms.models import TextMessage
from portal.sms.phones import phone_time_zones
from portal.sms.services import quiet_until
from rendezvous import sms
from tests.rendezvous.conftest import MONDAY, NOW, PARIS, at
from tests.rendezvous.test_sms import book, stand_in  # noqa: F401 (the provider fixture)

REUNION = ZoneInfo("Indian/Reunion")


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW)


def paris(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 1, hour, minute, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("number", "zones"),
    [
        ("+33612345678", ["Europe/Paris"]),
        ("+262692123456", ["Indian/Reunion"]),  # the data says Mayotte or Réunion
        ("+262639401234", ["Indian/Mayotte"]),  # the data says nothing
        ("+68987123456", ["Pacific/Tahiti"]),
        ("+590690123456", ["America/Guadeloupe"]),
        ("+596696123456", ["America/Martinique"]),
        ("+594694123456", ["America/Cayenne"]),
        ("+508551234", ["America/Miquelon"]),
        ("+687751234", ["Pacific/Noumea"]),
        ("+33 6 12", []),
    ],
)
def test_the_number_tells_the_zone(number, zones):
    assert [zone.key for zone in phone_time_zones(number)] == zones


def test_a_reunion_number_at_19_30_paris_is_at_22_30_and_waits_for_8_00_there():
    assert quiet_until(paris(19, 30)) is None  # Paris: still the evening
    morning = quiet_until(paris(19, 30), phone="+262692123456")
    assert morning == datetime(2026, 12, 2, 8, 0, tzinfo=REUNION)  # 05:00 in Paris
    assert morning.astimezone(PARIS).hour == 5


def test_a_reunion_number_is_texted_at_9_00_there_while_paris_sleeps():
    assert quiet_until(paris(6, 0)) == paris(8, 0)
    assert quiet_until(paris(6, 0), phone="+262692123456") is None  # 09:00 in Réunion


def test_antilles_and_pacific_evenings_are_their_own():
    # 01:30 Paris is 20:30 in Guadeloupe (UTC-4): still allowed there.
    assert quiet_until(paris(1, 30), phone="+590690123456") is None
    # 14:00 Paris is 03:00 the next day in Nouméa (UTC+11): wait for 08:00 there.
    assert quiet_until(paris(14, 0), phone="+687751234") == datetime(
        2026, 12, 2, 8, 0, tzinfo=ZoneInfo("Pacific/Noumea")
    )


def test_a_mayotte_number_has_mayottes_hours():
    # 06:30 Paris: 08:30 in Mayotte (UTC+3), 09:30 in Réunion: both awake.
    assert quiet_until(paris(6, 30), phone="+262639401234") is None
    # 05:30 Paris: 07:30 in Mayotte, wait half an hour.
    morning = quiet_until(paris(5, 30), phone="+262639401234")
    assert morning == datetime(2026, 12, 1, 8, 0, tzinfo=ZoneInfo("Indian/Mayotte"))


def test_metropolitan_and_unreadable_numbers_keep_the_communes_hours():
    for phone in ("+33612345678", "", "n'importe quoi"):
        assert quiet_until(paris(22, 0), phone=phone) == datetime(2026, 12, 2, 8, 0, tzinfo=PARIS)
        assert quiet_until(paris(20, 59), phone=phone) is None


def _deliveries_queued() -> list[int]:
    """The text ids of the rendezvous.sms_deliver tasks waiting in this run's queue (other
    tests' retries may be there too: only this test's text is looked for)."""
    with app.connection_for_write() as conn:
        raw = conn.default_channel.client.lrange(settings.CELERY_TASK_DEFAULT_QUEUE, 0, -1)
    ids = []
    for item in raw:
        message = json.loads(item)
        if message["headers"].get("task") == "rendezvous.sms_deliver":
            args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
            ids.append(args[0])
    return ids


def _issued_at_19_30_paris_to_reunion(rdv, contact, time_machine) -> TextMessage:
    """A confirmation for a Réunion number issued at 19:30 Paris (22:30 there): written and
    counted, queued to the recipient's morning, not sent."""
    appointment = book(rdv, contact, phone="0692 12 34 56")
    evening = NOW.replace(hour=19, minute=30)
    time_machine.move_to(evening)
    text = sms.sms_issue(appointment_id=appointment.pk, kind=sms.CONFIRMATION, now=evening)
    assert text.status == TextMessage.Status.QUEUED
    # No task waits 9.5 hours in the broker: the 5-minute sweep sends it in the morning.
    assert text.pk not in _deliveries_queued()
    return text


def test_reunion_sms_issued_at_19_30_paris_is_sent_at_8_00_reunion(
    rdv_a,
    contact,
    stand_in,  # noqa: F811
    time_machine,
):
    text = _issued_at_19_30_paris_to_reunion(rdv_a, contact, time_machine)
    assert text.next_attempt_at == datetime(2026, 12, 2, 8, 0, tzinfo=REUNION)
    assert stand_in.messages() == []
    before = text.next_attempt_at - timedelta(minutes=1)
    time_machine.move_to(before)
    assert sms.sms_deliver(text_id=text.pk, now=before) is None  # not due yet
    time_machine.move_to(text.next_attempt_at)
    sent = sms.sms_deliver(text_id=text.pk, now=text.next_attempt_at)
    assert sent.status == TextMessage.Status.SENT
    assert [m["recipient"] for m in stand_in.messages()] == ["262692123456"]
    assert at(MONDAY, 9) > sent.sent_at  # (still before the appointment)


def test_the_sweep_delivers_a_reunion_sms_at_8_00_there_while_paris_sleeps(
    rdv_a,
    contact,
    stand_in,  # noqa: F811
    time_machine,
):
    # Queued at 19:30 Paris (22:30 Réunion): due at 05:00 Paris. The sweep then runs in the
    # commune's night and still hands it over (each SMS kept to its own recipient's hours).
    text = _issued_at_19_30_paris_to_reunion(rdv_a, contact, time_machine)
    five = text.next_attempt_at.astimezone(PARIS)
    assert (five.hour, five.minute) == (5, 0)
    time_machine.move_to(five)
    assert sms.sms_sweep(now=five) == {"sent": 1, "lost": 0}
    assert [m["recipient"] for m in stand_in.messages()] == ["262692123456"]


def test_the_sweep_in_the_communes_night_holds_a_metropolitan_retry_to_the_morning(
    rdv_a,
    contact,
    stand_in,  # noqa: F811
    time_machine,
):
    appointment = book(rdv_a, contact)
    night = NOW.replace(hour=23, minute=0)
    time_machine.move_to(night)
    text = sms.sms_issue(appointment_id=appointment.pk, kind=sms.CONFIRMATION, now=night)
    assert text is None  # put off to the morning: the owed row waits, nothing written
    # A retry due in the night (an error's backoff) is put to 8:00 Paris by the sweep.
    TextMessage.objects.create(
        kind=sms.OWED[sms.CONFIRMATION],
        subject_id=appointment.pk,
        phone="+33612345678",
        body="x",
        segments=1,
        status=TextMessage.Status.QUEUED,
        created_at=night,
        status_at=night,
        next_attempt_at=night,
    )
    assert sms.sms_sweep(now=night) == {"sent": 0, "lost": 0}
    assert stand_in.messages() == []
    left = TextMessage.objects.get(subject_id=appointment.pk)
    assert left.status == TextMessage.Status.QUEUED
    assert left.next_attempt_at == datetime(2026, 12, 2, 8, 0, tzinfo=PARIS)
