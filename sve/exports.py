"""CSV and XLSX exports of the request table, with spreadsheet formulas neutralised."""

import csv
import io

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

from portal.exports import spreadsheet_cell

MAX_ROWS = 50_000
HEADERS = [
    "Référence",
    "Démarche",
    "Statut",
    "Régime",
    "Nom",
    "Prénom",
    "Courriel",
    "Reçue le",
    "AR dû le",
    "Décision implicite le",
    "Agent",
]


def _cells(req) -> list[str]:
    received = (
        timezone.localtime(req.received_at).strftime("%d/%m/%Y %H:%M") if req.received_at else ""
    )
    return [
        spreadsheet_cell(v)
        for v in (
            req.reference,
            req.form_version.title,
            req.get_status_display(),
            req.regime.upper(),
            req.last_name,
            req.first_name,
            req.email,
            received,
            req.ar_due_on.strftime("%d/%m/%Y") if req.ar_due_on else "",
            req.implicit_decision_on.strftime("%d/%m/%Y") if req.implicit_decision_on else "",
            req.assignee.email if req.assignee_id else "",
        )
    ]


def response(rows, *, fmt: str) -> HttpResponse:
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Demandes")
        sheet.append(HEADERS)
        for req in rows:
            sheet.append(_cells(req))
        buffer = io.BytesIO()
        workbook.save(buffer)
        http = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(HEADERS)
        for req in rows:
            writer.writerow(_cells(req))
        http = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
        fmt = "csv"
    http["Content-Disposition"] = f'attachment; filename="demandes-{stamp}.{fmt}"'
    return http
