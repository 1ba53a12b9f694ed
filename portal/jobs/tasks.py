from celery import shared_task

from portal.jobs.services import job_run
from portal.tasks import send_to_tenant
from tenants.models import Collectivite


@shared_task(name="jobs.run")
def run_tenant_job(job: str) -> dict:
    """One job in one tenant; the tenant comes with the task (tenant-schemas-celery header)."""
    run = job_run(job=job)
    return {"run_id": run.pk, "result": run.result}


@shared_task(name="jobs.fan_out")
def fan_out(job: str) -> int:
    """Send one ``jobs.run`` task per active member collectivité; returns how many."""
    schemas = list(Collectivite.objects.active().values_list("schema_name", flat=True))
    for schema_name in schemas:
        send_to_tenant(run_tenant_job, schema_name, job=job)
    return len(schemas)
