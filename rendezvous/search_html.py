"""The search page's lists, as HTML written in Python (as sve/table.py does for the agents'
request table): the appointment types with their next free slots, and the place cards
(the type's page shows the same cards).

Through Django's template engine the types cost about 0.05 ms each (a dozen variables
resolved and escaped, a loop of slots) and the place cards two includes each: most of
/rendez-vous/ (issue 11 §4). ``results_html`` and ``places_html`` write the same markup with
``str.format`` from the rows the selectors prepared, every value escaped with
``html.escape`` as Django's ``escape`` does (multi-line text through Django's
``linebreaksbr``); the rest of the page stays in templates/rendezvous/search.html.
"""

from html import escape

from django.template.defaultfilters import linebreaksbr
from django.utils.safestring import SafeString, mark_safe

from rendezvous.selectors import PlaceRow, SearchResult

RESULT = (
    "<article>\n"
    '  <h3><a href="{url}">{name}</a></h3>\n'
    '  <p class="small">{service} — {duration} min — {modes}</p>\n'
    "  {description}\n"
    "  {slots}\n"
    "  <hr>\n"
    "</article>\n"
)
SLOT = '    <li><a class="tag" href="{url}">{label}</a></li>\n'
SLOTS = '<p class="small">Prochains créneaux libres :</p>\n  <ul class="tag-list">\n{items}  </ul>'
NO_SLOT = (
    '<p class="small">Aucun créneau libre dans les quatre prochaines semaines : ouvrez la '
    "page du rendez-vous pour voir plus loin.</p>"
)


def _slots(result: SearchResult) -> str:
    if not result.slots:
        return NO_SLOT
    items = "".join(
        SLOT.format(url=escape(slot.url), label=escape(slot.label)) for slot in result.slots
    )
    return SLOTS.format(items=items)


def results_html(results: list[SearchResult]) -> SafeString:
    """One <article> per type (nothing when there is none: the page says why)."""
    return mark_safe(  # noqa: S308 (every value is escaped above)
        "".join(
            RESULT.format(
                url=escape(result.url),
                name=escape(result.name),
                service=escape(result.service),
                duration=result.duration_minutes,
                modes=escape(result.modes),
                description=f"<p>{escape(result.description)}</p>" if result.description else "",
                slots=_slots(result),
            )
            for result in results
        )
    )


PLACE = (
    '<div><div class="card">\n'
    '  <h3 class="card__title">{name}</h3>\n'
    "  <p>{address}</p>\n"
    "  {hours}\n"
    "  {access}\n"
    "</div>\n</div>"
)
# The generated text of a place's hours, as templates/rendezvous/_hours.html writes it.
HOURS = (
    '<div class="small"><strong>Horaires d\'ouverture :</strong>\n'
    '<ul class="list-plain" data-hours>{items}</ul>\n</div>'
)


def places_html(places: list[PlaceRow]) -> SafeString:
    """One card per place (a PlaceRow, or a Place with ``hours_lines`` set)."""
    return mark_safe(  # noqa: S308 (every value is escaped above)
        "".join(
            PLACE.format(
                name=escape(place.name),
                address=linebreaksbr(place.address),
                hours=HOURS.format(
                    items="".join(f"<li>{escape(line)}</li>" for line in place.hours_lines)
                )
                if place.hours_lines
                else "",
                access='<p class="small"><strong>Accès :</strong> '
                f"{linebreaksbr(place.access_info)}</p>"
                if place.access_info
                else "",
            )
            for place in places
        )
    )
