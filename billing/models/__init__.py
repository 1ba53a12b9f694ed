"""Public schema: tariffs, billing campaigns, titres de recette, payments. Amounts are
integers of cents."""

from billing.models.tariffs import (
    ISSUER_FIELDS,
    MAX_CENTS,
    BillingDocument,
    BillingProfile,
    ConventionPackage,
    Issuer,
    PopulationOverride,
    ServiceUsage,
    Tariff,
    TariffLine,
)
from billing.models.titres import (
    Campaign,
    Contest,
    Payment,
    PesBordereau,
    Reminder,
    Titre,
    TitreLine,
    TitreSequence,
)

__all__ = [
    "ISSUER_FIELDS",
    "MAX_CENTS",
    "BillingDocument",
    "BillingProfile",
    "Campaign",
    "Contest",
    "ConventionPackage",
    "Issuer",
    "Payment",
    "PesBordereau",
    "PopulationOverride",
    "Reminder",
    "ServiceUsage",
    "Tariff",
    "TariffLine",
    "Titre",
    "TitreLine",
    "TitreSequence",
]
