"""Rebooking pages: the signed link of a message opens the type's week in "move" mode, a
slot is held like any booking, and a confirmation page moves the appointment."""

import re
from datetime import timedelta

import pytest
from django.core import mail

from portal.audit.trail import ANONYMOUS
from portal.owed.models import OwedDocument
from rendezvous import links, services
from rendezvous.messages import message_send
from rendezvous.models import Appointment, Mode
from tests.conftest import PASSWORD, in_tenant
from tests.rendezvous.conftest import MONDAY, NOW, at


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW)


@pytest.fixture
def booked(rdv_a, contact):
    rdv_a.activate()
    return services.appointment_book(
        acting_user=ANONYMOUS,
        appointment_type=rdv_a.kind,
        place_id=rdv_a.place.pk,
        starts_at=at(MONDAY, 9),
        **(contact | {"mode": Mode.PHONE}),
    )


def _url(appointment, suffix="reprendre/"):
    return f"/rendez-vous/mon-rdv/{links.link_sign(appointment=appointment)}/{suffix}"


def _hold(client, appointment, start):
    return client.post(
        _url(appointment, "reprendre/retenir/"),
        {"debut": start.isoformat(), "lieu": appointment.place_id},
    )


def test_citizen_moves_an_appointment_through_the_link(
    rdv_a, booked, client_a, django_capture_on_commit_callbacks
):
    page = client_a.get(_url(booked))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Déplacer votre rendez-vous" in html and "Votre rendez-vous actuel" in html
    assert "lundi 7 décembre 2026 à 09:00" in html  # the current appointment
    assert "/reprendre/retenir/" in html and at(MONDAY, 10).isoformat() in html
    assert at(MONDAY, 9).isoformat() not in html  # its own slot is not free

    held = _hold(client_a, booked, at(MONDAY, 10))
    assert held.status_code == 302 and "/deplacer/" in held["Location"]
    confirm = client_a.get(held["Location"]).content.decode()
    assert "Déplacer mon rendez-vous du 7 décembre à 09:00 au 7 décembre à 10:00" in confirm
    assert 'value="phone" checked' in confirm and "06 12 34 56 78" in confirm
    with in_tenant(rdv_a.tenant):  # until confirmed, the old one stays booked
        assert Appointment.objects.get(pk=booked.pk).status == "booked"

    with django_capture_on_commit_callbacks() as callbacks:
        response = client_a.post(held["Location"], {"mode": "visio", "phone": ""}, follow=True)
    html = response.content.decode()
    assert "Votre rendez-vous est déplacé au 07/12/2026 à 10:00" in html
    assert "remplace celui du lundi 7 décembre 2026 à 09:00" in html
    assert len(callbacks) == 1
    with in_tenant(rdv_a.tenant):
        booked.refresh_from_db()
        moved = Appointment.objects.get(replaces=booked)
        assert message_send(appointment_id=moved.pk, kind="confirmation")
        assert (
            OwedDocument.objects.filter(
                kind__startswith="rendezvous.", issued_at__isnull=False
            ).count()
            == 1
        )
    assert booked.status == "cancelled" and booked.cancel_reason == "déplacé"
    assert (moved.status, moved.mode, moved.starts_at) == ("booked", "visio", at(MONDAY, 10))
    assert moved.visio_url in html
    assert len(mail.outbox) == 1 and "déplacé" in mail.outbox[0].subject

    # Sending the confirmation again moves nothing: the link used has died (single use),
    # and no fresh link is handed out for it.
    again = client_a.post(held["Location"], {"mode": "visio"})
    assert again.status_code == 400 and "plus valable" in again.content.decode()
    assert "/mon-rdv/" not in again.content.decode()
    with in_tenant(rdv_a.tenant):
        assert Appointment.objects.filter(status="booked").count() == 1


