"""Daily public-schema job: the campaign reminder and overdue reminders (idempotent: each
reminder is owed once per key, so running the job twice a day owes nothing twice; the
worker sends each owed reminder once through portal.owed)."""

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from billing.models import Reminder
from billing.selectors import conventions_without_titre, titre_balance_cents, titres_overdue
from billing.terms import campaign_deadline, campaign_reminder_from
from conventions.models import ConventionModel
from portal.accounts.models import User
from portal.jobs.registry import public_job
from portal.money import euros
from portal.owed.services import owed_issuing, owed_record

# Days past the due date at which an overdue titre gets its reminder (one e-mail per step).
OVERDUE_STEPS = (1, 30, 60)


def _owe(key: str, *, subject: str, body: str, titre=None) -> bool:
    """Owe the reminder named ``key`` unless it is owed already (portal.owed queues its
    send when this commits); True if owed now."""
    with transaction.atomic():
        reminder, created = Reminder.objects.get_or_create(
            key=key, defaults={"titre": titre, "subject": subject, "body": body}
        )
        if created:
            owed_record(
                kind=Reminder.OWED_KIND, subject_ids=[reminder.pk], task="billing.reminder_send"
            )
    return created


def reminder_send(*, reminder_id: int) -> bool:
    """Mail an owed reminder once (portal.owed): to the titre's debtor and the member's
    admins, or to finance staff; True if sent now."""
    from billing.services.titres import _recipients

    reminder = Reminder.objects.select_related("titre").filter(pk=reminder_id).first()
    to = []
    if reminder is not None:
        to = _recipients(reminder.titre) if reminder.titre_id else _finance_emails()
    with owed_issuing(kind=Reminder.OWED_KIND, subject_id=reminder_id) as owed:
        if owed and to:
            EmailMessage(subject=reminder.subject, body=reminder.body, to=to).send()
    return owed and reminder is not None


def _finance_emails() -> list[str]:
    return list(
        User.objects.filter(is_active=True, is_finance=True)
        .order_by("email")
        .values_list("email", flat=True)
    )


def campaign_reminder(*, today) -> int:
    """Seed 002 art. 5: titres by 30 September; finance staff reminded every day from
    1 September while members of a population-share model have no titre for the year."""
    year = today.year
    if not campaign_reminder_from(year) <= today <= campaign_deadline(year):
        return 0
    missing = conventions_without_titre(year=year, pricing=ConventionModel.Pricing.POPULATION_SHARE)
    if not missing or not _finance_emails():
        return 0
    owed = _owe(
        f"campaign-{year}-{today.isoformat()}",
        subject=f"Campagne de facturation {year} : titres à émettre avant le "
        f"{campaign_deadline(year):%d/%m/%Y}",
        body=(
            f"{len(missing)} membre(s) n'ont pas encore leur titre de recette {year}"
            f" (à transmettre au plus tard le {campaign_deadline(year):%d/%m/%Y}) :\n"
            + "\n".join(f"- {c.collectivite.name}" for c in missing[:50])
        ),
    )
    return int(owed)


def overdue_reminders(*, today) -> int:
    owed = 0
    for titre in titres_overdue(today=today):
        late = (today - titre.due_on).days
        step = max((s for s in OVERDUE_STEPS if late >= s), default=None)
        if step is None:
            continue
        owed += _owe(
            f"overdue-{titre.pk}-{step}",
            titre=titre,
            subject=f"Relance : titre n° {titre.reference} impayé",
            body=(
                f"Le titre de recette n° {titre.reference} ({titre.object}) était payable"
                f" au plus tard le {titre.due_on:%d/%m/%Y}. Reste dû :"
                f" {euros(titre_balance_cents(titre))}.\n"
                f"Paiement : {titre.issuer['accountant']}, IBAN {titre.issuer['iban']}.\n"
            ),
        )
    return owed


@public_job("billing.daily")
def billing_daily() -> dict:
    today = timezone.localdate()
    return {
        "campaign_reminders": campaign_reminder(today=today),
        "overdue_reminders": overdue_reminders(today=today),
    }
