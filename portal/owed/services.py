"""Writes of owed documents: record (with the change), issue (once), sweep (re-queue)."""

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from celery import current_app
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from portal.db import bulk_insert_varying
from portal.owed.models import OwedDocument

logger = logging.getLogger(__name__)

SWEEP_BATCH = 1000
# Up to this many subjects, one message each (the worker pool issues them side by side);
# past it, one message per BATCH of them: a push costs ~0.7 ms, and the implicit-decision
# job owing 10,000 notices spent 7 s of its 8 pushing them one by one (issue 25).
BATCH = 100
# Tasks whose subjects are best issued together (one short transaction for the batch, then
# the side effects side by side): task name -> issuer(subject_ids), registered by the app
# owning the task (rendezvous' SMS). Their subjects queued together go as one batch however
# few; the sweep still queues a subject alone, through the task.
_BATCH_ISSUERS: dict[str, Callable[[list[int]], object]] = {}


def owed_batch_issuer(task: str, issuer: Callable[[list[int]], object]) -> None:
    """Register ``issuer(subject_ids)`` to issue ``task``'s documents for many subjects at
    once, in the worker's current schema; it must be once-only per subject, as the task is
    (``owed_issuing_batch``)."""
    _BATCH_ISSUERS[task] = issuer


def _registered(task: str):
    registered = current_app.tasks.get(task)
    if registered is None:
        # A web process imports the apps' tasks modules only when asked to.
        current_app.loader.import_default_modules()
        registered = current_app.tasks.get(task)
    return registered


def _send(task: str, schema_name: str, subject_id: int) -> None:
    """Queue one issue; through the registered task when there is one (eager mode honoured)."""
    registered = _registered(task)
    headers = {"_schema_name": schema_name}
    if registered is not None:
        registered.apply_async(args=[subject_id], headers=headers)
    else:
        current_app.send_task(task, args=[subject_id], headers=headers)


def _send_batch(task: str, schema_name: str, subject_ids: list[int]) -> None:
    """Queue one message issuing ``task`` for each of ``subject_ids`` (portal/owed/tasks.py)."""
    from portal.owed.tasks import owed_issue_batch

    owed_issue_batch.apply_async(args=[task, subject_ids], headers={"_schema_name": schema_name})


def _queue(*, task: str, schema_name: str, subject_ids: list[int]) -> None:
    """Queue each issue (past BATCH subjects, one message per batch); a broker out of reach
    (Redis down) is logged, not raised: the change has committed with its owed rows, and the
    sweep queues them again later."""
    try:
        batched = task in _BATCH_ISSUERS and len(subject_ids) > 1
        if len(subject_ids) <= BATCH and not batched:
            for subject_id in subject_ids:
                _send(task, schema_name, subject_id)
            return
        for start in range(0, len(subject_ids), BATCH):
            _send_batch(task, schema_name, subject_ids[start : start + BATCH])
    except Exception:  # noqa: BLE001 — kombu and redis-py raise several kinds
        logger.warning("Could not queue %s; the sweep will", task, exc_info=True)


def owed_issue_each(*, task: str, subject_ids: list[int]) -> None:
    """Run ``task`` for each subject in turn, in this process and the current schema (a
    batch's worker), or its batch issuer once for all of them when one is registered
    (``owed_batch_issuer``: an error there leaves the whole batch to its retry or the
    sweep). The task issues through ``owed_issuing``, so a subject issued already is
    skipped. A subject whose issue fails stays owed for the sweep and does not stop the
    others; lost connections stop the batch (its retry skips what was issued), any other
    error is raised once all were tried."""
    from portal.tasks import RETRY_ON

    issue = _registered(task)
    if issue is None:
        raise LookupError(f"No task named {task!r} in this worker")
    if task in _BATCH_ISSUERS:
        _BATCH_ISSUERS[task](subject_ids)
        return
    failure = None
    for subject_id in subject_ids:
        try:
            issue(subject_id)
        except RETRY_ON:
            raise
        except Exception as exc:
            logger.exception("Owed document %s for %s not issued", task, subject_id)
            failure = failure or exc
    if failure is not None:
        raise failure


