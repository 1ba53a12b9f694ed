from django.utils import timezone

from conventions.services import conventions_daily
from portal.jobs.registry import public_job


@public_job("conventions.daily")
def daily() -> dict:
    """Renewals, reminders, avenants and ends due today (issue 9 §5); idempotent."""
    return conventions_daily(today=timezone.localdate())


@public_job("conventions.usage_reports")
def usage_reports() -> dict:
    """Seed 000 art. 8: each January, last year's usage report of every member."""
    from conventions.services.reports import usage_reports_yearly

    return {"owed": usage_reports_yearly(year=timezone.localdate().year - 1)}