def test_old_link_after_a_move_cannot_move_or_cancel(rdv_a, booked, client_a):
    with in_tenant(rdv_a.tenant):
        services.appointment_rebook(
            acting_user=ANONYMOUS, appointment=booked, starts_at=at(MONDAY, 10)
        )
    page = client_a.get(_url(booked))
    assert page.status_code == 400 and "déjà été déplacé" in page.content.decode()
    assert _hold(client_a, booked, at(MONDAY, 11)).status_code == 400
    cancel = client_a.post(_url(booked, "annuler/"))
    assert cancel.status_code == 400 and "déjà annulé" in cancel.content.decode()
    manage = client_a.get(_url(booked, "")).content.decode()
    assert "a été déplacé au lundi 7 décembre 2026 à 10:00" in manage
    assert "/reprendre/" not in manage
    with in_tenant(rdv_a.tenant):
        assert Appointment.objects.filter(status="booked").count() == 1
        assert not Appointment.objects.filter(starts_at=at(MONDAY, 11)).exists()


def test_slot_taken_before_confirming_keeps_the_old_one_with_fresh_proposals(
    rdv_a, booked, client_a, contact
):
    confirm_url = _hold(client_a, booked, at(MONDAY, 10))["Location"]
    with in_tenant(rdv_a.tenant):  # the hold expired; another citizen takes the slot
        services.appointment_book(
            acting_user=ANONYMOUS,
            appointment_type=rdv_a.kind,
            place_id=rdv_a.place.pk,
            starts_at=at(MONDAY, 10),
            now=NOW + timedelta(minutes=15),
            **(contact | {"email": "autre@example.fr"}),
        )
    response = client_a.post(confirm_url, {"mode": "phone", "phone": "06 12 34 56 78"}, follow=True)
    html = response.content.decode()
    # The same link (its signature carries the second it was made: compare the secret).
    landed = response.redirect_chain[-1][0]
    assert landed.split(":")[0] == _url(booked).split(":")[0] and landed.endswith("/reprendre/")
    assert "vient d&#x27;être réservé" in html
    assert "Votre rendez-vous actuel" in html and at(MONDAY, 10, 30).isoformat() in html
    assert at(MONDAY, 10).isoformat() not in html
    with in_tenant(rdv_a.tenant):
        booked.refresh_from_db()
        assert booked.status == "booked"
        assert not Appointment.objects.filter(replaces__isnull=False).exists()


def test_slot_taken_when_holding_shows_the_week_again(rdv_a, booked, client_a, contact):
    with in_tenant(rdv_a.tenant):
        services.appointment_book(
            acting_user=ANONYMOUS,
            appointment_type=rdv_a.kind,
            place_id=rdv_a.place.pk,
            starts_at=at(MONDAY, 10),
            **(contact | {"email": "autre@example.fr"}),
        )
    response = _hold(client_a, booked, at(MONDAY, 10))
    assert response["Location"] == _url(booked)
    assert "vient d&#x27;être réservé" in client_a.get(_url(booked)).content.decode()


def test_bad_mode_change_is_a_french_error_on_the_page(rdv_a, booked, client_a):
    confirm_url = _hold(client_a, booked, at(MONDAY, 10))["Location"]
    response = client_a.post(confirm_url, {"mode": "phone", "phone": ""})
    assert response.status_code == 400
    assert "le numéro auquel l&#x27;agent vous appellera" in response.content.decode()
    with in_tenant(rdv_a.tenant):
        booked.refresh_from_db()
        assert booked.status == "booked"
        assert Appointment.objects.get(starts_at=at(MONDAY, 10)).status == "held"


def test_past_the_cancellation_limit_the_link_refuses_in_french(
    rdv_a, booked, client_a, time_machine
):
    time_machine.move_to(at(MONDAY, 9) - timedelta(hours=23))
    response = client_a.get(_url(booked))
    html = response.content.decode()
    assert response.status_code == 400
    assert "ne peut plus être déplacé en ligne (au plus tard 24 heures avant)" in html
    assert _hold(client_a, booked, at(MONDAY, 10)).status_code == 400
    with in_tenant(rdv_a.tenant):
        assert Appointment.objects.count() == 1


