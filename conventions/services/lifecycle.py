"""A convention's life: draft → sent for signature → signed → in force (or waiting for the
collective threshold) → suspended ↔ in force → terminated or expired. Each transition is
one transaction, allowed only from the right state and only to platform admins, and
recorded in the "conventions" history stream."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from conventions import terms
from conventions.models import (
    Application,
    Convention,
    ConventionApplication,
    ConventionModel,
    Document,
    Period,
)
from conventions.services.common import (
    ConventionError,
    collectivite_services_sync,
    locked,
    mail_after_commit,
    record,
    require_platform_admin,
    require_state,
)
from conventions.services.documents import document_owe
from portal.accounts.models import User
from tenants.models import Collectivite
from tenants.services import collectivite_lift_suspension, collectivite_suspend

State = Convention.State


def _check_applications(model: ConventionModel, applications: list[Application]) -> None:
    allowed = set(model.applications.values_list("pk", flat=True))
    outside = [app.label for app in applications if app.pk not in allowed]
    if outside:
        raise ConventionError(
            f"Application(s) hors du modèle « {model.name} » : {', '.join(outside)}."
        )


@transaction.atomic
def convention_create(
    *,
    model: ConventionModel,
    collectivite: Collectivite,
    acting_user: User | None,
    applications: list[Application] | None = None,
    commitment_cents: int | None = None,
    member_signatory: str = "",
    member_signatory_title: str = "",
    operator_signatory: str = "",
    operator_signatory_title: str = "",
) -> Convention:
    """A draft convention of ``model`` for ``collectivite`` (all the model's applications
    unless a subset is given)."""
    require_platform_admin(acting_user)
    if collectivite.schema_name == "public":
        raise ConventionError("L'opérateur ne conclut pas de convention avec lui-même.")
    if applications is None:
        applications = list(model.applications.all())
    if not applications:
        raise ConventionError("Choisissez au moins une application.")
    _check_applications(model, applications)
    if model.has_threshold and not commitment_cents:
        # Seed 004 art. 4: each member commits to its contribution.
        raise ConventionError("Indiquez l'engagement financier du membre (en euros TTC).")
    if commitment_cents is not None and commitment_cents < 0:
        raise ConventionError("L'engagement financier ne peut pas être négatif.")
    convention = Convention.objects.create(
        model=model,
        collectivite=collectivite,
        commitment_cents=commitment_cents,
        member_signatory=member_signatory,
        member_signatory_title=member_signatory_title,
        operator_signatory=operator_signatory,
        operator_signatory_title=operator_signatory_title,
        created_by=acting_user,
    )
    ConventionApplication.objects.bulk_create(
        [ConventionApplication(convention=convention, application=app) for app in applications]
    )
    record(
        convention,
        "created",
        acting_user=acting_user,
        model=model.code,
        collectivite=collectivite.slug,
        applications=[app.code for app in applications],
    )
    return convention


@transaction.atomic
def convention_send(*, convention: Convention, acting_user: User | None) -> Convention:
    """Sent for signature: the agreement's PDF is owed (issued once by the worker)."""
    require_platform_admin(acting_user)
    convention = locked(convention)
    require_state(convention, (State.DRAFT,), "l'envoyer pour signature")
    convention.state = State.SENT
    convention.save(update_fields=["state"])
    document_owe(convention=convention, kind=Document.Kind.AGREEMENT)
    record(convention, "sent", acting_user=acting_user)
    mail_after_commit(
        convention,
        f"Convention {convention.reference} à signer",
        f"La convention « {convention.model.name} » de {convention.collectivite.name} est"
        " envoyée pour signature. Le document est disponible dans l'espace de gestion.",
    )
    return convention


@transaction.atomic
def convention_sign(
    *,
    convention: Convention,
    signed_on: date,
    acting_user: User | None,
    starts_on: date | None = None,
    today: date | None = None,
) -> Convention:
    """Record the signature. Seed 000 art. 10: in force from its signature unless the
    agreement sets a start (seed 002: 1 January 2022); seed 004 art. 5: a model with a
    collective threshold waits for it."""
    require_platform_admin(acting_user)
    today = today or timezone.localdate()
    convention = locked(convention)
    require_state(convention, (State.DRAFT, State.SENT), "enregistrer la signature")
    if signed_on > today:
        raise ConventionError("La date de signature ne peut pas être dans le futur.")
    model = convention.model
    if model.has_threshold:
        if model.threshold_last_day and signed_on > model.threshold_last_day:
            raise ConventionError(
                "Signature trop tardive : les engagements devaient être signés au plus tard le"
                f" {model.threshold_last_day:%d/%m/%Y} (seuil collectif)."
            )
        convention.state = State.WAITING_THRESHOLD
    else:
        convention.state = State.SIGNED
        convention.starts_on = starts_on or signed_on
    convention.signed_on = signed_on
    try:
        with transaction.atomic():
            convention.save(update_fields=["state", "signed_on", "starts_on"])
    except IntegrityError:
        raise ConventionError(
            f"{convention.collectivite.name} a déjà une convention « {model.name} » signée ou"
            " en vigueur : terminez-la avant d'en signer une autre."
        ) from None
    record(
        convention,
        "signed",
        acting_user=acting_user,
        signed_on=signed_on,
        starts_on=convention.starts_on,
    )
    if convention.state == State.SIGNED and convention.starts_on <= today:
        _activate(convention, acting_user=acting_user, today=today)
    if model.has_threshold:
        from conventions.services.threshold import threshold_check

        threshold_check(model=model, today=today)
    return convention


