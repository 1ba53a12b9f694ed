"""Spreadsheet exports (CSV, XLSX) of lists shown to agents and operators."""

# OWASP "CSV injection": a cell a spreadsheet would read as a formula is prefixed with a quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value) -> str:
    """``value`` as text that no spreadsheet will evaluate."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