@pytest.mark.parametrize("suffix", ["reprendre/", "reprendre/retenir/", "deplacer/jeton/"])
def test_tampered_link_is_refused(rdv_a, booked, client_a, suffix):
    signed = links.link_sign(appointment=booked)
    tampered = signed[:-1] + ("b" if signed[-1] != "b" else "c")
    url = f"/rendez-vous/mon-rdv/{tampered}/{suffix}"
    response = client_a.post(url) if "retenir" in suffix else client_a.get(url)
    assert response.status_code == 400
    assert "Ce lien n&#x27;est pas valide" in response.content.decode()


def test_another_hold_token_cannot_be_confirmed_with_this_link(rdv_a, booked, client_a):
    with in_tenant(rdv_a.tenant):
        other_kind = rdv_a.kind.__class__.objects.create(
            service=rdv_a.service, name="Autre", modes=["phone"], duration_minutes=30
        )
        rdv_a.rules[0].types.add(other_kind)
        someone_elses = services.appointment_hold(
            appointment_type=other_kind, place_id=rdv_a.place.pk, starts_at=at(MONDAY, 11)
        )
    response = client_a.get(_url(booked, f"deplacer/{someone_elses.token}/"))
    assert response.status_code == 404


def test_after_the_communes_cancellation_the_link_books_anew_prefilled(
    rdv_a, booked, client_a, user_factory
):
    with in_tenant(rdv_a.tenant):
        services.appointment_cancel(
            acting_user=ANONYMOUS, appointment=booked, by="agent", reason="Agent absent"
        )
    page = client_a.get(_url(booked)).content.decode()
    assert "Reprendre rendez-vous" in page and "Il a été annulé." in page
    held = _hold(client_a, booked, at(MONDAY, 10))
    assert held.status_code == 302 and "/reservation/" in held["Location"]
    assert "depuis=" in held["Location"]
    form = client_a.get(held["Location"]).content.decode()
    assert 'value="camille@example.fr"' in form and 'value="Usager"' in form
    assert 'value="phone" checked' in form
    response = client_a.post(
        held["Location"],
        {
            "mode": "phone",
            "first_name": "Camille",
            "last_name": "Usager",
            "email": "camille@example.fr",
            "phone": "06 12 34 56 78",
        },
    )
    assert response.status_code == 302
    with in_tenant(rdv_a.tenant):
        fresh = Appointment.objects.get(status="booked")
        booked.refresh_from_db()
    assert fresh.starts_at == at(MONDAY, 10) and fresh.replaces is None
    assert booked.cancel_reason == "Agent absent"


def test_agent_sees_the_moved_appointment_in_the_agenda(rdv_a, booked, client_a):
    with in_tenant(rdv_a.tenant):
        moved = services.appointment_rebook(
            acting_user=ANONYMOUS, appointment=booked, starts_at=at(MONDAY, 11)
        )
    assert client_a.login(email=rdv_a.agent.email, password=PASSWORD)
    agenda = client_a.get("/rendez-vous/gestion/", {"jour": MONDAY.isoformat()}).content.decode()
    assert f"/rendez-vous/gestion/rdv/{moved.pk}/" in agenda
    assert re.search(r"11:00", agenda) and "Camille Usager" in agenda
    detail = client_a.get(f"/rendez-vous/gestion/rdv/{moved.pk}/").content.decode()
    assert "remplace le rendez-vous du lundi 7 décembre 2026 à 09:00" in detail
    old = client_a.get(f"/rendez-vous/gestion/rdv/{booked.pk}/").content.decode()
    assert "Annulé (déplacé)" in old


def test_messages_offer_to_move_a_booking(rdv_a, booked, client_a):
    message_send(appointment_id=booked.pk, kind="confirmation")
    link = re.search(
        r"Déplacer ce rendez-vous : http://test-a\.localhost:8000(\S+)", mail.outbox[0].body
    )
    assert client_a.get(link.group(1)).status_code == 200
