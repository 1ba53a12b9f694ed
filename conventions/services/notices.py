"""Notices (dénonciations) and amendments (avenants).

A notice is always recorded, never refused for being late: its effect is computed at once
(conventions.terms) and shown; a late notice says the date it takes effect instead. An
amendment asked by the member gets a number, its answer due date, its effective date and a
PDF; accepted, it changes the covered applications on its effective date (daily job)."""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from conventions import terms
from conventions.models import Amendment, Application, Convention, ConventionApplication, Notice
from conventions.services.common import (
    ConventionError,
    collectivite_services_sync,
    locked,
    mail_after_commit,
    record,
    require_platform_admin,
    require_state,
)
from conventions.services.documents import document_owe, letter_attach
from portal.accounts.models import User

State = Convention.State
NOTICEABLE = (State.SIGNED, State.ACTIVE, State.SUSPENDED)


@transaction.atomic
def notice_record(
    *,
    convention: Convention,
    party: str,
    received_on: date,
    means: str,
    acting_user: User,
    kind: str = Notice.Kind.ORDINARY,
    reason: str = "",
    letter=None,
    tariff_notified_on: date | None = None,
    from_member: bool = False,
) -> Notice:
    """Record a notice and its effect: the convention's last day becomes the effect's
    ``ends_on`` (the earliest one wins). ``from_member``: filed by the commune's admin in its
    back office (the member's own notice, received that day through the portal)."""
    if not from_member:
        require_platform_admin(acting_user)
    convention = locked(convention)
    require_state(convention, NOTICEABLE, "enregistrer une dénonciation")
    if party not in Notice.Party.values or means not in Notice.Means.values:
        raise ConventionError("Partie ou moyen de dénonciation inconnu.")
    if convention.signed_on and received_on < convention.signed_on:
        raise ConventionError(
            f"Une dénonciation ne peut pas être reçue le {received_on:%d/%m/%Y}, avant la"
            f" signature de la convention ({convention.signed_on:%d/%m/%Y})."
        )
    if received_on > timezone.localdate():
        raise ConventionError("La date de réception ne peut pas être dans le futur.")
    rules = terms.Rules.of(convention.model)
    try:
        effect = terms.notice_effect(
            rules,
            starts_on=convention.starts_on or convention.signed_on,
            party=party,
            received_on=received_on,
            kind=kind,
            tariff_notified_on=tariff_notified_on,
        )
    except ValueError:
        raise ConventionError(
            "Le modèle de cette convention ne prévoit pas ce type de dénonciation."
        ) from None
    document = letter_attach(convention=convention, uploaded=letter) if letter else None
    notice = Notice.objects.create(
        convention=convention,
        party=party,
        kind=kind,
        received_on=received_on,
        means=means,
        on_time=effect.on_time,
        ends_on=effect.ends_on,
        reason=reason.strip(),
        letter=document,
        created_by=acting_user,
    )
    if convention.ends_on is None or effect.ends_on < convention.ends_on:
        convention.ends_on = effect.ends_on
        convention.save(update_fields=["ends_on"])
    record(
        convention,
        "notice",
        acting_user=acting_user,
        party=party,
        kind=kind,
        received_on=received_on,
        on_time=effect.on_time,
        ends_on=effect.ends_on,
        last_day=effect.last_day,
    )
    late = "" if effect.on_time else " (reçue après le dernier jour pour l'échéance en cours)"
    mail_after_commit(
        convention,
        f"Dénonciation de la convention {convention.reference}",
        f"Une dénonciation reçue le {received_on:%d/%m/%Y}{late} met fin à la convention"
        f" « {convention.model.name} » au {effect.ends_on:%d/%m/%Y} inclus.",
    )
    return notice


def _next_number(convention: Convention) -> int:
    return (convention.amendments.aggregate(n=Max("number"))["n"] or 0) + 1


