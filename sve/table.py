"""The agents' request table as HTML: its rows written in Python, and the whole table kept
in the shared cache under the requests' data version.

The table shows 50 rows of 9 cells: through Django's template engine each row cost about
0.1 ms (a dozen variables resolved, localised and escaped, five conditions), the largest
part of the page (issue 11 §4). ``rows_html`` writes the same markup with ``str.format``,
every value escaped with ``html.escape`` as Django's ``escape`` does (format_html's lazy
checks alone cost 2 ms a page), from the rows ``sve.selectors.request_rows`` prepared; the
rest of the page stays in templates/sve/dashboard.html.

``dashboard_parts`` then keeps the filter bar, the rows and the pagination in the shared
cache, keyed by the requests' data version (raised by PostgreSQL on any write to the
requests, whoever makes it), the filters, the page, the day (deadline badges) and the
lists the filter bar offers: an unchanged table costs one query and one cache read.
"""

import hashlib
from datetime import date
from html import escape

from django.core.paginator import Paginator
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from portal import dataversion
from sve import selectors
from sve.forms import FilterForm
from sve.selectors import RequestRow
from tenants.selectors import collectivite_staff_labels

PAGE_SIZE = 50
# The parts of the page kept in the shared cache (no per-visitor content: the CSRF token and
# the page's own address stay in templates/sve/dashboard.html).
PARTS = ("filters", "body", "pagination")

ROW = (
    "<tr>\n"
    '<td><input type="checkbox" name="ids" value="{}" aria-label="Sélectionner {}"></td>\n'
    '<td><a href="{}">{}</a></td>\n'
    '<td class="wrap">{}</td>\n'
    '<td class="wrap">{}</td>\n'
    "<td>{}</td>\n"
    "<td>{}</td>\n"
    "<td>{}</td>\n"
    "<td>{}{}</td>\n"
    '<td class="truncate" title="{}">{}</td>\n'
    "</tr>"
)


def _ar_badge(row: RequestRow) -> SafeString | str:
    """The AR's state: CRPA R112-11-1 (sve.deadlines.ar_flag says which)."""
    if row.ar_flag == "overdue":
        return format_html('<span class="badge badge--error">AR en retard ({})</span>', row.ar_due)
    if row.ar_flag == "soon":
        return format_html('<span class="badge badge--warning">AR avant le {}</span>', row.ar_due)
    if row.acknowledged:
        return SafeString('<span class="badge badge--success">envoyé</span>')
    return ""


def _decision_badge(row: RequestRow) -> SafeString | str:
    if row.decision_flag == "overdue":
        return SafeString(' <span class="badge badge--error">échue</span>')
    if row.decision_flag == "soon":
        return format_html(' <span class="badge badge--warning">J-{}</span>', row.days_left)
    if row.decision_flag == "later":
        return format_html(' <span class="badge badge--info">J-{}</span>', row.days_left)
    if row.awaiting_pieces:
        return SafeString(' <span class="badge badge--neutral">en attente de pièces</span>')
    return ""


def rows_html(rows: list[RequestRow]) -> SafeString:
    """The table's <tr> rows, or its "Aucune demande." row."""
    if not rows:
        return SafeString('<tr><td colspan="9">Aucune demande.</td></tr>')
    return mark_safe(
        "\n".join(
            ROW.format(
                row.pk,
                escape(row.reference),
                escape(row.url),
                escape(row.reference),
                escape(row.form_title),
                escape(row.applicant),
                escape(row.status_label),
                escape(row.received),
                _ar_badge(row),  # SafeString: escaped by format_html
                escape(row.decision_on),
                _decision_badge(row),
                escape(row.assignee),
                escape(row.assignee),
            )
            for row in rows
        )
    )


def filter_form(params: QueryDict, *, agents: list, forms_choices: list) -> FilterForm:
    return FilterForm(params or None, forms_choices=forms_choices, agents=agents)


def filters_of(form: FilterForm) -> dict:
    """The filters a valid filter bar asks for (an invalid one asks for none)."""
    values = form.cleaned_data if form.is_valid() else {}
    return {k: v for k, v in values.items() if v not in ("", None)}


def dashboard_parts(
    *, params: QueryDict, collectivite, today: date, insee_code: str
) -> dict[str, SafeString]:
    """The filter bar, the table with its bulk actions, and the pagination, for the filters
    and the page in ``params``, from the shared cache when nothing they show has changed:
    the requests and forms (the commune's data version), the agents' names (the public
    schema's) and the day (deadline badges)."""

    def build() -> dict[str, SafeString]:
        # Read as of now, not from the caches that writers forget after their commit.
        agents = collectivite_staff_labels(collectivite=collectivite)
        form = filter_form(params, agents=agents, forms_choices=selectors.form_choices())
        requests = selectors.requests_table(insee_code=insee_code, **filters_of(form))
        page = Paginator(requests, PAGE_SIZE).get_page(params.get("page"))
        rows = selectors.request_rows(page.object_list, today=today, insee_code=insee_code)
        query = params.copy()
        query.pop("page", None)
        context = {
            "filter_form": form,
            "page": page,
            "rows_html": rows_html(rows),
            "agents": agents,
            "query": query.urlencode(),
        }
        return {
            part: mark_safe(render_to_string(f"sve/dashboard/{part}.html", context))
            for part in PARTS
        }

    variant = hashlib.sha256(
        repr((sorted(params.lists()), today, insee_code, dataversion.version(public=True))).encode()
    ).hexdigest()
    return dataversion.cached("sve-table", build, variant=variant)