def owed_record(
    *, kind: str, subject_ids: Iterable[int], task: str, due_at: datetime | None = None
) -> None:
    """Record, in the current transaction, that ``kind`` is owed for each subject, and queue
    ``task(subject_id)`` for each once it commits. Recording twice keeps the first row.
    With ``due_at`` in the future, nothing is queued now: the sweep queues it when due."""
    assert transaction.get_connection().in_atomic_block, "owed_record needs a transaction"
    ids = list(subject_ids)
    if not ids:
        return
    now = timezone.now()
    # One statement for any number of subjects (the implicit-decision job owes 10,000).
    bulk_insert_varying(
        OwedDocument(kind=kind, subject_id=0, task=task, owed_at=now, queued_at=now, due_at=due_at),
        field="subject_id",
        values=ids,
        ignore_conflicts=True,
    )
    if due_at is not None and due_at > now:
        return
    schema_name = connection.schema_name
    transaction.on_commit(lambda: _queue(task=task, schema_name=schema_name, subject_ids=ids))


@contextmanager
def owed_issuing(*, kind: str, subject_id: int) -> Iterator[bool]:
    """A short transaction to issue one owed document: yields True if it is still owed (the
    row is locked until the block ends, then marked issued with whatever the block wrote),
    False if it was issued already. A subject with no row (owed before rows existed) gets
    one here. Lock order: take no other row lock before this one, except the subject's."""
    with transaction.atomic():
        OwedDocument.objects.bulk_create(
            [OwedDocument(kind=kind, subject_id=subject_id, task="")], ignore_conflicts=True
        )
        row = OwedDocument.objects.select_for_update().get(kind=kind, subject_id=subject_id)
        if row.issued_at is not None:
            yield False
            return
        yield True
        OwedDocument.objects.filter(pk=row.pk).update(issued_at=timezone.now())


@contextmanager
def owed_issuing_batch(*, kind: str, subject_ids: list[int]) -> Iterator[list[int]]:
    """``owed_issuing`` for many subjects of one kind, in one short transaction and a fixed
    number of queries: yields the subjects still owed (in the order given), their rows
    locked until the block ends, then marked issued with whatever the block wrote. Subjects
    issued already, or being issued by another worker this instant (row locked), are left
    out: that worker issues them, or the sweep if it fails. Same lock order as
    ``owed_issuing``."""
    with transaction.atomic():
        bulk_insert_varying(
            OwedDocument(kind=kind, subject_id=0, task=""),
            field="subject_id",
            values=list(subject_ids),
            ignore_conflicts=True,
        )
        rows = dict(
            OwedDocument.objects.select_for_update(skip_locked=True)
            .filter(kind=kind, subject_id__in=list(subject_ids), issued_at__isnull=True)
            .order_by("pk")
            .values_list("subject_id", "pk")
        )
        yield [subject_id for subject_id in dict.fromkeys(subject_ids) if subject_id in rows]
        if rows:
            OwedDocument.objects.filter(pk__in=list(rows.values())).update(issued_at=timezone.now())


def owed_settle(*, kind: str, subject_id: int) -> None:
    """Mark a document issued, inside the transaction that issued it (for issuers that
    keep their own once-only guard, such as a unique "sent" row)."""
    OwedDocument.objects.filter(kind=kind, subject_id=subject_id, issued_at__isnull=True).update(
        issued_at=timezone.now()
    )


def owed_sweep(*, older_than: timedelta) -> dict:
    """Re-queue every document of the current tenant still owed and last queued more than
    ``older_than`` ago (its task was lost with a worker or a broker); returns how many."""
    now = timezone.now()
    cutoff = now - older_than
    schema_name = connection.schema_name
    with transaction.atomic():
        rows = list(
            OwedDocument.objects.select_for_update(skip_locked=True)
            .filter(issued_at__isnull=True, queued_at__lte=cutoff)
            .filter(Q(due_at__isnull=True) | Q(due_at__lte=now))
            .exclude(task="")
            .order_by("queued_at")
            .values_list("pk", "task", "subject_id")[:SWEEP_BATCH]
        )
        if not rows:
            return {"requeued": 0}
        OwedDocument.objects.filter(pk__in=[pk for pk, _, _ in rows]).update(
            queued_at=timezone.now(), attempts=F("attempts") + 1
        )
        for _, task, subject_id in rows:
            transaction.on_commit(
                lambda task=task, subject_id=subject_id: _queue(
                    task=task, schema_name=schema_name, subject_ids=[subject_id]
                )
            )
    return {"requeued": len(rows)}
