"""The periodic tasks celery beat queues (settings.CELERY_BEAT_SCHEDULE): tenant jobs fan out
to every active tenant (jobs.fan_out), public ones run once (jobs.run_public); portal/jobs."""

from celery.schedules import crontab

CELERY_BEAT_SCHEDULE = {
    # Support desk: reminders one hour before due times, idle requests closed, owed
    # e-mails queued again (public schema).
    "support-tick": {
        "task": "support.tick",
        "schedule": crontab(minute="*/5"),
    },
    "outbox-purge": {
        "task": "outbox.purge",
        "schedule": crontab(hour=3, minute=15),
    },
    "jobs-heartbeat": {
        # Each active tenant records that its periodic jobs ran (shown to operators).
        "task": "jobs.fan_out",
        "schedule": crontab(minute="*/15"),
        "kwargs": {"job": "jobs.heartbeat"},
    },
    "rendezvous-reminders": {
        "task": "jobs.fan_out",
        "schedule": crontab(minute="*/10"),
        "kwargs": {"job": "rendezvous.reminders"},
    },
    "rendezvous-sms": {
        # Issue 28: SMS due again (provider errors, quiet hours over), lost claims settled.
        "task": "jobs.fan_out",
        "schedule": crontab(minute="*/5"),
        "kwargs": {"job": "rendezvous.sms"},
    },
    "rendezvous-followups": {
        "task": "jobs.fan_out",
        "schedule": crontab(minute="5-59/15"),
        "kwargs": {"job": "rendezvous.followups"},
    },
    "conventions-daily": {
        # Issue 9: renewals, reminders, amendments and ends due today (public schema).
        "task": "jobs.run_public",
        "schedule": crontab(hour=1, minute=10),
        "kwargs": {"job": "conventions.daily"},
    },
    "billing-daily": {
        # Issue 10: campaign reminder from 1 September (seed 002 art. 5), overdue reminders.
        "task": "jobs.run_public",
        "schedule": crontab(hour=6, minute=40),
        "kwargs": {"job": "billing.daily"},
    },
    "conventions-usage-reports": {
        # Seed 000 art. 8: last year's usage report of each member, every 15 January.
        "task": "jobs.run_public",
        "schedule": crontab(day_of_month=15, month_of_year=1, hour=2, minute=0),
        "kwargs": {"job": "conventions.usage_reports"},
    },
    "owed-sweep": {
        # Issue 8: documents still owed after OWED_RESEND_AFTER_SECONDS are queued again.
        "task": "jobs.fan_out",
        "schedule": crontab(minute="*/5"),
        "kwargs": {"job": "owed.sweep"},
    },
    "owed-sweep-public": {
        # Issue 27: the same for the public schema (support, conventions, billing e-mails).
        "task": "jobs.run_public",
        "schedule": crontab(minute="*/5"),
        "kwargs": {"job": "owed.sweep_public"},
    },
    "sve-implicit-decisions": {
        # CRPA L231-1: each night, implicit acceptances/refusals whose date has passed.
        "task": "jobs.fan_out",
        "schedule": crontab(hour=0, minute=20),
        "kwargs": {"job": "sve.implicit_decisions"},
    },
}
