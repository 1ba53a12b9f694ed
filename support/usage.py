"""Support figures of the yearly usage report (portal.usage; seed 000 art. 8)."""

from django.db import connection

from portal.usage import UsageBlock
from support.selectors import member_year_summary


def yearly_usage(year: int) -> UsageBlock:
    summary = member_year_summary(collectivite_id=connection.tenant.pk, year=year)
    rows = [("Demandes d'assistance", str(summary.filed))]
    rows += [(f"— {kind}", str(count)) for kind, count in summary.by_kind.items()]
    share = summary.share
    rows.append(
        (
            "Prises en compte dans les délais",
            f"{round(share * 100)} %" if share is not None else "—",
        )
    )
    return UsageBlock("Assistance aux membres", rows, order=30)
