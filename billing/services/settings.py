"""What a titre will print, set by finance staff: the issuer (the operator as ordonnateur,
the public accountant), each member's Chorus Pro identification, the seed 003 package a
member chose and the complementary services it used. Every change is one transaction that
records its history entry (old and new values), in the same chain as the titres."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from billing.models import (
    ISSUER_FIELDS,
    BillingProfile,
    ConventionPackage,
    Issuer,
    ServiceUsage,
    Tariff,
    TariffLine,
)
from billing.selectors import convention_year_billed
from billing.services.titres import HISTORY_STREAM
from conventions.models import ConventionModel
from portal.audit.history import history_append


def _clean(instance, fields: tuple[str, ...], values: dict) -> dict:
    """Set ``values`` on ``instance`` and return {field: [old, new]} of what changed, after
    the model's own validation (French messages, nothing saved on error)."""
    changes = {}
    for name in fields:
        if name not in values:
            continue
        new = values[name].strip() if isinstance(values[name], str) else values[name]
        old = getattr(instance, name)
        if new != old:
            changes[name] = [old, new]
            setattr(instance, name, new)
    exclude = ["collectivite"] if isinstance(instance, BillingProfile) else None
    instance.full_clean(exclude=exclude)
    return changes


def issuer_save(*, values: dict, acting_user) -> Issuer:
    """Create or change the issuer (one row). Titres already issued keep the snapshot they
    printed; the next ones print the new values."""
    with transaction.atomic():
        issuer = Issuer.objects.select_for_update().order_by("pk").first() or Issuer()
        created = issuer.pk is None
        changes = _clean(issuer, ISSUER_FIELDS, values)
        if not changes and not created:
            return issuer
        issuer.save()
        history_append(
            stream=HISTORY_STREAM,
            subject=issuer,
            action="issuer_created" if created else "issuer_changed",
            actor=acting_user,
            payload={"changes": changes},
        )
    return issuer


def billing_profile_save(*, collectivite, values: dict, acting_user) -> BillingProfile:
    """A member's Chorus Pro identification and billing address. A code the member requires
    (service code, engagement number) must be given when the requirement is ticked."""
    with transaction.atomic():
        profile = BillingProfile.objects.select_for_update().filter(
            collectivite=collectivite
        ).first() or BillingProfile(collectivite=collectivite)
        created = profile.pk is None
        changes = _clean(profile, BillingProfile.EDITABLE_FIELDS, values)
        errors = {}
        if profile.service_code_required and not profile.service_code:
            errors["service_code"] = "Ce membre exige un code service : indiquez-le."
        if profile.engagement_required and not profile.engagement_number:
            errors["engagement_number"] = "Ce membre exige un numéro d'engagement : indiquez-le."
        if errors:
            raise ValidationError(errors)
        if not changes and not created:
            return profile
        profile.save()
        history_append(
            stream=HISTORY_STREAM,
            subject=profile,
            action="billing_profile_saved",
            actor=acting_user,
            payload={"collectivite": collectivite.name, "changes": changes},
        )
    return profile


def package_codes(*, model: ConventionModel) -> list[tuple[str, str]]:
    """(code, label) of the packages of the model's tariffs, latest year first."""
    seen: dict[str, str] = {}
    for code, label in (
        TariffLine.objects.filter(tariff__model=model, kind=TariffLine.Kind.PACKAGE)
        .order_by("-tariff__year", "position")
        .values_list("code", "label")
    ):
        seen.setdefault(code, label)
    return list(seen.items())


def service_codes(*, model: ConventionModel, year: int | None = None) -> list[tuple[str, str]]:
    """(code, label) of the complementary services priced for ``year`` (or, before that
    year's tariff is entered or without a year, by the model's latest tariff)."""
    tariffs = Tariff.objects.filter(model=model).order_by("-year")
    tariff = None
    if year is not None:
        tariff = tariffs.filter(year=year).first() or tariffs.filter(year__lt=year).first()
    else:
        tariff = tariffs.first()
    if tariff is None:
        return []
    return [
        (line.code, f"{line.label} (par {line.unit_label})" if line.unit_label else line.label)
        for line in tariff.lines.filter(kind=TariffLine.Kind.SERVICE).order_by("position")
    ]


