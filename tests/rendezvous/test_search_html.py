"""The search page /rendez-vous/ and the home's appointment blocks (issue 11 §4): the
unfiltered search and the catalogue come from the commune's cache as plain rows, its list
is written by rendezvous/search_html.py, and an agent's change shows at once."""

from datetime import time

import pytest

from portal.audit.trail import SYSTEM_COMMAND
from rendezvous import services
from rendezvous.models import AppointmentType, Mode
from rendezvous.search_html import results_html
from rendezvous.selectors import SearchResult, SearchSlot
from tenants.models import Membership
from tests.conftest import PASSWORD
from tests.rendezvous.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW)


def test_the_unfiltered_search_reads_nothing_but_its_host_once_cached(
    rdv_a, client_a, django_assert_num_queries
):
    client_a.get("/rendez-vous/")  # fills the commune's cache (types, slots, places)
    # The host's collectivité (SET search_path and the domain), as every page; no more.
    with django_assert_num_queries(2):
        html = client_a.get("/rendez-vous/").content.decode()
    assert "Dépôt de passeport" in html and "Prochains créneaux libres" in html
    assert f'href="/rendez-vous/type/{rdv_a.kind.pk}/?date=2026-12-07&amp;lieu=' in html


def test_the_list_escapes_what_agents_typed():
    row = SearchResult(
        url="/rendez-vous/type/1/",
        name="<b>Passeport</b> & CNI",
        service="État civil",
        duration_minutes=30,
        modes="En présentiel",
        description="<script>alert(1)</script>",
        slots=[SearchSlot(url="/rendez-vous/type/1/?date=2026-12-07&lieu=1", label="lun 7 déc")],
    )
    html = results_html([row])
    assert "&lt;b&gt;Passeport&lt;/b&gt; &amp; CNI" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="/rendez-vous/type/1/?date=2026-12-07&amp;lieu=1"' in html
    empty = results_html([SearchResult("/t/", "Élu", "Élus", 15, "", "", [])])
    assert "Aucun créneau libre dans les quatre prochaines semaines" in empty
    assert results_html([]) == ""


def test_an_agents_new_type_and_a_places_new_hours_show_at_once(
    rdv_a, client_a, client_b, member_factory, django_capture_on_commit_callbacks
):
    def pages(client=client_a):
        return client.get("/rendez-vous/").content.decode() + client.get("/").content.decode()

    assert "Recensement citoyen" not in pages()  # fills the caches
    admin = member_factory(rdv_a.tenant, role=Membership.Role.ADMIN)
    assert client_a.login(email=admin.email, password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(
            "/rendez-vous/gestion/configuration/types/nouveau/",
            {
                "service": rdv_a.service.pk,
                "name": "Recensement citoyen",
                "duration_minutes": 15,
                "modes": [Mode.IN_PERSON],
                "min_delay_hours": 2,
                "max_delay_days": 30,
                "cancellable_until_hours": 24,
                "buffer_minutes": 0,
                "is_active": "on",
            },
        )
    assert response.status_code == 302
    client_a.logout()
    kind = AppointmentType.objects.get(name="Recensement citoyen")
    html = pages()
    assert html.count("Recensement citoyen") == 2  # the search list and the home's block
    assert f'href="/rendez-vous/type/{kind.pk}/"' in html
    assert "Recensement citoyen" not in pages(client_b)  # another commune's cache

    rdv_a.activate()
    rdv_a.place.is_reception = True
    with django_capture_on_commit_callbacks(execute=True):
        services.place_save(
            acting_user=SYSTEM_COMMAND, place=rdv_a.place, hours={2: [(time(14), time(16, 30))]}
        )
    html = pages()
    # The place card (search page) and the home's hours, in French typography.
    assert html.count("Mercredi\u00a0: 14\u00a0h – 16\u00a0h\u00a030") == 2


def test_place_cards_escape_and_keep_line_breaks():
    from rendezvous.search_html import places_html
    from rendezvous.selectors import PlaceRow

    html = places_html(
        [
            PlaceRow(
                pk=1,
                name="Mairie <annexe>",
                address="1 place de l'Église\r\n05100 Briançon",
                access_info="",
                is_reception=False,
                hours_lines=["Lundi\u00a0: 9\u00a0h – 12\u00a0h"],
            ),
            PlaceRow(2, "Espace", "2 rue", "Rampe & ascenseur", False, []),
        ]
    )
    assert "Mairie &lt;annexe&gt;" in html
    assert "1 place de l&#x27;Église<br>05100 Briançon" in html
    assert (
        '<ul class="list-plain" data-hours><li>Lundi\u00a0: 9\u00a0h – 12\u00a0h</li></ul>' in html
    )
    assert "<strong>Accès :</strong> Rampe &amp; ascenseur</p>" in html
    assert html.count("Horaires d'ouverture") == 1  # the place without hours has none
