import traceback

from django.db import connection
from django.utils import timezone

from portal.jobs.models import JobRun
from portal.jobs.registry import PUBLIC, TENANT, get_job


def job_run(*, job: str) -> JobRun:
    """Run a registered job in the current schema and record the run there: a tenant job
    inside a tenant's schema, a public job in the public schema (never the other way).

    The job itself must be idempotent (status checks, unique constraints): Celery may deliver
    the same task twice (late acknowledgement)."""
    scope = PUBLIC if connection.schema_name == "public" else TENANT
    func = get_job(job, scope=scope)
    run = JobRun.objects.create(job=job)
    try:
        run.result = func() or {}
        run.status = JobRun.Status.DONE
    except Exception:
        run.status = JobRun.Status.FAILED
        run.error = traceback.format_exc()
        raise
    finally:
        run.finished_at = timezone.now()
        run.save(update_fields=["result", "status", "error", "finished_at"])
    return run