def _check_packages_model(convention) -> None:
    if convention.model.pricing != ConventionModel.Pricing.PACKAGES:
        raise ValidationError(
            f"La convention {convention.reference} n'est pas tarifée par forfaits (modèle"
            f" « {convention.model.name} »)."
        )


def convention_package_set(*, convention, package_code: str, decided_by: str, acting_user):
    """Seed 003 art. 2: the package the member chose by deliberation (one per convention).
    Titres already issued keep their lines; a change bills from the next titre on."""
    _check_packages_model(convention)
    if package_code not in dict(package_codes(model=convention.model)):
        raise ValidationError(f"Forfait « {package_code} » absent des tarifs de ce modèle.")
    decided_by = (decided_by or "").strip()
    with transaction.atomic():
        package = (
            ConventionPackage.objects.select_for_update().filter(convention=convention).first()
        )
        old = [package.package_code, package.decided_by] if package else None
        if old == [package_code, decided_by]:
            return package
        package, _ = ConventionPackage.objects.update_or_create(
            convention=convention,
            defaults={"package_code": package_code, "decided_by": decided_by},
        )
        history_append(
            stream=HISTORY_STREAM,
            subject=package,
            action="package_chosen",
            actor=acting_user,
            payload={
                "convention": convention.reference,
                "collectivite": convention.collectivite.name,
                "old": old,
                "new": [package_code, decided_by],
            },
        )
    return package


def service_usage_record(
    *,
    convention,
    service_code: str,
    used_on: date,
    quantity: Decimal,
    note: str,
    acting_user,
    today: date | None = None,
) -> ServiceUsage:
    """Seed 003 art. 19: a complementary service used, billed with the year of its date by
    that year's campaign (or by a correction when the year's titre is already issued).
    Recorded once done: a date to come is refused (it would be billed before it happens)."""
    _check_packages_model(convention)
    errors = {}
    if quantity is None or quantity <= 0:
        errors["quantity"] = "La quantité doit être positive."
    elif quantity > 1000:
        errors["quantity"] = "Quantité invraisemblable (plus de 1 000 unités)."
    if service_code not in dict(service_codes(model=convention.model, year=used_on.year)):
        errors["service_code"] = (
            f"Prestation « {service_code} » absente du tarif {used_on.year} de ce modèle."
        )
    if (convention.starts_on and used_on < convention.starts_on) or (
        convention.ends_on and used_on > convention.ends_on
    ):
        errors["used_on"] = "Cette date est hors de la période de la convention."
    elif used_on > (today or timezone.localdate()):
        errors["used_on"] = "Cette date est à venir : enregistrez la prestation une fois réalisée."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        usage = ServiceUsage.objects.create(
            convention=convention,
            year=used_on.year,
            service_code=service_code,
            quantity=quantity,
            used_on=used_on,
            note=(note or "").strip(),
            created_by=acting_user,
        )
        history_append(
            stream=HISTORY_STREAM,
            subject=usage,
            action="service_used",
            actor=acting_user,
            payload={
                "convention": convention.reference,
                "collectivite": convention.collectivite.name,
                "service": service_code,
                "quantity": str(quantity),
                "used_on": used_on.isoformat(),
                "note": usage.note,
            },
        )
    return usage


def service_usage_delete(*, usage: ServiceUsage, acting_user) -> None:
    """Remove a usage entered by mistake, only while its year's titre is not issued (once
    billed, it stays: the titre printed it)."""
    with transaction.atomic():
        usage = (
            ServiceUsage.objects.select_for_update().select_related("convention").get(pk=usage.pk)
        )
        if convention_year_billed(convention=usage.convention, year=usage.year):
            raise ValidationError(
                f"Le titre {usage.year} de ce membre est émis : cette prestation ne se"
                " supprime plus, elle se règle par une correction du titre."
            )
        history_append(
            stream=HISTORY_STREAM,
            subject=usage,
            action="service_usage_deleted",
            actor=acting_user,
            payload={
                "convention": usage.convention.reference,
                "service": usage.service_code,
                "quantity": str(usage.quantity),
                "used_on": usage.used_on.isoformat(),
            },
        )
        usage.delete()