@transaction.atomic
def amendment_request(
    *,
    convention: Convention,
    add: list[Application],
    remove: list[Application],
    requested_on: date,
    acting_user: User,
    effective_on: date | None = None,
    note: str = "",
) -> Amendment:
    """A request to add or remove applications becomes a numbered avenant (seed 002 art. 9:
    answered within one month, applies on 1 January next). Its PDF is owed."""
    convention = locked(convention)
    require_state(convention, (State.SIGNED, State.ACTIVE), "demander un avenant")
    if not add and not remove:
        raise ConventionError("Choisissez au moins une application à ajouter ou à retirer.")
    allowed = set(convention.model.applications.values_list("pk", flat=True))
    outside = [app.label for app in add + remove if app.pk not in allowed]
    if outside:
        raise ConventionError(
            f"Application(s) hors du modèle « {convention.model.name} » : {', '.join(outside)}."
        )
    if set(a.pk for a in add) & set(a.pk for a in remove):
        raise ConventionError("Une même application ne peut pas être ajoutée et retirée.")
    if convention.signed_on and requested_on < convention.signed_on:
        raise ConventionError("La demande ne peut pas précéder la signature de la convention.")
    rules = terms.Rules.of(convention.model)
    try:
        dates = terms.amendment_dates(rules, requested_on=requested_on, effective_on=effective_on)
    except ValueError:
        raise ConventionError("Indiquez la date de prise d'effet de l'avenant.") from None
    if dates.effective_on < requested_on:
        raise ConventionError("Un avenant ne peut pas prendre effet avant sa demande.")
    if convention.ends_on and dates.effective_on > convention.ends_on:
        raise ConventionError(
            f"L'avenant prendrait effet le {dates.effective_on:%d/%m/%Y}, après la fin de la"
            f" convention ({convention.ends_on:%d/%m/%Y})."
        )
    amendment = Amendment.objects.create(
        convention=convention,
        number=_next_number(convention),
        requested_on=requested_on,
        answer_due_on=dates.answer_due_on,
        effective_on=dates.effective_on,
        note=note.strip(),
        created_by=acting_user,
    )
    amendment.add.set(add)
    amendment.remove.set(remove)
    document_owe(convention=convention, kind="amendment", amendment=amendment)
    record(
        convention,
        "amendment_requested",
        acting_user=acting_user,
        number=amendment.number,
        add=[a.code for a in add],
        remove=[a.code for a in remove],
        effective_on=dates.effective_on,
        answer_due_on=dates.answer_due_on,
    )
    mail_after_commit(
        convention,
        f"Avenant n°{amendment.number} à la convention {convention.reference}",
        f"Demande reçue le {requested_on:%d/%m/%Y} ; réponse due le"
        f" {dates.answer_due_on:%d/%m/%Y} ; prise d'effet le {dates.effective_on:%d/%m/%Y}.",
    )
    return amendment


@transaction.atomic
def amendment_answer(
    *, amendment: Amendment, accept: bool, acting_user: User, today: date | None = None
) -> Amendment:
    require_platform_admin(acting_user)
    today = today or timezone.localdate()
    locked(amendment.convention)
    amendment = Amendment.objects.select_for_update().get(pk=amendment.pk)
    if amendment.state != Amendment.State.REQUESTED:
        raise ConventionError(f"L'avenant n°{amendment.number} a déjà reçu une réponse.")
    amendment.state = Amendment.State.ACCEPTED if accept else Amendment.State.REFUSED
    amendment.answered_on = today
    amendment.save(update_fields=["state", "answered_on"])
    record(
        amendment.convention,
        "amendment_" + amendment.state,
        acting_user=acting_user,
        number=amendment.number,
    )
    if accept and amendment.effective_on <= today:
        amendment_apply(amendment=amendment, today=today)
    return amendment


def amendment_apply(*, amendment: Amendment, today: date) -> bool:
    """On its effective date (not before), an accepted avenant changes the covered
    applications: removed ones stop the day before, added ones start that day."""
    if amendment.state != Amendment.State.ACCEPTED or amendment.effective_on > today:
        return False
    convention = amendment.convention
    day = amendment.effective_on
    removed = list(amendment.remove.values_list("pk", flat=True))
    ConventionApplication.objects.filter(
        Q(applies_to__isnull=True) | Q(applies_to__gte=day),
        convention=convention,
        application_id__in=removed,
    ).update(applies_to=day - timedelta(days=1))
    for application in amendment.add.all():
        ConventionApplication.objects.create(
            convention=convention,
            application=application,
            applies_from=day,
            applies_to=convention.ends_on,
            amendment=amendment,
        )
    Amendment.objects.filter(pk=amendment.pk).update(state=Amendment.State.APPLIED)
    amendment.state = Amendment.State.APPLIED
    record(convention, "amendment_applied", number=amendment.number, effective_on=day)
    collectivite_services_sync(collectivite_id=convention.collectivite_id, today=today)
    return True
