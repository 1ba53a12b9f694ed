"""Writes of billing (each in one transaction, recording its history entry)."""

from billing.services.campaigns import campaign_create, campaign_launch, campaign_run
from billing.services.corrections import titre_contest, titre_correct
from billing.services.payments import payment_record
from billing.services.tariffs import population_override_set, tariff_save
from billing.services.titres import titre_deliver, titre_issue, titre_render, titre_send

__all__ = [
    "campaign_create",
    "campaign_launch",
    "campaign_run",
    "payment_record",
    "population_override_set",
    "tariff_save",
    "titre_contest",
    "titre_correct",
    "titre_deliver",
    "titre_issue",
    "titre_render",
    "titre_send",
]
