"""After a titre is notified: the member's contest (seed 002 art. 5) and the correction that
cancels it and issues a new titre (issue 10 §5). Lock order as in billing.services.titres."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from billing.liquidation import liquidate
from billing.models import Contest, Titre, TitreLine
from billing.services.titres import HISTORY_STREAM, issuer_snapshot, titre_create, titre_lines
from billing.terms import exercice_closes_on
from portal.audit.history import history_append
from portal.money import euros


def titre_contest(
    *,
    titre: Titre,
    received_on: date,
    means: str,
    reason: str,
    acting_user,
    today: date | None = None,
) -> Contest:
    """Seed 002 art. 5: a contest received within 8 clear days of receipt; after that the
    titre is deemed accepted and the contest is refused."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Indiquez le motif de la contestation.")
    if received_on > (today or timezone.localdate()):
        raise ValidationError(
            f"La contestation ne peut pas être reçue dans le futur ({received_on:%d/%m/%Y})."
        )
    with transaction.atomic():
        titre = Titre.objects.select_for_update().get(pk=titre.pk)
        if titre.kind != Titre.Kind.TITRE or titre.status == Titre.Status.CANCELLED:
            raise ValidationError("Ce titre est annulé : il ne peut plus être contesté.")
        if titre.status == Titre.Status.CONTESTED:
            raise ValidationError("Ce titre est déjà contesté.")
        if titre.notified_on is None:
            raise ValidationError("Ce titre n'a pas encore été notifié.")
        if received_on < titre.notified_on:
            raise ValidationError("La contestation ne peut pas précéder la notification du titre.")
        if received_on > titre.contest_until:
            raise ValidationError(
                f"Le délai de contestation a expiré le {titre.contest_until:%d/%m/%Y}"
                " (8 jours francs après réception) : le titre est réputé accepté."
            )
        contest = Contest.objects.create(
            titre=titre,
            received_on=received_on,
            means=means,
            reason=reason,
            recorded_by=acting_user,
        )
        titre.status = Titre.Status.CONTESTED
        titre.save(update_fields=["status"])
        history_append(
            stream=HISTORY_STREAM,
            subject=titre,
            action="titre_contested",
            actor=acting_user,
            payload={"received_on": received_on.isoformat(), "means": means, "reason": reason},
        )
        issuer_email = titre.issuer.get("contest_email")
        subject = f"Contestation du titre n° {titre.reference} — {titre.debtor['name']}"
        body = (
            f"{titre.debtor['name']} conteste le titre n° {titre.reference}"
            f" ({euros(titre.total_ttc_cents)}), reçue le {received_on:%d/%m/%Y}.\n\n"
            f"Motif : {reason}\n"
        )
        if issuer_email:
            transaction.on_commit(
                lambda: EmailMessage(subject=subject, body=body, to=[issuer_email]).send()
            )
    return contest


def titre_paid_cents(titre: Titre) -> int:
    return titre.payments.aggregate(total=Sum("amount_cents"))["total"] or 0


def titre_correct(*, titre: Titre, reason: str, acting_user, today: date | None = None):
    """A correction never edits an issued titre: a cancellation titre (its own number,
    referring to the first) then a new titre from the current liquidation (after a
    population override, a corrected tariff...), both in one transaction; payment of the
    new one falls due 30 days after its own notification. Returns (annulation, new)."""
    today = today or timezone.localdate()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Indiquez le motif de la correction.")
    issuer = issuer_snapshot()
    with transaction.atomic():
        titre = (
            Titre.objects.select_for_update().select_related("convention__model").get(pk=titre.pk)
        )
        if titre.kind != Titre.Kind.TITRE or titre.status == Titre.Status.CANCELLED:
            raise ValidationError("Ce titre est déjà annulé : il ne peut pas être corrigé.")
        if today > exercice_closes_on(titre.year):
            raise ValidationError(
                f"L'exercice {titre.year} est clos depuis le"
                f" {exercice_closes_on(titre.year):%d/%m/%Y} : un titre de cet exercice ne peut"
                " plus être annulé par un titre d'annulation (cela relève d'un mandat sur"
                " exercice antérieur, à voir avec le comptable public)."
            )
        if titre_paid_cents(titre):
            raise ValidationError(
                "Ce titre a déjà reçu des paiements : enregistrez leur remboursement avec le"
                " comptable avant de le corriger."
            )
        liquidation = liquidate(year=titre.year, model_ids=[titre.convention.model_id])
        bill = next(
            (m for m in liquidation.members if m.convention.pk == titre.convention_id), None
        )
        errors = liquidation.models[0].errors + (bill.errors if bill else [])
        if bill is None or errors or not bill.lines:
            raise ValidationError(
                "Nouvelle liquidation impossible : " + ("; ".join(errors) or "membre absent.")
            )
        # The cancellation repeats the first titre's lines, to the cent.
        cancelled_lines = [
            TitreLine(
                position=line.position,
                label=line.label,
                basis=f"Annulation — {line.basis}",
                application=line.application,
                quantity=line.quantity,
                unit_cents=line.unit_cents,
                amount_ht_cents=line.amount_ht_cents,
                vat_rate_bp=line.vat_rate_bp,
                vat_cents=line.vat_cents,
                amount_ttc_cents=line.amount_ttc_cents,
            )
            for line in titre.lines.all()
        ]
        annulation = titre_create(
            convention=titre.convention,
            lines=cancelled_lines,
            year=titre.year,
            kind=Titre.Kind.ANNULATION,
            issuer=issuer,
            acting_user=acting_user,
            today=today,
            corrects=titre,
            object_=f"Annulation du titre n° {titre.reference} — {reason}"[:300],
        )
        new = titre_create(
            convention=titre.convention,
            lines=titre_lines(bill),
            year=titre.year,
            kind=Titre.Kind.TITRE,
            issuer=issuer,
            acting_user=acting_user,
            today=today,
            replaces=titre,
            object_=f"{titre.object} (remplace le titre n° {titre.reference})"[:300],
            document=bill.document,
        )
        titre.status = Titre.Status.CANCELLED
        titre.save(update_fields=["status"])
        history_append(
            stream=HISTORY_STREAM,
            subject=titre,
            action="titre_corrected",
            actor=acting_user,
            payload={"reason": reason, "annulation": annulation.reference, "new": new.reference},
        )
        from billing.tasks import deliver_titre

        for issued in (annulation, new):
            transaction.on_commit(lambda pk=issued.pk: deliver_titre.delay(pk))
    return annulation, new
