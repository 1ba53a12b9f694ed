from datetime import timedelta

from django.conf import settings

from portal.jobs.registry import public_job, tenant_job
from portal.owed.services import owed_sweep


@tenant_job("owed.sweep")
def sweep() -> dict:
    """Re-queue the documents still owed after a few minutes (lost task, killed worker)."""
    return owed_sweep(older_than=timedelta(seconds=settings.OWED_RESEND_AFTER_SECONDS))


@public_job("owed.sweep_public")
def sweep_public() -> dict:
    """The same in the public schema: the support desk's, conventions' and billing's e-mails."""
    return owed_sweep(older_than=timedelta(seconds=settings.OWED_RESEND_AFTER_SECONDS))
