"""Issue 28 and the GDPR: the personal-data copy lists the citizen's SMS in each commune
they used (nothing of anyone else); deleting the account blanks those SMS's numbers and its
refusal of SMS, and keeps what the communes' invoices count."""

import pytest

from identity.models import PersonalDataExport
from identity.services.account import personal_data_export_build, user_delete
from portal.sms.models import TextMessage
from portal.sms.services import sms_event_record, sms_opt_out_set
from portal.sms.shared.models import SmsMonth, SmsOptOut
from rendezvous import sms
from tests.conftest import in_tenant
from tests.rendezvous.conftest import MONDAY, NOW, at, make_setup
from tests.rendezvous.test_sms import book, stand_in  # noqa: F401 (the provider fixture)


@pytest.fixture
def two_communes(rdv_a, tenant_b, member_factory, contact, stand_in, user_factory):  # noqa: F811
    """The citizen booked in A and B (texted in both); someone else booked in A."""
    citizen = user_factory()
    with in_tenant(tenant_b):
        rdv_b = make_setup(tenant_b, [member_factory(tenant_b)])
    texts = {}
    for setup, phone, who, hour in (
        (rdv_a, "06 12 34 56 78", citizen.pk, 9),
        (rdv_a, "06 98 76 54 32", None, 10),
        (rdv_b, "0692 12 34 56", citizen.pk, 9),
    ):
        with in_tenant(setup.tenant):
            appointment = book(
                setup, contact, phone=phone, citizen_id=who, starts_at=at(MONDAY, hour)
            )
            texts[(setup.tenant, hour)] = sms.sms_issue(
                appointment_id=appointment.pk, kind=sms.CONFIRMATION
            )
    return citizen, texts


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW)  # 08:00 in Paris: out of the quiet hours


def test_the_copy_lists_the_citizens_sms_in_each_commune_and_no_one_elses(two_communes):
    citizen, texts = two_communes
    sms_opt_out_set(acting_user=citizen, user_id=citizen.pk, opted_out=True)
    export = personal_data_export_build(
        export_id=PersonalDataExport.objects.create(user=citizen).pk
    )
    communes = export.content["communes"]
    assert export.content["compte"]["refuse_les_sms"] is True
    assert sorted(communes) == ["Commune A", "Commune B"]
    [in_a] = communes["Commune A"]["sms"]
    [in_b] = communes["Commune B"]["sms"]
    assert in_a == {
        "date": texts[(citizen_tenant(texts, "Commune A"), 9)].sent_at,
        "commune": "Commune A",
        "message": "Confirmation",
        "etat": "envoyé",
        "numero": "+33612345678",
    }
    assert (in_b["commune"], in_b["numero"]) == ("Commune B", "+262692123456")
    assert "+33698765432" not in str(export.content)  # the other person's


def test_deleting_the_account_blanks_its_numbers_and_keeps_the_counts(two_communes):
    citizen, texts = two_communes
    sms_opt_out_set(acting_user=citizen, user_id=citizen.pk, opted_out=True)
    sms_event_record(event={"msg_status": "unsubscribed", "to": "33612345678"})  # a STOP
    months = sorted(SmsMonth.objects.values_list("schema_name", "texts", "segments"))
    citizen_id = citizen.pk
    user_delete(user=citizen)
    for (tenant, hour), text in texts.items():
        with in_tenant(tenant):
            row = TextMessage.objects.get(pk=text.pk)
        assert (row.status, row.segments, row.kind) == (text.status, text.segments, text.kind)
        assert row.phone == ("+33698765432" if hour == 10 else "")  # the other person's stays
    assert sorted(SmsMonth.objects.values_list("schema_name", "texts", "segments")) == months
    assert not SmsOptOut.objects.filter(user_id=citizen_id).exists()
    # The number that answered STOP still gets no SMS: the opposition is kept.
    assert SmsOptOut.objects.filter(phone="+33612345678", user_id=None).exists()


def citizen_tenant(texts, name):
    return next(tenant for tenant, _hour in texts if tenant.name == name)
