"""Celery conventions shared by every app.

Retry policy (every task): a task that fails on a lost database or broker connection is
retried with exponential backoff (1 s, 2 s, 4 s ... capped at 10 minutes, with jitter), at
most 5 times; other exceptions are bugs and fail at once. Tasks are acknowledged late, so a
task whose worker dies is delivered again: every task must be safe to run twice.
"""

from celery import Task
from django.db import InterfaceError, OperationalError, connection
from kombu.exceptions import OperationalError as BrokerError
from tenant_schemas_celery.app import get_schema_name_from_task
from tenant_schemas_celery.task import TenantTask

RETRY_ON = (OperationalError, InterfaceError, BrokerError, ConnectionError, TimeoutError)


class PortalTask(TenantTask):
    autoretry_for = RETRY_ON
    retry_backoff = True
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 5
    acks_late = True

    def __call__(self, *args, **kwargs):
        # tenant-schemas-celery switches schema in a task_prerun signal whose errors Celery
        # only logs: never let a task run in another schema than the one it was sent for.
        if not (self.request.is_eager or self.request.called_directly):
            expected = get_schema_name_from_task(self, kwargs) or "public"
            if connection.schema_name != expected:
                raise OperationalError(
                    f"Task {self.name} was sent for schema {expected!r} but runs in "
                    f"{connection.schema_name!r}: the switch failed; retrying"
                )
        return super().__call__(*args, **kwargs)


def send_to_tenant(task: Task, schema_name: str, *args, **kwargs):
    """Queue ``task`` to run inside ``schema_name``, whatever schema is active here."""
    return task.apply_async(args=args, kwargs=kwargs, headers={"_schema_name": schema_name})
