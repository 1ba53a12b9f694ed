"""What every conventions service shares: the French error, the history stream, the lock,
mail to both sides after commit, and the sync of ``Collectivite.services``.

Lock order (every service): the convention's row, then its collectivité's row, then the
history head (portal.audit). No lock is held while rendering a PDF or sending mail: those
run after commit (worker, on_commit).
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction

from conventions.models import Convention
from portal.accounts.models import User
from portal.audit.history import history_append
from portal.audit.trail import audit_action
from tenants.models import Collectivite, Membership

STREAM = "conventions"

# The history's action codes, as the audit trail's pages name them (portal.audit.trail).
for _code, _label in {
    "created": "Convention créée",
    "notice": "Dénonciation de convention enregistrée",
    "amendment_requested": "Avenant demandé",
    "sent": "Convention envoyée",
    "signed": "Convention signée",
    "in_force": "Convention en vigueur",
    "suspended": "Convention suspendue",
    "resumed": "Suspension de la convention levée",
    "lapsed": "Convention échue",
    "amendment_applied": "Avenant appliqué",
    "scan_attached": "Exemplaire signé joint",
    "reminder": "Relance de convention",
    "usage_report_requested": "Bilan d'usage demandé",
}.items():
    audit_action(_code, _label)


class ConventionError(ValidationError):
    """A refused change, with a French message; nothing of it was saved."""


def locked(convention: Convention) -> Convention:
    return (
        Convention.objects.select_for_update(of=("self",))
        .select_related("model", "collectivite")
        .get(pk=convention.pk)
    )


def record(convention: Convention, action: str, *, acting_user: User | None = None, **payload):
    return history_append(
        stream=STREAM,
        subject=convention,
        action=action,
        actor=acting_user,
        actor_label="" if acting_user else "tâche quotidienne",
        payload=payload,
    )


def require_state(convention: Convention, allowed: tuple, action: str) -> None:
    if convention.state not in allowed:
        raise ConventionError(
            f"Impossible de {action} : la convention {convention.reference} est à l'état"
            f" « {convention.get_state_display()} »."
        )


def require_platform_admin(acting_user: User | None) -> None:
    # Issue 9: only platform admins act on conventions (members ask; the operator decides).
    if acting_user is not None and not (acting_user.is_active and acting_user.is_platform_admin):
        raise ConventionError("Seul un administrateur de la plateforme peut faire cela.")


def recipients(convention: Convention) -> list[str]:
    """The member's admins and the operator's platform admins (both sides)."""
    member = Membership.objects.filter(
        collectivite_id=convention.collectivite_id, role=Membership.Role.ADMIN, is_active=True
    ).values_list("user__email", flat=True)
    operator = User.objects.filter(is_platform_admin=True, is_active=True).values_list(
        "email", flat=True
    )
    return sorted(set(member) | set(operator))


def mail_after_commit(convention: Convention, subject: str, body: str) -> None:
    to = recipients(convention)
    if to:
        transaction.on_commit(lambda: send_mail(subject, body, None, to))


def collectivite_services_sync(*, collectivite_id: int, today: date) -> list[str]:
    """A member uses what its agreements in force cover: ``Collectivite.services`` becomes
    the applications its active conventions cover today. A member that never had a bound
    convention keeps what onboarding gave it."""
    from conventions.selectors import collectivite_services_on

    if (
        not Convention.objects.filter(collectivite_id=collectivite_id)
        .exclude(state__in=(Convention.State.DRAFT, Convention.State.SENT))
        .exists()
    ):
        return []
    codes = collectivite_services_on(collectivite_id=collectivite_id, day=today)
    Collectivite.objects.filter(pk=collectivite_id).exclude(services=codes).update(services=codes)
    return codes
