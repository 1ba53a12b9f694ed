"""Celery tasks: take ids, call a service, safe to run twice (messages are sent once)."""

from celery import shared_task

from rendezvous.messages import message_send
from rendezvous.models import SentMessage


@shared_task(name="rendezvous.send_confirmation")
def send_confirmation(appointment_id: int) -> bool:
    return message_send(appointment_id=appointment_id, kind=SentMessage.Kind.CONFIRMATION)


@shared_task(name="rendezvous.send_cancellation")
def send_cancellation(appointment_id: int) -> bool:
    return message_send(appointment_id=appointment_id, kind=SentMessage.Kind.CANCELLATION)
