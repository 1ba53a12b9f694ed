"""sve.table.rows_html writes the markup the dashboard's template wrote for each row (the
template's loop, kept here as the reference), every badge and escaping included."""

from django.template import engines

from sve.selectors import RequestRow
from sve.table import rows_html

REFERENCE = engines["django"].from_string(
    """{% for row in rows %}<tr>
<td><input type="checkbox" name="ids" value="{{ row.pk }}" aria-label="Sélectionner {{ row.reference }}"></td>
<td><a href="{{ row.url }}">{{ row.reference }}</a></td>
<td class="wrap">{{ row.form_title }}</td>
<td class="wrap">{{ row.applicant }}</td>
<td>{{ row.status_label }}</td>
<td>{{ row.received }}</td>
<td>{% if row.ar_flag == "overdue" %}<span class="badge badge--error">AR en retard ({{ row.ar_due }})</span>{% elif row.ar_flag == "soon" %}<span class="badge badge--warning">AR avant le {{ row.ar_due }}</span>{% elif row.acknowledged %}<span class="badge badge--success">envoyé</span>{% endif %}</td>
<td>{{ row.decision_on }}{% if row.decision_flag == "overdue" %} <span class="badge badge--error">échue</span>{% elif row.decision_flag == "soon" %} <span class="badge badge--warning">J-{{ row.days_left }}</span>{% elif row.decision_flag == "later" %} <span class="badge badge--info">J-{{ row.days_left }}</span>{% elif row.awaiting_pieces %} <span class="badge badge--neutral">en attente de pièces</span>{% endif %}</td>
<td class="truncate" title="{{ row.assignee }}">{{ row.assignee }}</td>
</tr>{% empty %}<tr><td colspan="9">Aucune demande.</td></tr>{% endfor %}"""
)


def row(n: int, **changes) -> RequestRow:
    values = {
        "pk": n,
        "url": f"/demarches/gestion/demandes/{n}/",
        "reference": f"2026-{n:05d}",
        "form_title": "Permis <de> « stationner » & co",
        "applicant": 'Jeanne "J" D\'Arc',
        "status": "submitted",
        "status_label": "Déposée",
        "received": "24/11/2026 10:05",
        "ar_flag": None,
        "ar_due": "01/12",
        "acknowledged": False,
        "decision_on": "24/01/2027",
        "decision_flag": None,
        "days_left": 61,
        "awaiting_pieces": False,
        "assignee": "<script>x</script>",
    }
    return RequestRow(**(values | changes))


def test_same_markup_as_the_template_for_every_badge():
    rows = [
        row(1, ar_flag="overdue", decision_flag="overdue"),
        row(2, ar_flag="soon", decision_flag="soon", days_left=3),
        row(3, acknowledged=True, decision_flag="later"),
        row(4, awaiting_pieces=True, assignee=""),
        row(5, reference="", decision_on=""),
    ]
    html = str(rows_html(rows))
    assert html == REFERENCE.render({"rows": rows}).replace("</tr><tr>", "</tr>\n<tr>")
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "Permis &lt;de&gt; « stationner » &amp; co" in html


def test_no_rows():
    assert str(rows_html([])) == REFERENCE.render({"rows": []})
