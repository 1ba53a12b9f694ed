"""The daily public-schema job (``conventions.daily``): idempotent, a second run the same
day changes nothing (periods and reminders have unique keys; states are checked).

In order: signed conventions whose start has come enter into force; collective thresholds
(seed 004); accepted avenants whose date has come apply; conventions past their last day
end (terminated after a notice, expired otherwise); tacitly renewed ones get their new
period; reminders are owed once (portal.owed, sent by the worker), 30 days before each
party's last day to give notice and 90 days before a fixed term ends; owed documents are
re-queued."""

from datetime import date

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max

from conventions import terms
from conventions.models import Amendment, Convention, ConventionModel, Period, Reminder
from conventions.services.common import mail_after_commit, recipients, record
from conventions.services.documents import documents_owed_requeue
from conventions.services.lifecycle import convention_activate_due, convention_end_due
from conventions.services.notices import amendment_apply
from conventions.services.threshold import threshold_check
from portal.owed.services import owed_issuing, owed_record

State = Convention.State


def conventions_daily(*, today: date) -> dict:
    summary = {
        "activated": 0,
        "thresholds": 0,
        "amendments": 0,
        "ended": 0,
        "renewed": 0,
        "reminders": 0,
        "requeued": 0,
    }
    for convention in Convention.objects.filter(state=State.SIGNED, starts_on__lte=today):
        with transaction.atomic():
            summary["activated"] += convention_activate_due(
                convention=_locked(convention), today=today
            )
    for model in ConventionModel.objects.filter(threshold_cents__isnull=False):
        with transaction.atomic():
            summary["thresholds"] += threshold_check(model=model, today=today) is not None
    for amendment in Amendment.objects.filter(
        state=Amendment.State.ACCEPTED, effective_on__lte=today
    ).select_related("convention"):
        with transaction.atomic():
            _locked(amendment.convention)
            summary["amendments"] += amendment_apply(amendment=amendment, today=today)
    for convention in Convention.objects.filter(
        state__in=(State.ACTIVE, State.SUSPENDED, State.SIGNED), ends_on__lt=today
    ):
        with transaction.atomic():
            summary["ended"] += (
                convention_end_due(convention=_locked(convention), today=today) is not None
            )
    live = list(
        Convention.objects.filter(state__in=(State.ACTIVE, State.SUSPENDED))
        .select_related("model")
        .annotate(last_number=Max("periods__number"), last_day=Max("periods__ends_on"))
    )
    for convention in live:
        summary["renewed"] += _renew(convention, today=today)
    summary["reminders"] = _reminders(live, today=today)
    summary["requeued"] = documents_owed_requeue()
    return summary


def _locked(convention: Convention) -> Convention:
    return (
        Convention.objects.select_for_update(of=("self",))
        .select_related("model", "collectivite")
        .get(pk=convention.pk)
    )


def _renew(convention: Convention, *, today: date) -> int:
    """Tacit renewal (seed 000 art. 10, 001 art. 7, 003): the anniversary is reached and no
    notice ended the convention at the current period's end."""
    rules = terms.Rules.of(convention.model)
    if not rules.tacit_renewal or convention.last_day is None or convention.last_day >= today:
        return 0
    if convention.ends_on is not None and convention.ends_on <= convention.last_day:
        return 0  # a notice (or a fixed term) ends it at that period's end
    current = terms.period_containing(rules, convention.starts_on, today)
    new = 0
    with transaction.atomic():
        convention = _locked(convention)
        for number in range(
            (convention.periods.aggregate(n=Max("number"))["n"] or 0) + 1, current.number + 1
        ):
            period = terms.period_bounds(rules, convention.starts_on, number)
            _, created = Period.objects.get_or_create(
                convention=convention,
                number=number,
                defaults={"starts_on": period.first, "ends_on": period.last},
            )
            if created:
                new += 1
                record(
                    convention,
                    "renewed",
                    number=number,
                    starts_on=period.first,
                    ends_on=period.last,
                )
        if new:
            mail_after_commit(
                convention,
                f"Convention {convention.reference} reconduite",
                f"La convention « {convention.model.name} » de {convention.collectivite.name} est"
                f" reconduite tacitement du {current.first:%d/%m/%Y} au {current.last:%d/%m/%Y}.",
            )
    return new


def _due_reminders(convention: Convention, *, today: date) -> list[tuple[str, date, str]]:
    """(key, due date, text) of the reminders due today for one live convention."""
    rules = terms.Rules.of(convention.model)
    due = []
    period = terms.period_containing(rules, convention.starts_on, today)
    ended_by_notice = convention.ends_on is not None and convention.ends_on <= period.last
    if not ended_by_notice:
        for party, label in (("member", "le membre"), ("operator", "l'opérateur")):
            last_day = terms.notice_last_day(rules, party=party, period_last=period.last)
            if last_day is None or not (terms.notice_reminder_on(last_day) <= today <= last_day):
                continue
            due.append(
                (
                    f"notice-{party}-{last_day.isoformat()}",
                    last_day,
                    f"Dernier jour pour une dénonciation par {label} : {last_day:%d/%m/%Y}"
                    f" (sinon reconduction au-delà du {period.last:%d/%m/%Y}).",
                )
            )
    end = terms.fixed_end(rules, convention.starts_on)
    if end is not None and terms.fixed_end_reminder_on(end) <= today <= end:
        due.append((f"end-{end.isoformat()}", end, f"La convention prend fin le {end:%d/%m/%Y}."))
    return due


def _reminders(live: list[Convention], *, today: date) -> int:
    candidates = {}
    for convention in live:
        for key, due_on, text in _due_reminders(convention, today=today):
            candidates[(convention.pk, key)] = (convention, due_on, text)
    if not candidates:
        return 0
    already = set(
        Reminder.objects.filter(convention_id__in={pk for pk, _ in candidates}).values_list(
            "convention_id", "key"
        )
    )
    count = 0
    for (pk, key), (convention, due_on, text) in candidates.items():
        if (pk, key) in already:
            continue
        with transaction.atomic():
            reminder, created = Reminder.objects.get_or_create(
                convention_id=pk, key=key, defaults={"due_on": due_on, "text": text}
            )
            if created:
                count += 1
                record(convention, "reminder", key=key, due_on=due_on)
                owed_record(
                    kind=Reminder.OWED_KIND,
                    subject_ids=[reminder.pk],
                    task="conventions.reminder_send",
                )
    return count


def reminder_send(*, reminder_id: int) -> bool:
    """Mail an owed reminder to both sides, once (portal.owed); True if sent now."""
    reminder = (
        Reminder.objects.select_related("convention__collectivite").filter(pk=reminder_id).first()
    )
    to = recipients(reminder.convention) if reminder is not None else []
    with owed_issuing(kind=Reminder.OWED_KIND, subject_id=reminder_id) as owed:
        if owed and to:
            send_mail(
                f"Convention {reminder.convention.reference} : échéance à venir",
                reminder.text,
                None,
                to,
            )
    return owed and reminder is not None
