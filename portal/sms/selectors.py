"""Reads of SMS use: a commune's month (its admin), every commune's (the operator)."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Sum
from django.utils import timezone
from django_tenants.utils import get_tenant_model

from portal.sms.models import SmsSettings
from portal.sms.shared.models import SmsMonth


@dataclass
class MonthUse:
    name: str
    month: date
    texts: int
    segments: int
    refused: int
    cap: int | None = None

    @property
    def cost_cents(self) -> int:
        """Segments x the provider's price per SMS (SMS_SEGMENT_PRICE_CENTS), in cents."""
        price = Decimal(settings.SMS_SEGMENT_PRICE_CENTS)
        return int((price * self.segments).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    @property
    def capped(self) -> bool:
        return self.refused > 0


def this_month() -> date:
    return timezone.localdate().replace(day=1)


def sms_month_use(*, month: date | None = None) -> MonthUse:
    """The current commune's SMS this month (or ``month``), with its cap."""
    month = month or this_month()
    row = SmsMonth.objects.filter(schema_name=connection.schema_name, month=month).first()
    return MonthUse(
        name=connection.tenant.name,
        month=month,
        texts=row.texts if row else 0,
        segments=row.segments if row else 0,
        refused=row.refused if row else 0,
        cap=SmsSettings.current().monthly_cap,
    )


def sms_use_by_commune(*, month: date | None = None) -> list[MonthUse]:
    """Every commune's SMS in ``month`` (default: this one), most segments first."""
    month = month or this_month()
    rows = list(SmsMonth.objects.filter(month=month).order_by("-segments", "schema_name"))
    names = dict(
        get_tenant_model()
        .objects.filter(schema_name__in=[r.schema_name for r in rows])
        .values_list("schema_name", "name")
    )
    return [
        MonthUse(
            name=names.get(r.schema_name, r.schema_name),
            month=month,
            texts=r.texts,
            segments=r.segments,
            refused=r.refused,
        )
        for r in rows
    ]


def sms_segments_in_year(*, year: int, schema_names: list[str]) -> dict[str, int]:
    """Segments each commune sent in ``year`` (the billing campaign's usage line), one query."""
    rows = (
        SmsMonth.objects.filter(month__year=year, schema_name__in=schema_names)
        .values("schema_name")
        .annotate(total=Sum("segments"))
    )
    return {row["schema_name"]: row["total"] for row in rows if row["total"]}
