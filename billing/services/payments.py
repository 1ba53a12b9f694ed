"""Payments received by the public accountant, recorded against a titre."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from billing.models import Payment, Titre
from billing.selectors import titre_balance_cents
from billing.services.titres import HISTORY_STREAM
from portal.audit.history import history_append
from portal.money import euros


def _check_paid_on(titre: Titre, paid_on: date, today: date) -> None:
    """A payment is recorded once received: not dated in the future, nor before the titre
    it pays was issued."""
    if paid_on > today:
        raise ValidationError(
            f"La date de paiement ({paid_on:%d/%m/%Y}) est dans le futur : enregistrez le"
            " paiement une fois reçu."
        )
    if paid_on < titre.issued_on:
        raise ValidationError(
            f"La date de paiement ({paid_on:%d/%m/%Y}) précède l'émission du titre"
            f" ({titre.issued_on:%d/%m/%Y})."
        )


def payment_record(
    *,
    titre: Titre,
    paid_on: date,
    amount_cents: int,
    reference: str,
    acting_user,
    today: date | None = None,
) -> Payment:
    """A payment (partial allowed) never above the balance, on a titre still owed."""
    today = today or timezone.localdate()
    if amount_cents <= 0:
        raise ValidationError("Le montant d'un paiement doit être positif.")
    with transaction.atomic():
        titre = Titre.objects.select_for_update().get(pk=titre.pk)
        if titre.kind != Titre.Kind.TITRE or titre.status == Titre.Status.CANCELLED:
            raise ValidationError("Ce titre est annulé : aucun paiement ne peut y être imputé.")
        _check_paid_on(titre, paid_on, today)
        balance = titre_balance_cents(titre)
        if amount_cents > balance:
            raise ValidationError(
                f"Le paiement ({euros(amount_cents)}) dépasse le solde restant dû"
                f" ({euros(balance)})."
            )
        payment = Payment.objects.create(
            titre=titre,
            paid_on=paid_on,
            amount_cents=amount_cents,
            reference=reference.strip(),
            recorded_by=acting_user,
        )
        history_append(
            stream=HISTORY_STREAM,
            subject=titre,
            action="payment_recorded",
            actor=acting_user,
            payload={
                "amount_cents": amount_cents,
                "paid_on": paid_on.isoformat(),
                "reference": payment.reference,
                "balance_cents": balance - amount_cents,
            },
        )
    return payment
