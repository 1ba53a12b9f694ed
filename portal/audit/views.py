"""The audit trail's pages: every entry for platform admins (operator's host), a commune's
own entries for its admins (its back office). Filters, pagination, CSV export."""

import csv

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from portal.audit.selectors import TrailFilters, action_choices, trail_entries
from portal.audit.trail import action_label
from portal.exports import spreadsheet_cell
from portal.permissions import member_required, platform_admin_required

PAGE_SIZE = 50
CSV_HEADER = [
    "date",
    "auteur",
    "collectivité",
    "action",
    "code action",
    "objet",
    "identifiant",
    "résumé",
    "adresse IP",
]


def _names(collectivite_ids) -> dict[int, str]:
    from django_tenants.utils import get_tenant_model  # the tenant model: portal imports no app

    ids = {pk for pk in collectivite_ids if pk}
    if not ids:
        return {}
    return dict(get_tenant_model().objects.filter(pk__in=ids).values_list("pk", "name"))


class _Echo:
    def write(self, value):
        return value


def _csv(entries, names: dict[int, str] | None) -> StreamingHttpResponse:
    writer = csv.writer(_Echo(), delimiter=";")

    def rows():
        yield "\ufeff" + writer.writerow(CSV_HEADER)
        for entry in entries.iterator(chunk_size=2000):
            commune = "plateforme" if not entry.collectivite_id else entry.collectivite_id
            if names is not None and entry.collectivite_id:
                commune = names.get(entry.collectivite_id, entry.collectivite_id)
            values = [
                timezone.localtime(entry.created_at).strftime("%d/%m/%Y %H:%M:%S"),
                entry.actor_label,
                commune,
                action_label(entry.action),
                entry.action,
                entry.subject_type,
                entry.subject_id,
                entry.summary,
                entry.ip or "",
            ]
            yield writer.writerow([spreadsheet_cell(value) for value in values])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="journal-audit.csv"'
    return response


def _journal(request, *, collectivite_id: int | None, title: str):
    filters = TrailFilters.from_query(request.GET)
    entries = trail_entries(filters=filters, collectivite_id=collectivite_id)
    platform = collectivite_id is None
    if request.GET.get("format") == "csv":
        names = _names(_collectivite_ids(entries)) if platform else None
        return _csv(entries, names)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    names = _names(e.collectivite_id for e in page) if platform else {}
    for entry in page:
        entry.action_text = action_label(entry.action)
        entry.commune = names.get(entry.collectivite_id, "") if entry.collectivite_id else ""
    query = filters.as_query()
    return render(
        request,
        "audit/journal.html",
        {
            "page": page,
            "filters": filters,
            "query": query,
            "actions": action_choices(),
            "platform": platform,
            "title": title,
        },
    )


def _collectivite_ids(entries):  # noqa: N802
    return set(entries.order_by().values_list("collectivite_id", flat=True).distinct())


@platform_admin_required
def operator_journal(request):
    return _journal(request, collectivite_id=None, title="Journal d'audit")


@member_required(admin=True)
def commune_journal(request):
    return _journal(
        request,
        collectivite_id=request.tenant.pk,
        title=f"Journal d'audit — {request.tenant.name}",
    )
