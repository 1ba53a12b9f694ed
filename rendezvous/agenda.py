"""The agents' agenda table, kept in the shared cache under the data version of what it
shows (portal/dataversion.py: PostgreSQL raises it on any write to the appointments, their
types or places, whoever makes it). An unchanged week costs one query and one cache read
instead of its rows' query and the page's rendering (issue 11 §4)."""

import hashlib
from datetime import date, timedelta

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from portal import dataversion
from rendezvous import selectors


def agenda_content(
    request,
    *,
    day: date,
    week: bool,
    agent_id: int | None,
    agent_labels: dict[int, str],
    place_id: int | None = None,
    filters: SafeString | str = "",
    filter_form=None,
) -> SafeString:
    """The agenda page's content for ``day`` (its week with ``week``): heading, links to
    the previous and next period, and the table of one agent's appointments, or everyone's
    with an agent column when ``agent_id`` is None."""
    start = day - timedelta(days=day.weekday()) if week else day
    end = start + timedelta(days=6 if week else 0)
    step = timedelta(days=7 if week else 1)

    def build() -> SafeString:
        rows = selectors.agenda_rows(
            start=start, end=end, agent_id=agent_id, place_id=place_id, agent_labels=agent_labels
        )
        context = {
            "rows": rows,
            "day": day,
            "start": start,
            "week": week,
            "everyone": agent_id is None,
            "previous": start - step,
            "next": start + step,
            # The filters kept in the previous/next/day/week links (issue 24 §2).
            "filters": filters,
            "filter_form": filter_form,
        }
        html = render_to_string("rendezvous/agent/agenda_content.html", context, request)
        return mark_safe(html)

    variant = hashlib.sha256(
        repr((day, week, agent_id, place_id, str(filters), sorted(agent_labels.items()))).encode()
    ).hexdigest()
    return dataversion.cached("rendezvous-agenda", build, variant=variant)
