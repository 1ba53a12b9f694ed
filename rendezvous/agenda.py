"""The agents' agenda table, kept in the shared cache under the data version of what it
shows (portal/dataversion.py: PostgreSQL raises it on any write to the appointments, their
types or places, whoever makes it). An unchanged week costs one query and one cache read
instead of its rows' query and the page's rendering (issue 11 §4)."""

import hashlib
from datetime import date, timedelta

from django.template.loader import render_to_string
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from portal import dataversion
from rendezvous import selectors
from rendezvous.forms import AgendaFilterForm
from rendezvous.models import Place


def _filter_value(value: str) -> str:
    """A filter's value as the cache key holds it: none, a word or an id; anything else is
    refused by the filter form alike, so it shares one key."""
    valid = value in ("", "moi", "tous") or (value.isdigit() and len(value) <= 12)
    return value if valid else "?"


def agenda_content(
    request,
    *,
    day: date,
    week: bool,
    agent: str,
    place: str,
    agent_labels: dict[int, str],
) -> SafeString:
    """The agenda page's content for ``day`` (its week with ``week``): heading, filters,
    links to the previous and next period, and the table of the appointments the filters
    choose (``agent``: "moi", the default, "tous" or an agent's id; ``place``: a place's id
    or "" for all), with an agent column for everyone's. The filters' choices (the places,
    the agents' ``agent_labels``) are kept with the rest: a kept page costs no query."""
    start = day - timedelta(days=day.weekday()) if week else day
    end = start + timedelta(days=6 if week else 0)
    step = timedelta(days=7 if week else 1)
    agent, place = _filter_value(agent), _filter_value(place)

    def build() -> SafeString:
        form = AgendaFilterForm(
            {"agent": agent, "lieu": place},
            agents=agent_labels.items(),
            places=Place.objects.order_by("name").values_list("pk", "name"),
        )
        choice = form.cleaned_data if form.is_valid() else {}
        who = choice.get("agent") or ("tous" if agent == "tous" else "moi")
        agent_id = None if who == "tous" else (request.user.pk if who == "moi" else int(who))
        kept = urlencode({k: v for k, v in (("agent", who), ("lieu", choice.get("lieu"))) if v})
        rows = selectors.agenda_rows(
            start=start,
            end=end,
            agent_id=agent_id,
            place_id=int(choice["lieu"]) if choice.get("lieu") else None,
            agent_labels=agent_labels,
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
            "filters": f"&{kept}" if kept else "",
            "filter_form": form,
        }
        html = render_to_string("rendezvous/agent/agenda_content.html", context, request)
        return mark_safe(html)

    # The signed-in agent's id: "moi" (the default) names them.
    variant = hashlib.sha256(
        repr((day, week, request.user.pk, agent, place, sorted(agent_labels.items()))).encode()
    ).hexdigest()
    return dataversion.cached("rendezvous-agenda", build, variant=variant)
