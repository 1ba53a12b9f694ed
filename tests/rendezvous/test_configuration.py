"""The commune's appointment configuration (rendezvous/services/configuration.py): services,
types, openings, absences and settings are each saved by one service, validated, with one
audit entry."""

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError

from portal.audit.models import HistoryEntry
from portal.audit.trail import SYSTEM_COMMAND
from rendezvous import selectors, services
from rendezvous.models import Absence, Mode, OpeningRule
from rendezvous.services.configuration import (
    ABSENCE_SAVED,
    OPENING_SAVED,
    SETTINGS_SAVED,
    TYPE_SAVED,
)
from tenants.models import Membership
from tests.conftest import PASSWORD
from tests.rendezvous.conftest import MONDAY, at

pytestmark = pytest.mark.django_db


def _admin_client(setup, client, member_factory):
    admin = member_factory(setup.tenant, role=Membership.Role.ADMIN)
    assert client.login(email=admin.email, password=PASSWORD)
    return admin


def test_renaming_a_service_lets_citizens_find_its_types_by_the_new_name(
    rdv_a, client_a, member_factory
):
    # The types' search text held the service's former name (AppointmentType.save copies it).
    _admin_client(rdv_a, client_a, member_factory)
    response = client_a.post(
        f"/rendez-vous/gestion/configuration/services/{rdv_a.service.pk}/",
        {"name": "Formalités administratives", "description": ""},
    )
    assert response.status_code == 302
    client_a.logout()
    page = client_a.get("/rendez-vous/", {"q": "formalites"}).content.decode()
    assert "Dépôt de passeport" in page


def test_the_rename_service_refreshes_the_types_search_text(rdv_a):
    services.service_save(
        acting_user=SYSTEM_COMMAND, service=rdv_a.service, name="Formalités", description=""
    )
    found = selectors.type_search(query="formalites passeport")
    assert list(found) == [rdv_a.kind]
    assert not selectors.type_search(query="etat civil").exists()


def _entries(action):
    return HistoryEntry.objects.filter(action=action)


def test_each_configuration_service_records_one_entry_naming_what_changed(rdv_a):
    kind = services.type_save(
        acting_user=SYSTEM_COMMAND,
        service=rdv_a.service,
        name="Recensement citoyen",
        duration_minutes=15,
        modes=[Mode.IN_PERSON],
        min_delay_hours=2,
        max_delay_days=30,
        cancellable_until_hours=24,
        buffer_minutes=0,
        is_active=True,
    )
    opening = services.opening_save(
        acting_user=SYSTEM_COMMAND,
        agent_id=rdv_a.agent.pk,
        place=rdv_a.place,
        types=[kind],
        weekday=2,
        start_time=time(14),
        end_time=time(16),
        valid_from=date(2026, 12, 1),
    )
    assert list(opening.types.all()) == [kind]
    services.opening_save(
        acting_user=SYSTEM_COMMAND,
        opening=opening,
        agent_id=rdv_a.agent.pk,
        place=rdv_a.place,
        types=[kind, rdv_a.kind],
        weekday=2,
        start_time=time(14),
        end_time=time(17),
        valid_from=date(2026, 12, 1),
    )
    absence = services.absence_save(
        acting_user=SYSTEM_COMMAND,
        agent_id=rdv_a.agent.pk,
        reason="Formation",
        weekday=4,
        start_time=time(9),
        end_time=time(12),
    )
    assert absence.valid_from is not None  # a weekly absence applies from today
    services.settings_save(acting_user=SYSTEM_COMMAND, reminder_hours=24)
    assert _entries(TYPE_SAVED).get().payload["created"] is True
    created, changed = _entries(OPENING_SAVED).order_by("id")
    assert set(changed.payload["changed"]) == {"end_time", "types"}
    assert changed.summary == "Plage d'ouverture : « mercredi 14:00-17:00 » modifié"
    assert _entries(ABSENCE_SAVED).count() == 1
    assert _entries(SETTINGS_SAVED).get().payload["changed"] == {"reminder_hours": "24"}


@pytest.mark.parametrize(
    "save, values, message",
    [
        (
            "opening_save",
            {"weekday": 0, "start_time": time(6), "end_time": time(8)},
            "doit tenir dans une de ses plages d'ouverture",
        ),
        (
            "opening_save",
            {"weekday": 0, "start_time": time(10), "end_time": time(9)},
            "L'heure de fin doit suivre l'heure de début.",
        ),
        ("absence_save", {"reason": "Congés"}, "absence ponctuelle"),
        (
            "absence_save",
            {"starts_at": at(MONDAY, 12), "ends_at": at(MONDAY, 9)},
            "La fin de l'absence doit suivre son début.",
        ),
    ],
)
def test_the_services_refuse_what_the_forms_refuse_and_write_nothing(rdv_a, save, values, message):
    if save == "opening_save":
        values |= {"place": rdv_a.place, "types": [rdv_a.kind], "valid_from": MONDAY}
    before = HistoryEntry.objects.count(), OpeningRule.objects.count(), Absence.objects.count()
    with pytest.raises(ValidationError) as error:
        getattr(services, save)(acting_user=SYSTEM_COMMAND, agent_id=rdv_a.agent.pk, **values)
    assert message in " ".join(error.value.messages)
    after = HistoryEntry.objects.count(), OpeningRule.objects.count(), Absence.objects.count()
    assert after == before


def test_a_type_out_of_bounds_is_refused_in_french_and_left_unchanged(rdv_a):
    values = {
        field: getattr(rdv_a.kind, field)
        for field in (
            "service", "name", "duration_minutes", "modes", "min_delay_hours",
            "max_delay_days", "cancellable_until_hours", "buffer_minutes", "is_active",
        )
    }  # fmt: skip
    with pytest.raises(ValidationError) as error:
        services.type_save(
            acting_user=SYSTEM_COMMAND,
            appointment_type=rdv_a.kind,
            **values | {"name": "Renommé", "max_delay_days": 3_000_000},
        )
    assert "inférieure ou égale" in error.value.message_dict["max_delay_days"][0]
    rdv_a.kind.refresh_from_db()
    assert rdv_a.kind.name == "Dépôt de passeport"
    assert not _entries(TYPE_SAVED).exists()
