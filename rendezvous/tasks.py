"""Celery tasks: take ids, call a service, safe to run twice (messages are sent once)."""

from celery import shared_task

from rendezvous import sms
from rendezvous.messages import message_send
from rendezvous.models import MessageKind


@shared_task(name="rendezvous.send_confirmation")
def send_confirmation(appointment_id: int) -> bool:
    return message_send(appointment_id=appointment_id, kind=MessageKind.CONFIRMATION)


@shared_task(name="rendezvous.send_cancellation")
def send_cancellation(appointment_id: int) -> bool:
    return message_send(appointment_id=appointment_id, kind=MessageKind.CANCELLATION)


@shared_task(name="rendezvous.send_reminder")
def send_reminder(appointment_id: int) -> bool:
    return message_send(appointment_id=appointment_id, kind=MessageKind.REMINDER)


@shared_task(name="rendezvous.send_followup")
def send_followup(appointment_id: int) -> bool:
    return message_send(appointment_id=appointment_id, kind=MessageKind.FOLLOWUP)


def _status(text) -> str | None:
    return text.status if text is not None else None


@shared_task(name="rendezvous.sms_confirmation")
def sms_confirmation(appointment_id: int) -> str | None:
    return _status(sms.sms_issue(appointment_id=appointment_id, kind=sms.CONFIRMATION))


@shared_task(name="rendezvous.sms_reminder")
def sms_reminder(appointment_id: int) -> str | None:
    return _status(sms.sms_issue(appointment_id=appointment_id, kind=sms.REMINDER))


@shared_task(name="rendezvous.sms_cancellation")
def sms_cancellation(appointment_id: int) -> str | None:
    return _status(sms.sms_issue(appointment_id=appointment_id, kind=sms.CANCELLATION))


@shared_task(name=sms.DELIVER_TASK)
def sms_deliver_task(text_id: int) -> str | None:
    return _status(sms.sms_deliver(text_id=text_id))


@shared_task(name=sms.CAP_NOTICE)
def sms_cap_notice(month_key: int) -> bool:
    return sms.sms_cap_notice(month_key=month_key)
