from celery import shared_task
from django.conf import settings
from django.utils.module_loading import import_string

from portal.jobs.services import job_run
from portal.tasks import send_to_tenant


@shared_task(name="jobs.run")
def run_tenant_job(job: str) -> dict:
    """One job in one tenant; the tenant comes with the task (tenant-schemas-celery header)."""
    run = job_run(job=job)
    return {"run_id": run.pk, "result": run.result}


@shared_task(name="jobs.run_public")
def run_public_job(job: str) -> dict:
    """One public-schema job (sent without a tenant: it runs in the public schema)."""
    run = job_run(job=job)
    return {"run_id": run.pk, "result": run.result}


@shared_task(name="jobs.fan_out")
def fan_out(job: str) -> int:
    """Send one ``jobs.run`` task per active member collectivité; returns how many."""
    # settings.PORTAL_ACTIVE_TENANT_SCHEMAS: the tenants app says which schemas are active.
    schemas = list(import_string(settings.PORTAL_ACTIVE_TENANT_SCHEMAS)())
    for schema_name in schemas:
        send_to_tenant(run_tenant_job, schema_name, job=job)
    return len(schemas)
