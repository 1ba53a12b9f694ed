"""Parsing what visitors type in queries and forms, bounded (issue 8: input outside what a
column or date arithmetic holds answered 500)."""

# PostgreSQL's bigint: a row id beyond it cannot exist (and would fail the query).
ROW_ID_MAX = 2**63 - 1


def row_id(value) -> int | None:
    """A row id ("12"), or None: not plain ASCII digits ("²", "-1", "1e3"), zero, or beyond
    any id."""
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= ROW_ID_MAX else None
