"""The search page's list of appointment types with their next free slots, as HTML written
in Python (as sve/table.py does for the agents' request table).

Through Django's template engine the list cost about 0.05 ms a type (a dozen variables
resolved and escaped, a loop of slots), the largest part of /rendez-vous/ (issue 11 §4).
``results_html`` writes the same markup with ``str.format`` from the rows
``rendezvous.selectors.search_results`` prepared, every value escaped with ``html.escape``
as Django's ``escape`` does; the rest of the page stays in templates/rendezvous/search.html.
"""

from html import escape

from django.utils.safestring import SafeString, mark_safe

from rendezvous.selectors import SearchResult

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
