"""The daily public-schema job: renewals, reminders, avenants, ends; run twice = no change."""

from datetime import date

import pytest

from conventions import services
from conventions.models import Application, Convention, ConventionApplication, Period, Reminder
from conventions.selectors import conventions_billable
from portal.audit.models import HistoryEntry
from tenants.models import Collectivite

State = Convention.State


@pytest.fixture
def signed(catalogue, tenant_a, platform_admin):
    def make(seed="000", signed_on=date(2025, 3, 10), starts_on=None, collectivite=None):
        convention = services.convention_create(
            model=catalogue[seed], collectivite=collectivite or tenant_a, acting_user=platform_admin
        )
        return services.convention_sign(
            convention=convention,
            signed_on=signed_on,
            starts_on=starts_on,
            acting_user=platform_admin,
            today=signed_on,
        )

    return make


def _snapshot():
    return (
        sorted(Period.objects.values_list("convention_id", "number", "starts_on", "ends_on")),
        sorted(Reminder.objects.values_list("convention_id", "key")),
        sorted(Convention.objects.values_list("pk", "state", "ends_on")),
        sorted(ConventionApplication.objects.values_list("pk", "applies_from", "applies_to")),
        HistoryEntry.objects.count(),
    )


def test_renewal_at_the_anniversary_once_and_a_second_run_changes_nothing(signed):
    convention = signed()
    services.conventions_daily(today=date(2026, 3, 9))
    assert convention.periods.count() == 1
    summary = services.conventions_daily(today=date(2026, 3, 10))
    assert summary["renewed"] == 1
    period = convention.periods.get(number=2)
    assert (period.starts_on, period.ends_on) == (date(2026, 3, 10), date(2027, 3, 9))
    before = _snapshot()
    again = services.conventions_daily(today=date(2026, 3, 10))
    assert again["renewed"] == again["reminders"] == 0
    assert _snapshot() == before


def test_reminders_thirty_days_before_each_partys_last_day_once(signed, use_outbox):
    convention = signed()
    # Last day to give notice: 10 December 2025; reminders from 10 November.
    assert services.conventions_daily(today=date(2025, 11, 9))["reminders"] == 0
    assert services.conventions_daily(today=date(2025, 11, 10))["reminders"] == 2
    assert services.conventions_daily(today=date(2025, 11, 11))["reminders"] == 0
    assert set(convention.reminders.values_list("key", flat=True)) == {
        "notice-member-2025-12-10",
        "notice-operator-2025-12-10",
    }


def test_a_notice_stops_the_renewal_and_ends_the_convention(signed, platform_admin, tenant_a):
    convention = signed()
    services.notice_record(
        convention=convention,
        party="member",
        received_on=date(2025, 12, 10),
        means="registered_letter",
        acting_user=platform_admin,
    )
    services.conventions_daily(today=date(2026, 3, 9))
    convention.refresh_from_db()
    assert convention.state == State.ACTIVE
    services.conventions_daily(today=date(2026, 3, 10))
    convention.refresh_from_db()
    assert convention.state == State.TERMINATED
    assert convention.periods.count() == 1
    assert set(convention.coverages.values_list("applies_to", flat=True)) == {date(2026, 3, 9)}
    # Its applications stop: the member no longer uses them.
    assert Collectivite.objects.get(pk=tenant_a.pk).services == []


def test_fixed_term_expires_and_is_announced_ninety_days_before(signed):
    convention = signed(seed="002", signed_on=date(2021, 12, 1), starts_on=date(2022, 1, 1))
    services.conventions_daily(today=date(2022, 1, 1))
    convention.refresh_from_db()
    assert (convention.state, convention.ends_on) == (State.ACTIVE, date(2024, 12, 31))
    services.conventions_daily(today=date(2024, 10, 2))
    assert convention.reminders.filter(key="end-2024-12-31").exists()
    services.conventions_daily(today=date(2025, 1, 1))
    convention.refresh_from_db()
    assert convention.state == State.EXPIRED
    assert convention.periods.count() == 1  # no tacit renewal


