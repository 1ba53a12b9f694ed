"""The agents' agenda table, kept in the shared cache under the data version of what it
shows (portal/dataversion.py: PostgreSQL raises it on any write to the appointments, their
types or places, whoever makes it). An unchanged week costs one query and one cache read
instead of its rows' query and their rendering (issue 11 §4)."""

import hashlib
from datetime import date

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from portal import dataversion
from rendezvous import selectors

TABLES = ("rendezvous_appointment", "rendezvous_appointmenttype", "rendezvous_place")


def agenda_body(
    *, start: date, end: date, agent_id: int | None, agent_labels: dict[int, str]
) -> SafeString:
    """The agenda's table rows from ``start`` to ``end`` (one agent's, or everyone's with
    an agent column when ``agent_id`` is None)."""

    def build() -> SafeString:
        rows = selectors.agenda_rows(
            start=start, end=end, agent_id=agent_id, agent_labels=agent_labels
        )
        context = {"rows": rows, "everyone": agent_id is None}
        return mark_safe(render_to_string("rendezvous/agent/agenda_rows.html", context))

    variant = hashlib.sha256(
        repr((start, end, agent_id, sorted(agent_labels.items()))).encode()
    ).hexdigest()
    return dataversion.cached("rendezvous-agenda", TABLES, build, variant=variant, timeout=600)
