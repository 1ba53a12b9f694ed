"""Writes of billing (each in one transaction, recording its history entry)."""

from billing.services.campaigns import campaign_create, campaign_launch, campaign_run
from billing.services.corrections import titre_contest, titre_correct
from billing.services.payments import payment_record
from billing.services.tariffs import population_override_set, tariff_save
from billing.services.titres import titre_deliver, titre_issue, titre_render, titre_send
from portal.audit.trail import audit_action

# The history's action codes, as the audit trail's pages name them (portal.audit.trail).
for _code, _label in {
    "issuer_created": "Ordonnateur renseigné",
    "issuer_changed": "Ordonnateur modifié",
    "billing_profile_saved": "Fiche de facturation d'un membre",
    "package_chosen": "Forfait choisi",
    "service_used": "Prestation complémentaire saisie",
    "service_usage_deleted": "Prestation complémentaire retirée",
    "tariff_saved": "Tarif enregistré",
    "population_override": "Population retenue modifiée",
    "campaign_created": "Campagne de facturation créée",
    "campaign_launched": "Campagne de facturation lancée",
    "payment_recorded": "Paiement enregistré",
    "titre_contested": "Titre contesté",
    "titre_corrected": "Titre corrigé",
    "titre_notified": "Titre notifié",
}.items():
    audit_action(_code, _label)

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
