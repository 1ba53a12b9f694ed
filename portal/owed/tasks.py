"""The task that issues owed documents in batches (see ``BATCH`` in services.py)."""

from celery import shared_task

from portal.owed.services import owed_issue_each


@shared_task(name="owed.issue_batch")
def owed_issue_batch(task: str, subject_ids: list[int]) -> int:
    """Issue ``task``'s document for each subject, inside the schema the batch was sent for;
    safe to run twice (each issue is once-only)."""
    owed_issue_each(task=task, subject_ids=subject_ids)
    return len(subject_ids)