def test_an_accepted_amendment_applies_on_its_date_not_before(signed, platform_admin, tenant_a):
    convention = signed(seed="002", signed_on=date(2021, 12, 1), starts_on=date(2022, 1, 1))
    services.conventions_daily(today=date(2022, 1, 1))
    marches = Application.objects.get(code="marches-publics")
    amendment = services.amendment_request(
        convention=convention,
        add=[],
        remove=[marches],
        requested_on=date(2022, 9, 1),
        acting_user=platform_admin,
    )
    assert (amendment.number, amendment.answer_due_on, amendment.effective_on) == (
        1,
        date(2022, 10, 1),
        date(2023, 1, 1),
    )
    services.amendment_answer(
        amendment=amendment, accept=True, acting_user=platform_admin, today=date(2022, 9, 20)
    )
    services.conventions_daily(today=date(2022, 12, 31))
    assert "marches-publics" in Collectivite.objects.get(pk=tenant_a.pk).services
    services.conventions_daily(today=date(2023, 1, 1))
    assert "marches-publics" not in Collectivite.objects.get(pk=tenant_a.pk).services
    coverage = convention.coverages.get(application=marches)
    assert coverage.applies_to == date(2022, 12, 31)
    # Billing sees it covered in 2022, not in 2023.
    by_year = {
        year: [a.code for a in conventions_billable(year=year)[0].applications_in_year]
        for year in (2022, 2023)
    }
    assert "marches-publics" in by_year[2022] and "marches-publics" not in by_year[2023]


def test_conventions_billable_in_constant_queries(
    catalogue, collectivite_factory, platform_admin, django_assert_num_queries
):
    for _ in range(5):
        convention = services.convention_create(
            model=catalogue["002"], collectivite=collectivite_factory(), acting_user=platform_admin
        )
        services.convention_sign(
            convention=convention,
            signed_on=date(2021, 12, 1),
            starts_on=date(2022, 1, 1),
            acting_user=platform_admin,
            today=date(2022, 1, 1),
        )
    # conventions, their coverages of the year, after one SET search_path per schema switch (TENANT_LIMIT_SET_CALLS)
    with django_assert_num_queries(2):
        result = conventions_billable(year=2023, model_ids=[catalogue["002"].pk])
    assert len(result) == 5
    assert all(len(c.applications_in_year) == 3 for c in result)
    assert conventions_billable(year=2025) == []


def test_reminders_are_owed_with_the_job_and_mailed_once(
    signed, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    from datetime import timedelta

    from django.utils import timezone

    from conventions import tasks
    from portal.owed.models import OwedDocument
    from portal.owed.services import owed_sweep

    queued = []
    monkeypatch.setattr(
        "portal.owed.services._send", lambda task, schema, pk: queued.append((task, pk, schema))
    )
    convention = signed()
    with django_capture_on_commit_callbacks(execute=True):
        services.conventions_daily(today=date(2025, 11, 10))
    reminders = list(convention.reminders.order_by("key"))
    assert sorted(queued) == sorted(
        ("conventions.reminder_send", r.pk, "public") for r in reminders
    )
    owed = OwedDocument.objects.filter(kind="conventions.reminder", issued_at=None)
    assert sorted(owed.values_list("subject_id", flat=True)) == [r.pk for r in reminders]
    # The tasks were lost: the sweep queues them again after the delay.
    queued.clear()
    OwedDocument.objects.update(queued_at=timezone.now() - timedelta(minutes=10))
    with django_capture_on_commit_callbacks(execute=True):
        assert owed_sweep(older_than=timedelta(minutes=5)) == {"requeued": 2}
    assert len(queued) == 2
    mailoutbox.clear()
    assert tasks.reminder_send(reminders[0].pk) is True
    assert tasks.reminder_send(reminders[0].pk) is False  # delivered twice: one mail
    assert [m.subject for m in mailoutbox] == [
        f"Convention {convention.reference} : échéance à venir"
    ]
    assert mailoutbox[0].body == reminders[0].text and "10/12/2025" in mailoutbox[0].body
    assert owed.count() == 1
