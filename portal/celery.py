import os

from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections
from tenant_schemas_celery.app import CeleryApp

# Whether the process was given its settings: `python -m portal.embedded run -- CMD` imports
# this package, and must not hand CMD the default below (pytest would then run the suite on
# portal.settings instead of its own portal.settings_test).
SETTINGS_GIVEN = "DJANGO_SETTINGS_MODULE" in os.environ
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = CeleryApp("portal", task_cls="portal.tasks:PortalTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["portal.outbox", "portal.jobs", "portal.owed"])


@task_prerun.connect
@task_postrun.connect
def connections_checked(sender=None, **kwargs) -> None:
    """Around each task, as Django does around each request: a connection that failed, or
    is older than CONN_MAX_AGE, is closed; a sound one serves the next task (the worker
    keeps it: CELERY_DB_REUSE_MAX in settings.py)."""
    if sender is not None and not getattr(sender.request, "is_eager", False):
        close_old_connections()


def queue_drop(queue: str) -> None:
    """Remove ``queue`` and the messages waiting in it (tests and benches, on their own
    queues). Kombu's ``queue_delete`` on Redis empties the list only where the process
    itself declared the queue (it reads its own table of bindings): the queue of a worker
    process kept its messages, so they are purged first."""
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(queue)
        conn.default_channel.queue_delete(queue)
