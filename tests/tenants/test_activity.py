"""Where each account is active (tenants.AccountActivity): written with the filing or the
booking, in its transaction; removed with the account; rebuilt by the backfill."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from portal.audit.trail import ANONYMOUS
from rendezvous import services as rdv_services
from rendezvous.models import Appointment
from sve.models import Request
from sve.services import SveError
from tenants.models import AccountActivity
from tenants.services.activity import account_activity_backfill
from tests.conftest import in_tenant
from tests.rendezvous.conftest import MONDAY, NOW, at, make_setup
from tests.sve.conftest import IDENTITY, enabled_form, submit

pytestmark = pytest.mark.django_db


def _activity(user, tenant):
    return AccountActivity.objects.filter(user=user, collectivite=tenant).first()


def test_filing_records_the_commune_once_per_request(tenant_a, user_factory):
    citizen = user_factory()
    with in_tenant(tenant_a):
        form = enabled_form()
        submit(form, user=citizen)
        submit(form, user=citizen)
        submit(form)  # anonymous: nobody's record
    activity = _activity(citizen, tenant_a)
    assert (activity.requests, activity.appointments) == (2, 0)
    assert activity.first_at <= activity.last_at
    assert AccountActivity.objects.count() == 1


def test_a_draft_records_the_commune_and_its_submission_adds_nothing(tenant_a, user_factory):
    from sve import services

    citizen = user_factory()
    with in_tenant(tenant_a):
        form = enabled_form()
        draft = services.request_save_draft(form=form, acting_user=citizen, identity={}, data={})
        assert _activity(citizen, tenant_a).requests == 1
        services.request_save_draft(
            form=form, acting_user=citizen, identity={}, data={}, draft=draft
        )
        services.request_submit(
            form=form, acting_user=citizen, identity=IDENTITY, data={"objet": "x"}, draft=draft
        )
    assert _activity(citizen, tenant_a).requests == 1


def test_the_record_is_rolled_back_with_the_filing(tenant_a, user_factory):
    citizen = user_factory()
    with in_tenant(tenant_a):
        form = enabled_form()
        with pytest.raises(RuntimeError), transaction.atomic():
            submit(form, user=citizen)
            assert _activity(citizen, tenant_a) is not None  # written inside
            raise RuntimeError("the transaction of the filing fails after it")
        assert not Request.objects.exists()
        with pytest.raises(SveError):
            submit(form, user=citizen, identity={"last_name": "Sans adresse"})
    assert _activity(citizen, tenant_a) is None


def test_the_record_is_rolled_back_with_the_booking(tenant_a, member_factory, user_factory):
    citizen = user_factory()
    setup = make_setup(tenant_a, [member_factory(tenant_a)])
    with pytest.raises(RuntimeError), transaction.atomic():
        rdv_services.appointment_book(
            acting_user=ANONYMOUS,
            appointment_type=setup.kind,
            place_id=setup.place.pk,
            starts_at=at(MONDAY, 9),
            now=NOW,
            mode="in_person",
            first_name="Camille",
            last_name="Usager",
            email=citizen.email,
            citizen_id=citizen.pk,
        )
        assert _activity(citizen, tenant_a).appointments == 1
        raise RuntimeError("the booking's transaction fails")
    assert not Appointment.objects.exists()
    assert _activity(citizen, tenant_a) is None


def test_an_agent_booking_for_a_citizen_with_an_account_joins_it(
    tenant_a, member_factory, user_factory
):
    citizen = user_factory()
    agent = member_factory(tenant_a)
    setup = make_setup(tenant_a, [agent])
    appointment = rdv_services.appointment_book(
        acting_user=ANONYMOUS,
        appointment_type=setup.kind,
        place_id=setup.place.pk,
        starts_at=at(MONDAY, 9),
        now=NOW,
        mode="in_person",
        first_name="Camille",
        last_name="Usager",
        email=citizen.email.upper(),
        booked_by_agent_id=agent.pk,
    )
    assert appointment.citizen_id == citizen.pk
    assert _activity(citizen, tenant_a).appointments == 1
    # Someone without an account: the booking stays anonymous, nobody's record grows.
    other = rdv_services.appointment_book(
        acting_user=ANONYMOUS,
        appointment_type=setup.kind,
        place_id=setup.place.pk,
        starts_at=at(MONDAY, 10),
        now=NOW,
        mode="in_person",
        first_name="Sans",
        last_name="Compte",
        email="sans-compte@example.fr",
        booked_by_agent_id=agent.pk,
    )
    assert other.citizen_id is None
    assert AccountActivity.objects.count() == 1


def test_the_record_is_removed_with_the_account(tenant_a, tenant_b, user_factory):
    citizen = user_factory()
    for tenant in (tenant_a, tenant_b):
        with in_tenant(tenant):
            submit(enabled_form(), user=citizen)
    assert AccountActivity.objects.filter(user=citizen).count() == 2
    citizen.delete()
    assert not AccountActivity.objects.exists()


def test_backfill_rebuilds_the_records_from_the_schemas(
    tenant_a, tenant_b, member_factory, user_factory
):
    citizen, other = user_factory(), user_factory()
    with in_tenant(tenant_a):
        form = enabled_form()
        submit(form, user=citizen)
        submit(form, user=citizen)
        submit(form, user=other)
    setup = make_setup(tenant_b, [member_factory(tenant_b)])
    rdv_services.appointment_book(
        acting_user=ANONYMOUS,
        appointment_type=setup.kind,
        place_id=setup.place.pk,
        starts_at=at(MONDAY, 9),
        now=NOW,
        mode="in_person",
        first_name="Camille",
        last_name="Usager",
        email=citizen.email,
        citizen_id=citizen.pk,
    )
    connection.set_schema_to_public()
    expected = set(
        AccountActivity.objects.values_list("user", "collectivite", "requests", "appointments")
    )
    assert len(expected) == 3
    AccountActivity.objects.all().delete()
    seen = []
    account_activity_backfill(progress=lambda i, total, schema: seen.append(schema))
    rebuilt = set(
        AccountActivity.objects.values_list("user", "collectivite", "requests", "appointments")
    )
    assert rebuilt == expected
    assert {"c_test_a", "c_test_b"} <= set(seen)
    call_command("backfill_account_activity", verbosity=0)  # again: nothing doubles
    assert (
        set(AccountActivity.objects.values_list("user", "collectivite", "requests", "appointments"))
        == expected
    )


def test_recorded_under_a_schema_context_too(tenant_a, user_factory):
    from django_tenants.utils import schema_context

    citizen = user_factory()
    with schema_context(tenant_a.schema_name):
        submit(enabled_form(), user=citizen)
    assert _activity(citizen, tenant_a).requests == 1
