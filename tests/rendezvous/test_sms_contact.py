"""Issue 28, every route that takes a number: the REST API, the agent's booking for a citizen
who phoned and the move (rebook) page check it with the citizen form's rule (one validator,
portal.sms.phones.phone_clean), store it in E.164, and take the refusal of SMS; a refusal
means no SMS owed, whatever the route."""

import re

import pytest

from portal.audit.trail import ANONYMOUS
from portal.owed.models import OwedDocument
from portal.sms.phones import PHONE_INVALID
from rendezvous import links, services, sms
from rendezvous.models import Appointment
from tests.conftest import PASSWORD, in_tenant
from tests.rendezvous.conftest import MONDAY, NOW, at
from tests.rendezvous.test_sms import KEY

BOOK_API = "/api/rendez-vous/reservations/"
REBOOK_API = "/api/rendez-vous/deplacements/"


@pytest.fixture(autouse=True)
def _frozen(time_machine, settings):
    time_machine.move_to(NOW)
    settings.SMS_API_KEY = KEY  # a provider is configured: SMS are owed (none sent here)


def _owed_sms(tenant) -> list[int]:
    with in_tenant(tenant):
        return list(
            OwedDocument.objects.filter(kind=sms.OWED[sms.CONFIRMATION]).values_list(
                "subject_id", flat=True
            )
        )


def _payload(setup, **changes):
    return {
        "type_id": setup.kind.pk,
        "place_id": setup.place.pk,
        "starts_at": at(MONDAY, 9).isoformat(),
        "mode": "in_person",
        "first_name": "Camille",
        "last_name": "Usager",
        "email": "camille@example.fr",
        "phone": "06 12 34 56 78",
    } | changes


def _field_errors(html: str, field: str) -> list[str]:
    """The errors shown inside the field's own block (beside it, not at the top)."""
    block = re.search(rf'<div class="field[^"]*"><label for="{field}">.*?</div>', html, re.S)
    assert block, f"no field {field}"
    return re.findall(r'<p class="field__error">(.*?)</p>', block.group(0))


def test_api_booking_normalises_the_number_and_takes_the_refusal(rdv_a, client_a):
    wants = client_a.post(BOOK_API, _payload(rdv_a), content_type="application/json")
    refuses = client_a.post(
        BOOK_API,
        _payload(rdv_a, starts_at=at(MONDAY, 10).isoformat(), phone="0692 12 34 56")
        | {"sms_opt_out": True},
        content_type="application/json",
    )
    assert wants.status_code == refuses.status_code == 201, refuses.content
    with in_tenant(rdv_a.tenant):
        first = Appointment.objects.get(pk=wants.json()["id"])
        second = Appointment.objects.get(pk=refuses.json()["id"])
    assert (first.phone, first.sms_opt_out) == ("+33612345678", False)
    assert (second.phone, second.sms_opt_out) == ("+262692123456", True)
    assert _owed_sms(rdv_a.tenant) == [first.pk]


@pytest.mark.parametrize(
    "phone", ["12345", "06 12 34 56 7", "+44 7700 900123", "06 12 34 56 78 90", "0" * 40]
)
def test_api_refuses_a_number_the_citizen_form_refuses(rdv_a, client_a, phone):
    response = client_a.post(
        BOOK_API, _payload(rdv_a, phone=phone), content_type="application/json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["phone"]
    with in_tenant(rdv_a.tenant):
        assert not Appointment.objects.exists()


def test_the_api_documents_the_refusal_of_sms(client_a):
    schema = client_a.get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]
    for name in ("Book", "Rebook"):
        fields = schema[name]["properties"]
        assert fields["sms_opt_out"]["type"] == "boolean"
        assert "SMS" in fields["sms_opt_out"]["description"]
        assert "outre-mer" in fields["phone"]["description"]


def test_api_move_keeps_the_refusal_unless_it_says_otherwise(rdv_a, client_a):
    booked = client_a.post(
        BOOK_API, _payload(rdv_a) | {"sms_opt_out": True}, content_type="application/json"
    ).json()
    kept = client_a.post(
        REBOOK_API,
        {"link": booked["link"], "starts_at": at(MONDAY, 10).isoformat()},
        content_type="application/json",
    )
    assert kept.status_code == 201, kept.content
    changed = client_a.post(
        REBOOK_API,
        {"link": kept.json()["link"], "starts_at": at(MONDAY, 11).isoformat()}
        | {"sms_opt_out": False, "phone": "+33 6 98 76 54 32"},
        content_type="application/json",
    )
    assert changed.status_code == 201, changed.content
    with in_tenant(rdv_a.tenant):
        moved = Appointment.objects.get(pk=kept.json()["id"])
        last = Appointment.objects.get(pk=changed.json()["id"])
    assert moved.sms_opt_out is True
    assert (last.sms_opt_out, last.phone) == (False, "+33698765432")
    assert _owed_sms(rdv_a.tenant) == [last.pk]


