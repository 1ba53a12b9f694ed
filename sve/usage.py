"""SVE figures of the yearly usage report (portal.usage; seed 000 art. 8)."""

from django.db.models import Avg, Count, F, Q

from portal.usage import UsageBlock
from sve.models import Request, Status

IMPLICIT = (Status.IMPLICITLY_ACCEPTED, Status.IMPLICITLY_REJECTED)


def yearly_usage(year: int) -> UsageBlock:
    filed = Request.objects.filter(received_on__year=year)
    totals = filed.aggregate(
        total=Count("pk"),
        implicit=Count("pk", filter=Q(status__in=IMPLICIT)),
        ar_days=Avg(F("acknowledged_at__date") - F("received_on")),
    )
    rows = [("Demandes reçues", str(totals["total"]))]
    for row in (
        filed.values("form_version__title", "status")
        .annotate(n=Count("pk"))
        .order_by("form_version__title", "status")
    ):
        label = Status(row["status"]).label
        rows.append((f"{row['form_version__title']} — {label}", str(row["n"])))
    ar_days = totals["ar_days"]
    rows.append(
        (
            "Délai moyen d'envoi de l'accusé de réception",
            f"{ar_days.days} jour(s)" if ar_days is not None else "—",
        )
    )
    rows.append(("Décisions implicites", str(totals["implicit"])))
    return UsageBlock("Démarches en ligne (SVE)", rows, order=10)
