import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.audit.trail import ANONYMOUS
from rendezvous import links, services
from rendezvous.models import Appointment, AppointmentDocument, Mode
from tests.conftest import PASSWORD, in_tenant
from tests.rendezvous.conftest import MONDAY, NOW, at

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW)


def _booked(setup, contact, start=None, mode=Mode.VISIO):
    setup.activate()
    return services.appointment_book(
        acting_user=ANONYMOUS,
        appointment_type=setup.kind,
        place_id=setup.place.pk,
        starts_at=start or at(MONDAY, 9),
        **(contact | {"mode": mode}),
    )


def test_search_by_keyword_ignores_accents_and_shows_places(rdv_a, client_a):
    response = client_a.get("/rendez-vous/", {"q": "etat CIVIL"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Dépôt de passeport" in html
    assert (
        "1 place de l&#x27;Église" in html
        and "Du lundi au dimanche\u00a0: 7\u00a0h – 20\u00a0h" in html
    )
    assert "lun 7 déc 09:00" in html.lower()
    response = client_a.get("/rendez-vous/", {"q": "urbanisme"})
    assert "Aucun rendez-vous ne correspond" in response.content.decode()
    response = client_a.get("/rendez-vous/", {"modalite": "visio", "lieu": rdv_a.place.pk})
    assert "Dépôt de passeport" in response.content.decode()


def test_home_page_has_the_search_box(rdv_a, client_a):
    html = client_a.get("/").content.decode()
    assert 'action="/rendez-vous/"' in html and "Dépôt de passeport" in html


def test_citizen_books_a_visio_appointment(rdv_a, client_a):
    page = client_a.get(f"/rendez-vous/type/{rdv_a.kind.pk}/")
    assert page.status_code == 200
    slot = at(MONDAY, 9).isoformat()
    assert slot in page.content.decode()
    response = client_a.post(
        f"/rendez-vous/type/{rdv_a.kind.pk}/retenir/", {"debut": slot, "lieu": rdv_a.place.pk}
    )
    assert response.status_code == 302
    form_url = response["Location"]
    bad = client_a.post(
        form_url, {"mode": "visio", "first_name": "Camille", "last_name": "U", "email": "x"}
    )
    assert bad.status_code == 400
    assert "adresse électronique valide" in bad.content.decode()
    response = client_a.post(
        form_url,
        {"mode": "visio", "first_name": "Camille", "last_name": "Usager", "email": "c@example.fr"},
        follow=True,
    )
    html = response.content.decode()
    assert "Votre rendez-vous est confirmé" in html
    with in_tenant(rdv_a.tenant):
        appointment = Appointment.objects.get()
    assert appointment.status == "booked" and appointment.visio_url in html


def test_slot_taken_meanwhile_gives_message_and_fresh_proposals(rdv_a, client_a, contact):
    held_url = client_a.post(
        f"/rendez-vous/type/{rdv_a.kind.pk}/retenir/",
        {"debut": at(MONDAY, 9).isoformat(), "lieu": rdv_a.place.pk},
    )["Location"]
    # Another citizen takes the slot once the hold expired.
    with in_tenant(rdv_a.tenant):
        services.appointment_book(
            acting_user=ANONYMOUS,
            appointment_type=rdv_a.kind,
            place_id=rdv_a.place.pk,
            starts_at=at(MONDAY, 9),
            now=NOW + timedelta(minutes=15),
            **contact,
        )
    response = client_a.post(
        held_url,
        {"mode": "visio", "first_name": "A", "last_name": "B", "email": "a@example.fr"},
        follow=True,
    )
    html = response.content.decode()
    assert "vient d&#x27;être réservé" in html
    assert at(MONDAY, 9, 30).isoformat() in html  # fresh proposals on the type's page
    assert at(MONDAY, 9).isoformat() not in html


def test_past_slot_is_refused_on_the_page(rdv_a, client_a):
    response = client_a.post(
        f"/rendez-vous/type/{rdv_a.kind.pk}/retenir/",
        {"debut": (NOW - timedelta(days=1)).isoformat(), "lieu": rdv_a.place.pk},
        follow=True,
    )
    assert "Ce créneau est déjà passé." in response.content.decode()
    with in_tenant(rdv_a.tenant):
        assert not Appointment.objects.exists()


def test_cancel_through_the_signed_link(rdv_a, client_a, contact):
    appointment = _booked(rdv_a, contact)
    signed = links.link_sign(appointment=appointment)
    page = client_a.get(f"/rendez-vous/mon-rdv/{signed}/annuler/")
    assert page.status_code == 200
    client_a.post(f"/rendez-vous/mon-rdv/{signed}/annuler/")
    with in_tenant(rdv_a.tenant):
        appointment.refresh_from_db()
    assert appointment.status == "cancelled"


@pytest.mark.parametrize("suffix", ["x", "a"])
def test_tampered_link_is_refused(rdv_a, client_a, contact, suffix):
    appointment = _booked(rdv_a, contact)
    signed = links.link_sign(appointment=appointment)
    tampered = signed[:-1] + (suffix if signed[-1] != suffix else "b")
    response = client_a.post(f"/rendez-vous/mon-rdv/{tampered}/annuler/")
    assert response.status_code == 400
    assert "Ce lien n&#x27;est pas valide" in response.content.decode()
    forged = links.signing.dumps(appointment.token, salt="autre-chose")
    assert client_a.get(f"/rendez-vous/mon-rdv/{forged}/").status_code == 400
    with in_tenant(rdv_a.tenant):
        appointment.refresh_from_db()
    assert appointment.status == "booked"


def test_expired_link_is_refused(rdv_a, client_a, contact, time_machine):
    appointment = _booked(rdv_a, contact)
    signed = links.link_sign(appointment=appointment)
    time_machine.move_to(NOW + timedelta(days=181))
    response = client_a.get(f"/rendez-vous/mon-rdv/{signed}/")
    assert response.status_code == 400
    assert "Ce lien a expiré" in response.content.decode()


def test_citizen_uploads_a_document_refused_file_is_not_saved(rdv_a, client_a, contact):
    appointment = _booked(rdv_a, contact)
    url = f"/rendez-vous/mon-rdv/{links.link_sign(appointment=appointment)}/"
    bad = client_a.post(url, {"fichier": SimpleUploadedFile("a.pdf", b"MZ\x90\x00 not a pdf")})
    assert bad.status_code == 400 and "type accepté" in bad.content.decode()
    ok = client_a.post(url, {"fichier": SimpleUploadedFile("justificatif.pdf", PDF)})
    assert ok.status_code == 302
    with in_tenant(rdv_a.tenant):
        doc = AppointmentDocument.objects.get()
    download = client_a.get(f"{url}documents/{doc.pk}/")
    assert b"".join(download.streaming_content) == PDF


def _login(client, user):
    assert client.login(email=user.email, password=PASSWORD)


def test_agent_agenda_and_actions(rdv_a, client_a, contact, queries):
    appointment = _booked(rdv_a, contact)
    _login(client_a, rdv_a.agent)
    page = client_a.get("/rendez-vous/gestion/", {"jour": MONDAY.isoformat()})
    assert "Camille Usager" in page.content.decode()
    assert appointment.visio_url in page.content.decode()
    url = f"/rendez-vous/gestion/rdv/{appointment.pk}/"
    assert client_a.post(url, {"action": "cancel", "reason": ""}).status_code == 400
    client_a.post(url, {"action": "seen", "recap": "Dossier complet"})
    with in_tenant(rdv_a.tenant):
        appointment.refresh_from_db()
    assert appointment.status == "seen" and appointment.recap == "Dossier complet"


def test_agenda_query_count_does_not_grow(rdv_a, client_a, contact, queries):
    _login(client_a, rdv_a.agent)

    def count():
        with queries() as q:
            response = client_a.get(
                "/rendez-vous/gestion/", {"jour": MONDAY.isoformat(), "vue": "semaine"}
            )
        assert response.status_code == 200
        return q.count

    count()  # a session's first staff page writes its staff-session mark (identity.staff_access)
    _booked(rdv_a, contact)
    one = count()
    for minute in (30,):
        _booked(rdv_a, contact, start=at(MONDAY, 9, minute))
    _booked(rdv_a, contact, start=at(MONDAY, 10))
    _booked(rdv_a, contact, start=at(MONDAY, 11))
    assert count() == one


def test_agent_books_for_a_citizen_who_phoned(rdv_a, client_a):
    _login(client_a, rdv_a.agent)
    url = f"/rendez-vous/gestion/prendre/?type={rdv_a.kind.pk}&date={MONDAY.isoformat()}"
    assert client_a.get(url).status_code == 200
    response = client_a.post(
        url,
        {
            "slot": f"{rdv_a.place.pk}|{at(MONDAY, 10).isoformat()}",
            "mode": "phone",
            "first_name": "Jean",
            "last_name": "Martin",
            "email": "jean@example.fr",
            "phone": "04 92 00 00 00",
        },
    )
    assert response.status_code == 302
    with in_tenant(rdv_a.tenant):
        appointment = Appointment.objects.get()
    assert appointment.booked_by_agent_id == rdv_a.agent.pk and appointment.mode == "phone"


def test_non_members_are_kept_out_of_the_agenda(rdv_a, client_a, user_factory):
    assert client_a.get("/rendez-vous/gestion/").status_code == 302  # to the login page
    _login(client_a, user_factory())
    assert client_a.get("/rendez-vous/gestion/").status_code == 403


def test_agent_configures_own_openings(rdv_a, client_a):
    _login(client_a, rdv_a.agent)
    assert client_a.get("/rendez-vous/gestion/configuration/plages/").status_code == 200
    response = client_a.post(
        "/rendez-vous/gestion/configuration/plages/nouveau/",
        {
            "agent_id": rdv_a.agent.pk,
            "place": rdv_a.place.pk,
            "types": [rdv_a.kind.pk],
            "weekday": 2,
            "start_time": "14:00",
            "end_time": "16:00",
            "valid_from": "2026-12-01",
        },
    )
    assert response.status_code == 302
    # Only an admin edits types.
    assert client_a.get("/rendez-vous/gestion/configuration/types/nouveau/").status_code == 404


def test_surveys_visible_to_the_commune(rdv_a, client_a, contact):
    appointment = _booked(rdv_a, contact)
    services.appointment_mark(acting_user=ANONYMOUS, appointment=appointment, status="seen")
    signed = links.link_sign(appointment=appointment)
    assert client_a.post(f"/rendez-vous/mon-rdv/{signed}/avis/", {"score": "9"}).status_code == 400
    client_a.post(f"/rendez-vous/mon-rdv/{signed}/avis/", {"score": "5", "comment": "Parfait"})
    _login(client_a, rdv_a.agent)
    html = client_a.get("/rendez-vous/gestion/avis/").content.decode()
    assert "Parfait" in html and "5,0" in html


def test_confirmation_mail_contains_working_links(rdv_a, client_a, contact):
    from rendezvous.messages import message_send

    appointment = _booked(rdv_a, contact)
    message_send(appointment_id=appointment.pk, kind="confirmation")
    cancel = re.search(
        r"http://test-a\.localhost:8000(/rendez-vous/mon-rdv/\S+/annuler/)", mail.outbox[0].body
    )
    assert client_a.get(cancel.group(1)).status_code == 200


def test_citizen_with_an_account_books_and_finds_it_in_their_list(rdv_a, client_a, user_factory):
    citizen = user_factory(first_name="Camille", last_name="Compte")
    _login(client_a, citizen)
    form_url = client_a.post(
        f"/rendez-vous/type/{rdv_a.kind.pk}/retenir/",
        {"debut": at(MONDAY, 10).isoformat(), "lieu": rdv_a.place.pk},
    )["Location"]
    form = client_a.get(form_url).content.decode()
    assert citizen.email in form and "Compte" in form  # pre-filled from the account
    client_a.post(
        form_url,
        {
            "mode": "in_person",
            "first_name": "Camille",
            "last_name": "Compte",
            "email": citizen.email,
        },
    )
    with in_tenant(rdv_a.tenant):
        assert Appointment.objects.get().citizen_id == citizen.pk
    html = client_a.get("/rendez-vous/mes-rendez-vous/").content.decode()
    assert "Dépôt de passeport" in html and "/rendez-vous/mon-rdv/" in html
    # Sending the form again does not book twice, and the hold token signs no new link.
    again = client_a.post(form_url, {"mode": "in_person"})
    assert again.status_code == 200 and "déjà confirmé" in again.content.decode()
    assert "/mon-rdv/" not in again.content.decode()


def test_search_page_query_count_does_not_grow(rdv_a, client_a, contact, queries):
    def count():
        with queries() as q:
            assert client_a.get("/rendez-vous/", {"q": "passeport"}).status_code == 200
        return q.count

    count()  # fills the commune's cached catalogue (portal.tenant_cache)
    first = count()
    for hour in (9, 10, 11):
        _booked(rdv_a, contact, start=at(MONDAY, hour))
    assert count() == first


def test_admin_configures_types_places_absences_and_visio(rdv_a, client_a, member_factory):
    from tenants.models import Membership

    admin = member_factory(rdv_a.tenant, role=Membership.Role.ADMIN)
    _login(client_a, admin)
    assert "Mon agenda" in client_a.get("/gestion/").content.decode()
    for section in ("services", "lieux", "types", "plages", "absences"):
        assert client_a.get(f"/rendez-vous/gestion/configuration/{section}/").status_code == 200
        assert (
            client_a.get(f"/rendez-vous/gestion/configuration/{section}/nouveau/").status_code
            == 200
        )
    response = client_a.post(
        "/rendez-vous/gestion/configuration/types/nouveau/",
        {
            "service": rdv_a.service.pk,
            "name": "Recensement citoyen",
            "keywords": "JDC jeunes 16 ans",
            "duration_minutes": 15,
            "modes": ["in_person", "phone"],
            "min_delay_hours": 2,
            "max_delay_days": 30,
            "cancellable_until_hours": 24,
            "buffer_minutes": 5,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert (
        client_a.get("/rendez-vous/", {"q": "recensement jdc"})
        .content.decode()
        .count("Recensement citoyen")
    )
    bad = client_a.post(
        "/rendez-vous/gestion/configuration/absences/nouveau/",
        {"agent_id": rdv_a.agent.pk, "reason": "Congés"},
    )
    assert bad.status_code == 400 and "absence ponctuelle" in bad.content.decode()
    ok = client_a.post(
        "/rendez-vous/gestion/configuration/absences/nouveau/",
        {
            "agent_id": rdv_a.agent.pk,
            "reason": "Congés",
            "starts_at": "2026-12-07 00:00",
            "ends_at": "2026-12-08 00:00",
        },
    )
    assert ok.status_code == 302
    assert (
        "Aucun créneau libre"
        in client_a.get(
            f"/rendez-vous/type/{rdv_a.kind.pk}/", {"date": MONDAY.isoformat()}
        ).content.decode()
    )
    response = client_a.post(
        "/rendez-vous/gestion/reglages/",
        {"visio_base_url": "https://visio.mairie.example/", "reminder_hours": 24},
    )
    assert response.status_code == 302
    assert client_a.get("/rendez-vous/gestion/", {"vue": "semaine", "tous": "1"}).status_code == 200


def test_no_try_another_word_before_any_search(client_a, tenant_a):
    # A new commune's site: no appointment types yet, nobody has searched anything.
    page = client_a.get("/rendez-vous/").content.decode()
    assert "Essayez un autre mot" not in page
    assert "ne propose pas encore de rendez-vous en ligne" in page
    searched = client_a.get("/rendez-vous/", {"q": "passeport"}).content.decode()
    assert "Essayez un autre mot" in searched
