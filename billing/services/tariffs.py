"""Tariffs per agreement model and year, and population overrides."""

from django.core.exceptions import ValidationError
from django.db import transaction

from billing.models import MAX_CENTS, BillingDocument, PopulationOverride, Tariff, TariffLine
from billing.services.titres import HISTORY_STREAM
from portal.audit.history import history_append
from portal.money import euros


def _check_line(line: TariffLine) -> list[str]:
    label = line.label or line.code or "ligne"
    errors = []
    if line.amount_cents < 0 or line.participation_cents < 0:
        errors.append(f"{label} : un montant ne peut pas être négatif.")
    if line.amount_cents > MAX_CENTS:
        errors.append(f"{label} : montant de {euros(line.amount_cents)} invraisemblable.")
    if line.participation_cents > line.amount_cents:
        errors.append(
            f"{label} : la participation de l'opérateur ({euros(line.participation_cents)})"
            f" dépasse le coût annuel ({euros(line.amount_cents)})."
        )
    if line.vat_rate_bp > 10000:
        errors.append(f"{label} : taux de TVA invraisemblable.")
    if line.kind == TariffLine.Kind.APPLICATION and line.application_id is None:
        errors.append(f"{label} : choisissez l'application.")
    if line.kind in (TariffLine.Kind.PACKAGE, TariffLine.Kind.SERVICE) and not line.code:
        errors.append(f"{label} : un code est nécessaire.")
    if line.kind == TariffLine.Kind.BRACKET and line.low is not None and line.high is not None:
        if line.low > line.high:
            errors.append(f"{label} : bornes de population inversées.")
    return errors


def tariff_save(
    *,
    model,
    year: int,
    decision: str,
    lines: list[TariffLine],
    acting_user,
    document: str = BillingDocument.TITRE,
) -> Tariff:
    """Create or replace the tariff of a model for a year, all lines checked first (a French
    message for each problem, nothing saved). A tariff already used by an issued titre is
    fixed: it cannot be replaced (issue 10 §1, seed 002 art. 4). ``document`` is what the
    members receive: a titre de recette or a mémoire (seed 003 art. 22)."""
    errors = [e for line in lines for e in _check_line(line)]
    if document not in BillingDocument.values:
        errors.append("Document adressé au membre inconnu.")
    if not lines:
        errors.append("Le tarif doit avoir au moins une ligne.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        tariff = Tariff.objects.select_for_update().filter(model=model, year=year).first()
        if tariff is not None:
            if model.conventions.filter(titres__year=year).exists():
                raise ValidationError(
                    f"Des titres {year} sont déjà émis sous ce tarif : il ne peut plus changer."
                )
            tariff.lines.all().delete()
            tariff.decision, tariff.document = decision, document
            tariff.save(update_fields=["decision", "document"])
        else:
            tariff = Tariff.objects.create(
                model=model, year=year, decision=decision, document=document, created_by=acting_user
            )
        for position, line in enumerate(lines):
            line.tariff, line.position = tariff, position
        TariffLine.objects.bulk_create(lines)
        history_append(
            stream=HISTORY_STREAM,
            subject=tariff,
            action="tariff_saved",
            actor=acting_user,
            payload={
                "model": model.code,
                "year": year,
                "document": document,
                "lines": [[l.kind, l.code or l.label, l.amount_cents] for l in lines],  # noqa: E741
            },
        )
    return tariff


def population_override_set(
    *, collectivite, year: int, population: int, source: str, acting_user
) -> PopulationOverride:
    """A finance officer's figure for one member and year, with its written source."""
    source = (source or "").strip()
    if not source:
        raise ValidationError("Indiquez la source du chiffre de population.")
    if population <= 0:
        raise ValidationError("La population doit être un nombre positif.")
    with transaction.atomic():
        override, _ = PopulationOverride.objects.update_or_create(
            collectivite=collectivite,
            year=year,
            defaults={"population": population, "source": source, "created_by": acting_user},
        )
        history_append(
            stream=HISTORY_STREAM,
            subject=override,
            action="population_override",
            actor=acting_user,
            payload={"collectivite": collectivite.name, "population": population, "source": source},
        )
    return override
