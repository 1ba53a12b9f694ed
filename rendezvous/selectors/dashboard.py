"""Reads: a citizen's appointments, in this commune and in every commune where their
account booked (the dashboard "Mes rendez-vous")."""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import QuerySet
from django.urls import reverse

from rendezvous.models import Appointment, Mode
from tenants.selectors import account_collectivites, collectivite_site_url


def citizen_appointments(*, citizen_id: int) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(citizen_id=citizen_id)
        .exclude(status__in=[Appointment.Status.HELD, Appointment.Status.EXPIRED])
        .select_related("type", "place")
        .order_by("-starts_at")
    )


@dataclass(frozen=True)
class CitizenAppointment:
    commune: str
    commune_url: str
    starts_at: datetime
    type_name: str
    mode: str
    status: str
    link_secret: str

    @property
    def mode_label(self) -> str:
        return Mode(self.mode).label

    @property
    def status_label(self) -> str:
        return Appointment.Status(self.status).label

    @property
    def url(self) -> str:
        from rendezvous.links import secret_sign

        path = reverse(
            "rendezvous:manage", args=[secret_sign(secret=self.link_secret)], urlconf=URLCONF
        )
        return self.commune_url.rstrip("/") + path


URLCONF = "portal.urls_tenant"


def citizen_appointments_everywhere(*, user) -> list[CitizenAppointment]:
    """The account's appointments in every commune where it booked (AccountActivity, written
    with each booking), newest first: a fixed number of queries (the communes, one UNION ALL
    over their schemas), whatever the number of members and whichever schema is active."""
    communes = account_collectivites(user=user, service="rendezvous", field="appointments")
    if not communes:
        return []
    quote = connection.ops.quote_name
    hidden = [Appointment.Status.HELD.value, Appointment.Status.EXPIRED.value]
    parts, params = [], []
    for index, commune in enumerate(communes):
        schema = quote(commune.schema_name)
        parts.append(
            f"""SELECT {index} AS commune, a.starts_at, t.name, a.mode, a.status, a.link_secret
                  FROM {schema}.rendezvous_appointment a
                  JOIN {schema}.rendezvous_appointmenttype t ON t.id = a.type_id
                 WHERE a.citizen_id = %s AND a.status <> ALL(%s)"""
        )
        params += [user.pk, hidden]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts) + " ORDER BY starts_at DESC", params)
        rows = cursor.fetchall()
    return [
        CitizenAppointment(
            commune=communes[row[0]].name,
            commune_url=collectivite_site_url(collectivite=communes[row[0]]),
            starts_at=row[1],
            type_name=row[2],
            mode=row[3],
            status=row[4],
            link_secret=row[5],
        )
        for row in rows
    ]
