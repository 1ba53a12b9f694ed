from celery import shared_task

from identity.services import account


@shared_task(name="identity.personal_data_export")
def personal_data_export_build(export_id: int) -> None:
    account.personal_data_export_build(export_id=export_id)
