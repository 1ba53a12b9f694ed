"""The implicit-decision job: silence turns into acceptance (SVA) or refusal (SVR)."""

from django.db import transaction
from django.db.models import Case, Value, When
from django.utils import timezone

from portal.owed.services import owed_record
from sve import deadlines
from sve.journal import journal_extend
from sve.models import JournalEntry, Regime, Request, Status
from sve.owed import ATTESTATION, IMPLICIT_NOTICE, TASK

# CRPA L231-1 / L231-4: open requests whose delay has run out and no express decision taken.
# Awaiting pieces: an SVA request has no date until complete; an SVR one is suspended only
# for the time given (CRPA L114-5 al. 3), so its refusal may arise while still waiting.
DUE_STATUSES = (Status.SUBMITTED, Status.ACKNOWLEDGED, Status.AWAITING_PIECES, Status.INSTRUCTION)


@transaction.atomic
def implicit_decisions_run(*, today=None) -> dict:
    """Turn every due request of the current tenant into an implicit decision, journal each
    one and queue the citizens' notices. Running it twice changes nothing the second time."""
    today = today or timezone.localdate()
    now = timezone.now()
    due = list(
        Request.objects.select_for_update(skip_locked=True, no_key=True, of=("self",))
        .filter(
            status__in=DUE_STATUSES,
            implicit_decision_on__lte=deadlines.implicit_decisions_arisen_until(today),
        )
        .values_list("pk", "regime", "implicit_decision_on")
    )
    if not due:
        return {"accepted": 0, "rejected": 0}
    accepted = [pk for pk, regime, _ in due if regime == Regime.SVA]
    rejected = [pk for pk, regime, _ in due if regime != Regime.SVA]
    Request.objects.filter(pk__in=[pk for pk, _, _ in due]).update(
        status=Case(
            When(regime=Regime.SVA, then=Value(Status.IMPLICITLY_ACCEPTED)),
            default=Value(Status.IMPLICITLY_REJECTED),
        ),
        decided_at=now,
        updated_at=now,
    )
    # Journal entries in bulk, chained and anchored as journal_append would.
    journal_extend(
        entries=[
            JournalEntry(
                request_id=pk,
                actor_id=None,
                actor_label="système",
                action="implicitly_accepted" if regime == Regime.SVA else "implicitly_rejected",
                payload={"decision_on": decision_on.isoformat()},
                created_at=now,
            )
            for pk, regime, decision_on in due
        ]
    )

    # CRPA L232-3 / L232-4: each citizen is owed a notice of the implicit decision.
    owed_record(
        kind=IMPLICIT_NOTICE, subject_ids=[pk for pk, _, _ in due], task=TASK[IMPLICIT_NOTICE]
    )
    # CRPA L232-3: the attestation of each acceptance, made and sealed by the worker now, so
    # that the tracking page hands it over when the citizen asks (issue 26).
    owed_record(kind=ATTESTATION, subject_ids=accepted, task=TASK[ATTESTATION])
    return {"accepted": len(accepted), "rejected": len(rejected)}


@transaction.atomic
def attestation_owe(*, request: Request) -> None:
    """CRPA L232-3: owe the attestation of an acceptance that arose before the job owed it
    (recording it twice keeps the first row); the worker makes and seals it."""
    owed_record(kind=ATTESTATION, subject_ids=[request.pk], task=TASK[ATTESTATION])
