"""The desk's actions: clocks set and stopped, the member's wait, notices owed once."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from support import services
from support.models import SupportMessage, SupportNotice, SupportRequest
from tests.support.conftest import PARIS, TUESDAY_10

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_filing_gives_a_reference_and_the_due_time_at_once(file_request):
    first = file_request()
    second = file_request(kind="administrative", now=TUESDAY_10.replace(hour=18))
    assert first.reference == "AS-2026-00001" and second.reference == "AS-2026-00002"
    assert first.take_due_at == TUESDAY_10 + timedelta(hours=4)
    assert first.answer_due_at is None
    # Filed at 18:00, outside the window: Wednesday 12:00; answered within a week.
    assert second.take_due_at.astimezone(PARIS).isoformat() == "2026-11-25T12:00:00+01:00"
    assert second.answer_due_at == TUESDAY_10.replace(hour=18) + timedelta(days=7)
    assert SupportNotice.objects.filter(request=first, kind="filed").count() == 1


def test_an_attachment_keeps_the_type_read_from_its_content(file_request):
    upload = SimpleUploadedFile("capture.pdf", PDF, content_type="image/gif")
    filed = file_request(files=[upload])
    [attachment] = filed.messages.get(kind="description").attachments.all()
    assert attachment.content_type == "application/pdf"


def test_a_disguised_file_refuses_the_whole_filing(file_request):
    upload = SimpleUploadedFile("note.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError):
        file_request(files=[upload])
    assert not SupportRequest.objects.exists()
    assert not SupportMessage.objects.exists()


def test_an_empty_subject_is_refused(file_request):
    with pytest.raises(ValidationError):
        file_request(subject="   ")
    assert not SupportRequest.objects.exists()


def test_taking_into_account_stops_the_first_clock(file_request, desk_user):
    filed = file_request()
    taken = services.support_request_take(
        request=filed, user=desk_user, now=TUESDAY_10 + timedelta(hours=1)
    )
    assert taken.status == "taken" and taken.taken_at == TUESDAY_10 + timedelta(hours=1)
    assert taken.assignee == desk_user
    assert taken.next_due_at is None
    with pytest.raises(ValidationError):
        services.support_request_take(request=filed, user=desk_user)


def test_a_desk_reply_takes_into_account_and_tells_the_member(file_request, desk_user):
    filed = file_request()
    message = services.support_request_reply(
        request=filed,
        user=desk_user,
        body="Nous regardons.",
        from_desk=True,
        now=TUESDAY_10 + timedelta(minutes=30),
    )
    filed.refresh_from_db()
    assert filed.taken_at == TUESDAY_10 + timedelta(minutes=30)
    assert SupportNotice.objects.filter(request=filed, kind="reply", key=str(message.pk)).exists()


def test_an_internal_note_tells_nobody_and_only_the_desk_writes_one(
    file_request, desk_user, referent
):
    filed = file_request()
    services.support_request_reply(
        request=filed, user=desk_user, body="Voir le ticket éditeur.", from_desk=True, internal=True
    )
    filed.refresh_from_db()
    assert filed.taken_at is None  # a note is not an answer to the member
    assert not SupportNotice.objects.filter(request=filed, kind="reply").exists()
    with pytest.raises(ValidationError):
        services.support_request_reply(
            request=filed, user=referent, body="x", from_desk=False, internal=True
        )


def test_production_month_pauses_while_waiting_for_the_member(file_request, desk_user, referent):
    filed = file_request(kind="production")
    assert filed.answer_due_at is None  # the month waits for every element
    services.support_request_elements_complete(request=filed, user=desk_user, now=TUESDAY_10)
    filed.refresh_from_db()
    assert filed.answer_due_at == TUESDAY_10.replace(month=12)
    services.support_request_reply(
        request=filed,
        user=desk_user,
        body="Il manque le certificat.",
        from_desk=True,
        wait_for_member=True,
        now=TUESDAY_10 + timedelta(days=2),
    )
    services.support_request_reply(
        request=filed,
        user=referent,
        body="Le voici.",
        from_desk=False,
        now=TUESDAY_10 + timedelta(days=5),
    )
    filed.refresh_from_db()
    assert filed.status == "taken"
    assert filed.answer_due_at == TUESDAY_10.replace(month=12) + timedelta(days=3)


def test_restoration_time_only_for_incidents_and_each_change_told_once(file_request, desk_user):
    incident = file_request(kind="incident")
    eta = TUESDAY_10 + timedelta(hours=6)
    services.support_request_set_eta(request=incident, user=desk_user, eta=eta, now=TUESDAY_10)
    services.support_request_set_eta(
        request=incident, user=desk_user, eta=eta + timedelta(hours=2), now=TUESDAY_10
    )
    assert SupportNotice.objects.filter(request=incident, kind="eta").count() == 2
    with pytest.raises(ValidationError):
        services.support_request_set_eta(
            request=incident, user=desk_user, eta=TUESDAY_10 - timedelta(hours=1), now=TUESDAY_10
        )
    with pytest.raises(ValidationError):
        services.support_request_set_eta(
            request=file_request(), user=desk_user, eta=eta, now=TUESDAY_10
        )


def test_resolution_confirmed_by_the_member_closes_it(file_request, desk_user, referent):
    filed = file_request()
    services.support_request_resolve(
        request=filed, user=desk_user, body="Réinitialisé.", now=TUESDAY_10 + timedelta(hours=1)
    )
    closed = services.support_request_confirm(request=filed, user=referent)
    assert closed.status == "closed"
    with pytest.raises(ValidationError):
        services.support_request_reply(request=filed, user=referent, body="?", from_desk=False)


def test_a_request_left_waiting_is_closed_once_with_a_notice(file_request, desk_user, settings):
    settings.SUPPORT_IDLE_CLOSE_DAYS = 15
    filed = file_request()
    services.support_request_reply(
        request=filed,
        user=desk_user,
        body="Quel navigateur ?",
        from_desk=True,
        wait_for_member=True,
        now=TUESDAY_10,
    )
    assert services.support_close_idle(now=TUESDAY_10 + timedelta(days=14)) == 0
    assert services.support_close_idle(now=TUESDAY_10 + timedelta(days=16)) == 1
    assert services.support_close_idle(now=TUESDAY_10 + timedelta(days=17)) == 0
    filed.refresh_from_db()
    assert filed.status == "closed"
    assert SupportNotice.objects.filter(request=filed, kind="closed_idle").count() == 1


def test_the_desk_is_reminded_once_an_hour_before_a_due_time(file_request):
    filed = file_request()  # due at 14:00
    assert services.support_due_reminders(now=TUESDAY_10 + timedelta(hours=2)) == 0
    assert services.support_due_reminders(now=TUESDAY_10 + timedelta(hours=3, minutes=5)) == 1
    assert services.support_due_reminders(now=TUESDAY_10 + timedelta(hours=3, minutes=30)) == 0
    assert SupportNotice.objects.filter(request=filed, kind="due_soon").count() == 1


def test_a_notice_is_sent_once(file_request, desk_user, mailoutbox):
    from support.notices import notice_send

    filed = file_request()
    notice = SupportNotice.objects.get(request=filed, kind="filed")
    assert notice_send(notice_id=notice.pk) is True
    assert notice_send(notice_id=notice.pk) is False
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [desk_user.email]
    assert filed.reference in mailoutbox[0].subject


def test_a_members_year_for_its_usage_report(file_request, desk_user, tenant_a):
    from support.selectors import member_year_summary

    services.support_request_take(
        request=file_request(), user=desk_user, now=TUESDAY_10 + timedelta(hours=1)
    )
    services.support_request_take(
        request=file_request(kind="incident"), user=desk_user, now=TUESDAY_10 + timedelta(hours=6)
    )
    summary = member_year_summary(collectivite_id=tenant_a.pk, year=2026)
    assert (summary.filed, summary.in_time, summary.late, summary.share) == (2, 1, 1, 0.5)
    assert summary.by_kind == {"Assistance ou prestation": 1, "Incident": 1}
    assert member_year_summary(collectivite_id=tenant_a.pk, year=2025).filed == 0


def test_a_notice_is_owed_with_the_change_and_sent_once(file_request, desk_user, mailoutbox):
    from portal.owed.models import OwedDocument
    from support.tasks import notice_send

    filed = file_request()
    notice = SupportNotice.objects.get(request=filed, kind="filed")
    owed = OwedDocument.objects.get(kind="support.notice", subject_id=notice.pk)
    assert owed.task == "support.notice_send" and owed.issued_at is None
    assert notice_send(notice.pk) is True
    assert notice_send(notice.pk) is False  # the task delivered twice
    owed.refresh_from_db()
    assert owed.issued_at is not None and len(mailoutbox) == 1