def _agent_book(client, setup, **changes):
    assert client.login(email=setup.agent.email, password=PASSWORD)
    url = f"/rendez-vous/gestion/prendre/?type={setup.kind.pk}&date={MONDAY.isoformat()}"
    form = {
        "slot": f"{setup.place.pk}|{at(MONDAY, 10).isoformat()}",
        "mode": "in_person",
        "first_name": "Jean",
        "last_name": "Martin",
        "email": "jean@example.fr",
        "phone": "06 12 34 56 78",
    }
    return client.post(url, form | changes)


def test_agent_books_for_a_citizen_who_refuses_sms(rdv_a, client_a):
    page = client_a.get(f"/rendez-vous/gestion/prendre/?type={rdv_a.kind.pk}")
    assert page.status_code == 302  # agents only
    response = _agent_book(client_a, rdv_a, sms_opt_out="on", phone="0690 12 34 56")
    assert response.status_code == 302
    with in_tenant(rdv_a.tenant):
        appointment = Appointment.objects.get()
    assert (appointment.phone, appointment.sms_opt_out) == ("+590690123456", True)
    assert _owed_sms(rdv_a.tenant) == []
    shown = client_a.get(f"/rendez-vous/gestion/rdv/{appointment.pk}/").content.decode()
    assert "0690 12 34 56" in shown  # as people write it


def test_agent_form_shows_the_number_error_beside_the_field(rdv_a, client_a):
    response = _agent_book(client_a, rdv_a, phone="06 12", sms_opt_out="on")
    html = response.content.decode()
    assert response.status_code == 400
    assert _field_errors(html, "phone") == [PHONE_INVALID.replace("'", "&#x27;")]
    assert 'name="sms_opt_out" checked' in html and 'value="06 12"' in html
    with in_tenant(rdv_a.tenant):
        assert not Appointment.objects.exists()


def test_agent_books_a_citizen_who_wants_sms(rdv_a, client_a):
    assert _agent_book(client_a, rdv_a).status_code == 302
    with in_tenant(rdv_a.tenant):
        appointment = Appointment.objects.get()
    assert appointment.sms_opt_out is False and _owed_sms(rdv_a.tenant) == [appointment.pk]


def _booked(setup, **contact) -> Appointment:
    setup.activate()
    return services.appointment_book(
        acting_user=ANONYMOUS,
        appointment_type=setup.kind,
        place_id=setup.place.pk,
        starts_at=at(MONDAY, 9),
        now=NOW,
        **{"mode": "in_person", "first_name": "Camille", "last_name": "Usager"}
        | {"email": "camille@example.fr", "phone": "06 12 34 56 78"}
        | contact,
    )


def _move_page(client, appointment) -> str:
    base = f"/rendez-vous/mon-rdv/{links.link_sign(appointment=appointment)}/"
    held = client.post(
        base + "reprendre/retenir/",
        {"debut": at(MONDAY, 10).isoformat(), "lieu": appointment.place_id},
    )
    assert held.status_code == 302 and "/deplacer/" in held["Location"]
    return held["Location"]


def test_move_page_shows_the_choice_made_and_takes_a_new_one(rdv_a, client_a):
    booked = _booked(rdv_a, sms_opt_out=True)
    url = _move_page(client_a, booked)
    form = client_a.get(url).content.decode()
    assert 'name="sms_opt_out" checked' in form
    assert 'value="06 12 34 56 78"' in form  # the stored E.164, as people write it
    bad = client_a.post(url, {"mode": "in_person", "phone": "0612", "sms_opt_out": "on"})
    assert bad.status_code == 400
    assert _field_errors(bad.content.decode(), "phone") == [PHONE_INVALID.replace("'", "&#x27;")]
    response = client_a.post(url, {"mode": "in_person", "phone": "06 12 34 56 78"})
    assert response.status_code == 302
    with in_tenant(rdv_a.tenant):
        moved = Appointment.objects.get(replaces=booked)
    assert moved.sms_opt_out is False and moved.phone == "+33612345678"
    assert _owed_sms(rdv_a.tenant) == [moved.pk]


def test_move_page_keeps_a_refusal_ticked(rdv_a, client_a):
    booked = _booked(rdv_a)
    url = _move_page(client_a, booked)
    assert 'name="sms_opt_out" checked' not in client_a.get(url).content.decode()
    response = client_a.post(url, {"mode": "in_person", "phone": "", "sms_opt_out": "on"})
    assert response.status_code == 302
    with in_tenant(rdv_a.tenant):
        moved = Appointment.objects.get(replaces=booked)
    assert moved.sms_opt_out is True and moved.phone == ""
    assert _owed_sms(rdv_a.tenant) == [booked.pk]  # only the first booking's
