"""Ledgers of titres and payments for the public accountant (CSV, XLSX)."""

import csv
import io

from openpyxl import Workbook

from portal.exports import spreadsheet_cell
from portal.money import decimal_euros

TITRE_COLUMNS = [
    "Exercice",
    "Numéro",
    "Nature",
    "État",
    "Membre",
    "SIREN",
    "Objet",
    "Émis le",
    "Notifié le",
    "Échéance",
    "HT",
    "TVA",
    "TTC",
    "Payé",
    "Reste dû",
]
PAYMENT_COLUMNS = ["Titre", "Membre", "Payé le", "Montant", "Référence"]


def titre_rows(titres):
    for t in titres:
        paid = getattr(t, "paid_cents", 0)
        due = 0 if t.kind != "titre" or t.status == "cancelled" else t.total_ttc_cents - paid
        yield [
            t.year,
            t.reference,
            t.get_kind_display(),
            t.get_status_display(),
            t.collectivite.name,
            t.debtor.get("siren", ""),
            t.object,
            t.issued_on.isoformat(),
            t.notified_on.isoformat() if t.notified_on else "",
            t.due_on.isoformat() if t.due_on else "",
            decimal_euros(t.total_ht_cents),
            decimal_euros(t.total_vat_cents),
            decimal_euros(t.total_ttc_cents),
            decimal_euros(paid),
            decimal_euros(due),
        ]


def payment_rows(payments):
    for p in payments:
        yield [
            p.titre.reference,
            p.titre.collectivite.name,
            p.paid_on.isoformat(),
            decimal_euros(p.amount_cents),
            p.reference,
        ]


def to_csv(columns: list[str], rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([spreadsheet_cell(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode()


def to_xlsx(columns: list[str], rows) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Registre")
    sheet.append(columns)
    for row in rows:
        sheet.append([spreadsheet_cell(value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
