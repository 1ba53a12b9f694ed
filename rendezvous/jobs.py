"""Periodic jobs (one run per commune, through jobs.fan_out in CELERY_BEAT_SCHEDULE)."""

from portal.jobs.registry import tenant_job
from rendezvous.messages import followups_send, reminders_send
from rendezvous.sms import sms_sweep


@tenant_job("rendezvous.reminders")
def reminders() -> dict:
    return reminders_send()


@tenant_job("rendezvous.followups")
def followups() -> dict:
    return followups_send()


@tenant_job("rendezvous.sms")
def sms() -> dict:
    return sms_sweep()
