"""Daily public-schema job: the campaign reminder and overdue reminders (idempotent: each
reminder has a unique key, so running the job twice a day sends nothing twice)."""

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from billing.models import Reminder
from billing.selectors import conventions_without_titre, titre_balance_cents, titres_overdue
from billing.terms import campaign_deadline, campaign_reminder_from
from conventions.models import ConventionModel
from portal.accounts.models import User
from portal.jobs.registry import public_job
from portal.money import euros

# Days past the due date at which an overdue titre gets its reminder (one e-mail per step).
OVERDUE_STEPS = (1, 30, 60)


def _once(key: str, titre=None) -> bool:
    try:
        with transaction.atomic():
            Reminder.objects.create(key=key, titre=titre)
        return True
    except IntegrityError:
        return False


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
    recipients = _finance_emails()
    if not missing or not recipients or not _once(f"campaign-{year}-{today.isoformat()}"):
        return 0
    EmailMessage(
        subject=f"Campagne de facturation {year} : titres à émettre avant le "
        f"{campaign_deadline(year):%d/%m/%Y}",
        body=(
            f"{len(missing)} membre(s) n'ont pas encore leur titre de recette {year}"
            f" (à transmettre au plus tard le {campaign_deadline(year):%d/%m/%Y}) :\n"
            + "\n".join(f"- {c.collectivite.name}" for c in missing[:50])
        ),
        to=recipients,
    ).send()
    return 1


def overdue_reminders(*, today) -> int:
    sent = 0
    for titre in titres_overdue(today=today):
        late = (today - titre.due_on).days
        step = max((s for s in OVERDUE_STEPS if late >= s), default=None)
        if step is None or not _once(f"overdue-{titre.pk}-{step}", titre=titre):
            continue
        from billing.services.titres import _recipients

        recipients = _recipients(titre)
        if recipients:
            EmailMessage(
                subject=f"Relance : titre n° {titre.reference} impayé",
                body=(
                    f"Le titre de recette n° {titre.reference} ({titre.object}) était payable"
                    f" au plus tard le {titre.due_on:%d/%m/%Y}. Reste dû :"
                    f" {euros(titre_balance_cents(titre))}.\n"
                    f"Paiement : {titre.issuer['accountant']}, IBAN {titre.issuer['iban']}.\n"
                ),
                to=recipients,
            ).send()
        sent += 1
    return sent


@public_job("billing.daily")
def billing_daily() -> dict:
    today = timezone.localdate()
    return {
        "campaign_reminders": campaign_reminder(today=today),
        "overdue_reminders": overdue_reminders(today=today),
    }