def _activate(convention: Convention, *, acting_user: User | None, today: date) -> None:
    """In force from ``starts_on``: its first period, its applications, its fixed end."""
    rules = terms.Rules.of(convention.model)
    convention.state = State.ACTIVE
    end = terms.fixed_end(rules, convention.starts_on)
    if end is not None and (convention.ends_on is None or end < convention.ends_on):
        convention.ends_on = end
    convention.save(update_fields=["state", "ends_on", "starts_on"])
    first = terms.period_bounds(rules, convention.starts_on, 1)
    Period.objects.get_or_create(
        convention=convention,
        number=1,
        defaults={"starts_on": first.first, "ends_on": min(first.last, end or first.last)},
    )
    convention.coverages.filter(applies_from__isnull=True).update(applies_from=convention.starts_on)
    record(
        convention, "in_force", acting_user=acting_user, starts_on=convention.starts_on, ends_on=end
    )
    collectivite_services_sync(collectivite_id=convention.collectivite_id, today=today)


def convention_activate_due(*, convention: Convention, today: date) -> bool:
    """Signed conventions whose start date has come enter into force (daily job)."""
    if convention.state != State.SIGNED or convention.starts_on > today:
        return False
    _activate(convention, acting_user=None, today=today)
    return True


@transaction.atomic
def convention_suspend(
    *, convention: Convention, reason: str, acting_user: User | None
) -> Convention:
    """Seed 000 art. 13: after a formal notice, access may be suspended; the member's back
    office is blocked with the reason, as a suspension of the collectivité is."""
    require_platform_admin(acting_user)
    reason = (reason or "").strip()
    if not reason:
        raise ConventionError(
            "Indiquez le motif de la suspension (mise en demeure restée sans effet…)."
        )
    convention = locked(convention)
    require_state(convention, (State.ACTIVE,), "la suspendre")
    convention.state = State.SUSPENDED
    convention.state_reason = reason
    convention.save(update_fields=["state", "state_reason"])
    collectivite = convention.collectivite
    if collectivite.status == Collectivite.Status.ACTIVE:
        collectivite_suspend(
            collectivite=collectivite,
            reason=f"Convention {convention.reference} suspendue : {reason}",
            acting_user=acting_user,
        )
    record(convention, "suspended", acting_user=acting_user, reason=reason)
    mail_after_commit(
        convention,
        f"Convention {convention.reference} suspendue",
        f"L'accès est suspendu. Motif : {reason}",
    )
    return convention


@transaction.atomic
def convention_resume(
    *, convention: Convention, acting_user: User | None, reason: str = ""
) -> Convention:
    require_platform_admin(acting_user)
    convention = locked(convention)
    require_state(convention, (State.SUSPENDED,), "lever la suspension")
    convention.state = State.ACTIVE
    convention.state_reason = ""
    convention.save(update_fields=["state", "state_reason"])
    collectivite = convention.collectivite
    still_suspended = Convention.objects.filter(
        collectivite=collectivite, state=State.SUSPENDED
    ).exists()
    if collectivite.status == Collectivite.Status.SUSPENDED and not still_suspended:
        collectivite_lift_suspension(
            collectivite=collectivite, acting_user=acting_user, reason=reason
        )
    record(convention, "resumed", acting_user=acting_user, reason=reason)
    return convention


def convention_end_due(*, convention: Convention, today: date) -> str | None:
    """Past its last day, a convention ends: terminated when a notice ended it, expired
    otherwise (fixed term, lapse). Its applications stop on that day (daily job)."""
    if convention.ends_on is None or convention.ends_on >= today:
        return None
    if convention.state not in (State.ACTIVE, State.SUSPENDED, State.SIGNED):
        return None
    noticed = convention.notices.filter(withdrawn=False, ends_on=convention.ends_on).exists()
    convention.state = State.TERMINATED if noticed else State.EXPIRED
    convention.save(update_fields=["state"])
    convention.coverages.filter(applies_to__isnull=True).update(applies_to=convention.ends_on)
    convention.coverages.filter(applies_to__gt=convention.ends_on).update(
        applies_to=convention.ends_on
    )
    record(convention, convention.state, ends_on=convention.ends_on)
    collectivite_services_sync(collectivite_id=convention.collectivite_id, today=today)
    mail_after_commit(
        convention,
        f"Convention {convention.reference} terminée",
        f"La convention « {convention.model.name} » a pris fin le"
        f" {convention.ends_on:%d/%m/%Y} ({convention.get_state_display().lower()}).",
    )
    return convention.state


@transaction.atomic
def convention_sign_with_scan(
    *,
    convention: Convention,
    signed_on: date,
    acting_user: User | None,
    starts_on: date | None = None,
    scan=None,
) -> Convention:
    """The signature and, when given, its scan: both or neither."""
    from conventions.services.documents import convention_scan_attach

    convention = convention_sign(
        convention=convention, signed_on=signed_on, starts_on=starts_on, acting_user=acting_user
    )
    if scan is not None:
        convention_scan_attach(convention=convention, uploaded=scan, acting_user=acting_user)
    return convention


# Which of the convention page's actions each state allows (the services check again).
ACTIONS_BY_STATE = {
    State.DRAFT: ("send", "sign"),
    State.SENT: ("sign", "scan"),
    State.SIGNED: ("scan", "notice", "amendment"),
    State.WAITING_THRESHOLD: ("scan",),
    State.ACTIVE: ("scan", "suspend", "notice", "amendment", "report"),
    State.SUSPENDED: ("resume", "notice", "report"),
    State.TERMINATED: ("report",),
    State.EXPIRED: ("report",),
}


def convention_actions(convention: Convention) -> set[str]:
    actions = set(ACTIONS_BY_STATE.get(convention.state, ()))
    if not convention.model.usage_report:
        actions.discard("report")
    if convention.model.notice_rule == ConventionModel.NoticeRule.NONE:
        actions.discard("notice")
    return actions
