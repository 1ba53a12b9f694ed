"""The agents' request table's rows as HTML, written in Python.

The table shows 50 rows of 9 cells: through Django's template engine each row cost about
0.1 ms (a dozen variables resolved, localised and escaped, five conditions), the largest
part of the page (issue 11 §4). ``rows_html`` writes the same markup with ``str.format``,
every value escaped with ``html.escape`` as Django's ``escape`` does (format_html's lazy
checks alone cost 2 ms a page), from the rows ``sve.selectors.request_rows`` prepared; the
rest of the page stays in templates/sve/dashboard.html.
"""

from html import escape

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from sve.selectors import RequestRow

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
