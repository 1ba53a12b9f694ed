from celery import shared_task

from billing.services import campaign_run, titre_deliver


@shared_task(name="billing.run_campaign")
def run_campaign(campaign_id: int) -> dict:
    """Public schema: sent without a tenant."""
    return campaign_run(campaign_id=campaign_id)


@shared_task(name="billing.deliver_titre")
def deliver_titre(titre_id: int) -> None:
    titre_deliver(titre_id=titre_id)


@shared_task(name="billing.reminder_send")
def reminder_send(reminder_id: int) -> bool:
    """Public schema: mail an owed reminder once (billing/jobs.py)."""
    from billing.jobs import reminder_send as _reminder_send

    return _reminder_send(reminder_id=reminder_id)
