"""Collective entry into force (seed 004 art. 5) and the refund of unused funds (art. 4)."""

from datetime import date

from django.db.models import Sum

from conventions import terms
from conventions.models import Convention, ConventionModel
from conventions.services.common import record
from portal.money import split_cents  # the project's one split helper (issue 10)

State = Convention.State
# Commitments that count towards the threshold: signed ones (waiting, then in force).
COMMITTED = (State.WAITING_THRESHOLD, State.ACTIVE, State.SUSPENDED)


def threshold_total(*, model: ConventionModel) -> int:
    return (
        Convention.objects.filter(model=model, state__in=COMMITTED).aggregate(
            total=Sum("commitment_cents")
        )["total"]
        or 0
    )


def threshold_check(*, model: ConventionModel, today: date) -> str | None:
    """On the day the signed commitments exceed the threshold, every waiting convention of
    the model enters into force that day; past the last day without it, they lapse.
    Runs inside the caller's transaction; safe to run again (only waiting ones move)."""
    from conventions.services.lifecycle import _activate

    if not model.has_threshold:
        return None
    waiting = list(
        Convention.objects.select_for_update(of=("self",))
        .select_related("model", "collectivite")
        .filter(model=model, state=State.WAITING_THRESHOLD)
        .order_by("pk")
    )
    if not waiting:
        return None
    total = threshold_total(model=model)
    if terms.threshold_reached(total_cents=total, threshold_cents=model.threshold_cents):
        for convention in waiting:
            convention.starts_on = today
            _activate(convention, acting_user=None, today=today)
        return "in_force"
    if model.threshold_last_day and terms.threshold_lapsed(
        today=today, last_day=model.threshold_last_day
    ):
        for convention in waiting:
            convention.state = State.EXPIRED
            convention.state_reason = (
                "Seuil collectif non atteint au"
                f" {model.threshold_last_day:%d/%m/%Y} : la convention n'est pas entrée en vigueur."
            )
            convention.save(update_fields=["state", "state_reason"])
            record(convention, "lapsed", total_cents=total, threshold_cents=model.threshold_cents)
        return "lapsed"
    return None


def threshold_refunds(*, model: ConventionModel, unused_cents: int) -> list[tuple[Convention, int]]:
    """Seed 004 art. 4: unused funds go back to members pro rata of what they paid; the
    refunds, in cents, add up exactly to ``unused_cents`` (largest remainder)."""
    payers = list(
        Convention.objects.filter(
            model=model,
            state__in=(State.ACTIVE, State.SUSPENDED, State.TERMINATED, State.EXPIRED),
            starts_on__isnull=False,
            commitment_cents__gt=0,
        )
        .select_related("collectivite")
        .order_by("pk")
    )
    if not payers:
        return []
    shares = split_cents(unused_cents, [c.commitment_cents for c in payers])
    return list(zip(payers, shares, strict=True))
