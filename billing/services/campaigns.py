"""The annual campaign: created for a year and agreement models, previewed (a read:
billing.liquidation), launched, then run by the worker member by member."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from billing.liquidation import liquidate, model_blocking_errors
from billing.models import Campaign, Tariff, Titre
from billing.services.titres import HISTORY_STREAM, issuer_snapshot, titre_issue
from conventions.models import ConventionModel
from portal.audit.history import history_append


def campaign_create(*, year: int, model_ids: list[int], acting_user) -> Campaign:
    """A draft campaign; refused (nothing saved) for a model that issues no titre or that has
    no tariff for the year."""
    if not 2000 <= year <= 2100:
        raise ValidationError("Année de facturation invalide.")
    models = list(ConventionModel.objects.filter(pk__in=model_ids).order_by("name"))
    if not models:
        raise ValidationError("Choisissez au moins un modèle de convention.")
    priced = set(
        Tariff.objects.filter(year=year, model__in=models).values_list("model_id", flat=True)
    )
    errors = [
        error
        for model in models
        for error in model_blocking_errors(model, year=year, priced=model.pk in priced)
    ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        campaign = Campaign.objects.create(year=year, created_by=acting_user)
        campaign.convention_models.set(models)
        history_append(
            stream=HISTORY_STREAM,
            subject=campaign,
            action="campaign_created",
            actor=acting_user,
            payload={"year": year, "models": [m.code for m in models]},
        )
    return campaign


def campaign_launch(
    *,
    campaign: Campaign,
    acting_user,
    expected_members: int | None = None,
    expected_total_ttc: int | None = None,
) -> Campaign:
    """Queue the campaign for the worker, once its preview has no blocking error. Launching
    again (after errors, or to be sure) issues only the titres still missing.

    ``expected_members`` / ``expected_total_ttc``: what the person confirmed having read
    (issue 24 §2); a preview that changed since is refused, nothing is issued."""
    issuer_snapshot()  # refuses early when the issuer is not set
    model_ids = list(campaign.convention_models.values_list("pk", flat=True))
    liquidation = liquidate(year=campaign.year, model_ids=model_ids)
    if liquidation.errors:
        raise ValidationError(liquidation.errors)
    if (expected_members is not None and expected_members != len(liquidation.members)) or (
        expected_total_ttc is not None and expected_total_ttc != liquidation.total_ttc
    ):
        raise ValidationError(
            "L'aperçu a changé depuis que vous l'avez lu (membres ou montants) : vérifiez-le "
            "puis confirmez de nouveau. Aucun titre n'a été émis."
        )
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.state in (Campaign.State.QUEUED, Campaign.State.RUNNING):
            raise ValidationError("Cette campagne est déjà en cours d'émission.")
        campaign.state = Campaign.State.QUEUED
        campaign.total = len(liquidation.members)
        campaign.done = campaign.issued = campaign.skipped = 0
        campaign.errors = []
        campaign.save(update_fields=["state", "total", "done", "issued", "skipped", "errors"])
        history_append(
            stream=HISTORY_STREAM,
            subject=campaign,
            action="campaign_launched",
            actor=acting_user,
            payload={"members": campaign.total, "total_ttc_cents": liquidation.total_ttc},
        )
        from billing.tasks import run_campaign

        transaction.on_commit(lambda: run_campaign.delay(campaign.pk))
    return campaign


def campaign_run(*, campaign_id: int) -> dict:
    """The worker: each member's titre in its own transaction (all or nothing); its PDF and
    e-mail are queued as their own tasks (rendered outside any lock, by as many worker
    processes as there are); progress saved after each member; errors listed."""
    from billing.tasks import deliver_titre

    started = Campaign.objects.filter(
        pk=campaign_id, state__in=[Campaign.State.QUEUED, Campaign.State.RUNNING]
    ).update(state=Campaign.State.RUNNING, started_at=timezone.now())
    if not started:
        return {"skipped": "not queued"}
    campaign = Campaign.objects.get(pk=campaign_id)
    model_ids = list(campaign.convention_models.values_list("pk", flat=True))
    liquidation = liquidate(year=campaign.year, model_ids=model_ids)
    issuer = issuer_snapshot()
    today = timezone.localdate()
    errors = []
    Campaign.objects.filter(pk=campaign_id).update(total=len(liquidation.members))
    for bill in liquidation.members:
        issued = skipped = 0
        try:
            titre = titre_issue(
                bill=bill, year=campaign.year, issuer=issuer, campaign=campaign, today=today
            )
            if titre is None:
                skipped = 1
            else:
                issued = 1
                deliver_titre.delay(titre.pk)
        except Exception as exc:  # one member's failure must not stop the others
            message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            errors.append({"member": bill.convention.collectivite.name, "error": message})
            Campaign.objects.filter(pk=campaign_id).update(errors=errors)
        Campaign.objects.filter(pk=campaign_id).update(
            done=F("done") + 1, issued=F("issued") + issued, skipped=F("skipped") + skipped
        )
    # Titres of this year left undelivered by an earlier interrupted run.
    for titre_id in Titre.objects.filter(
        year=campaign.year,
        convention__model_id__in=model_ids,
        mail_owed=True,
        campaign__lt=campaign,
    ).values_list("pk", flat=True):
        deliver_titre.delay(titre_id)
    Campaign.objects.filter(pk=campaign_id).update(
        state=Campaign.State.FAILED if errors else Campaign.State.DONE,
        finished_at=timezone.now(),
        errors=errors,
    )
    return {"members": len(liquidation.members), "errors": len(errors)}
