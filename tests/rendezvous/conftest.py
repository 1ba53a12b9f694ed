"""Appointment fixtures: a service, a place, a type and agents' weekly openings in a tenant.

Dates are fixed: "now" is Tuesday 1 December 2026, 08:00 (Paris); openings start on
1 November 2026. Services and selectors take ``now`` explicitly.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from rendezvous.models import AppointmentType, Mode, OpeningRule, Place, PlaceHours, Service

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=PARIS)
MONDAY = date(2026, 12, 7)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), PARIS)


@dataclass
class Setup:
    tenant: object
    service: Service
    place: Place
    kind: AppointmentType
    agents: list = field(default_factory=list)
    rules: list = field(default_factory=list)

    @property
    def agent(self):
        return self.agents[0]

    def activate(self):
        connection.set_tenant(self.tenant)
        return self


def place_open(place: Place, opens: time = time(7), closes: time = time(20), days=range(7)):
    """Give the place hours (every day 7 h - 20 h unless told): without hours, no slot."""
    PlaceHours.objects.bulk_create(
        PlaceHours(place=place, weekday=day, opens=opens, closes=closes) for day in days
    )
    return place


def make_setup(tenant, agents, *, weekday=0, start=time(9), end=time(12), **type_fields) -> Setup:
    connection.set_tenant(tenant)
    service = Service.objects.create(name="État civil", description="Actes et papiers d'identité")
    place = Place.objects.create(
        name="Mairie annexe",
        address="1 place de l'Église, 05100 Briançon",
        access_info="Rampe d'accès au fond de la cour",
    )
    place_open(place)
    fields = {
        "name": "Dépôt de passeport",
        "description": "Déposer une demande de passeport ou de carte d'identité",
        "keywords": "CNI identité voyage",
        "duration_minutes": 30,
        "modes": [Mode.IN_PERSON, Mode.VISIO, Mode.PHONE],
        "documents_to_bring": "Justificatif de domicile et photo d'identité",
        "min_delay_hours": 2,
        "max_delay_days": 60,
        "cancellable_until_hours": 24,
        "buffer_minutes": 0,
    } | type_fields
    kind = AppointmentType.objects.create(service=service, **fields)
    rules = []
    for agent in agents:
        rule = OpeningRule.objects.create(
            agent_id=agent.pk,
            place=place,
            weekday=weekday,
            start_time=start,
            end_time=end,
            valid_from=date(2026, 11, 1),
        )
        rule.types.add(kind)
        rules.append(rule)
    return Setup(tenant, service, place, kind, list(agents), rules)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded documents go to a temporary folder, not var/media."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def rdv_a(tenant_a, member_factory):
    agent = member_factory(tenant_a, first_name="Agnès", last_name="Agent")
    return make_setup(tenant_a, [agent])


@pytest.fixture
def contact():
    return {
        "mode": Mode.IN_PERSON,
        "first_name": "Camille",
        "last_name": "Usager",
        "email": "camille@example.fr",
        "phone": "06 12 34 56 78",
    }


class _Queries:
    def __init__(self, context):
        self.context = context

    @property
    def count(self) -> int:
        """Queries run, django-tenants' "SET search_path" excluded."""
        return sum(
            1 for q in self.context.captured_queries if not q["sql"].upper().startswith("SET ")
        )


@pytest.fixture
def queries():
    """``with queries() as q: ...`` then ``q.count``."""
    import contextlib

    from django.test.utils import CaptureQueriesContext

    @contextlib.contextmanager
    def capture():
        with CaptureQueriesContext(connection) as context:
            yield _Queries(context)

    return capture
