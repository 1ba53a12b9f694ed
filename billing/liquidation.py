"""What each member owes for a year: the database fed to billing.pricing, with warnings and
blocking errors (a read: no write here). Used by the campaign preview and by issuing, so
that what finance staff see is what is issued.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from billing import pricing
from billing.models import (
    BillingProfile,
    ConventionPackage,
    Issuer,
    PopulationOverride,
    ServiceUsage,
    Tariff,
    TariffLine,
)
from billing.selectors import issuer_problems
from conventions.models import Convention, ConventionModel
from conventions.selectors import conventions_billable
from portal.money import vat_split
from portal.sms.selectors import sms_segments_in_year

# Pricings that lead to a titre (free and statutory ones do not: seeds 000, 001).
BILLED = (
    ConventionModel.Pricing.POPULATION_SHARE,
    ConventionModel.Pricing.POPULATION_BRACKETS,
    ConventionModel.Pricing.PACKAGES,
)


def model_blocking_errors(model: ConventionModel, *, year: int, priced: bool) -> list[str]:
    """Why a campaign cannot bill ``model`` for ``year`` (empty: it can), in the words that
    creating the campaign and its preview both show: a pricing that issues no titre, or no
    tariff entered for the year (``priced``)."""
    if model.pricing not in BILLED:
        return [
            _("« %(model)s » : tarification « %(pricing)s », aucun titre n'est émis.")
            % {"model": model.name, "pricing": model.get_pricing_display()}
        ]
    if not priced:
        return [
            _(
                "« %(model)s » : aucun tarif n'est saisi pour %(year)s ; saisissez-le avant la campagne."
            )
            % {"model": model.name, "year": year}
        ]
    return []


@dataclass
class MemberBill:
    convention: Convention
    population: int | None = None
    population_label: str = ""
    # Titre de recette or mémoire, as the model's tariff says (BillingDocument).
    document: str = "titre"
    lines: list[pricing.Line] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def totals(self) -> tuple[int, int, int]:
        ht = vat = ttc = 0
        for line in self.lines:
            h, v, t = vat_split(
                line.amount_cents, rate_bp=line.vat_rate_bp, includes_vat=line.includes_vat
            )
            ht, vat, ttc = ht + h, vat + v, ttc + t
        return ht, vat, ttc

    @property
    def total_ttc(self) -> int:
        return self.totals[2]


@dataclass
class ModelBill:
    model: ConventionModel
    tariff: Tariff | None
    members: list[MemberBill] = field(default_factory=list)
    applications: list[pricing.ApplicationTotal] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class Liquidation:
    year: int
    models: list[ModelBill] = field(default_factory=list)
    # What the issuer lacks for a titre to carry its mentions (blocks issuing).
    issuer_errors: list[str] = field(default_factory=list)

    @property
    def members(self) -> list[MemberBill]:
        return [m for model in self.models for m in model.members]

    @property
    def errors(self) -> list[str]:
        found = self.issuer_errors + [e for model in self.models for e in model.errors]
        for member in self.members:
            found += [f"{member.convention.collectivite.name} : {e}" for e in member.errors]
        return found

    @property
    def total_ttc(self) -> int:
        return sum(m.total_ttc for m in self.members)

    @property
    def warnings_summary(self) -> list[tuple[str, int]]:
        """Each warning with the number of members it concerns, most frequent first (issue
        24 §2: read before issuing, not found in a long table after)."""
        counts: dict[str, int] = {}
        for member in self.members:
            for warning in member.warnings:
                counts[warning] = counts.get(warning, 0) + 1
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def population_of(convention: Convention, *, overrides: dict[int, PopulationOverride]):
    """(population, label) that the convention's model counts, or a member's override with
    its written source."""
    collectivite, model = convention.collectivite, convention.model
    override = overrides.get(collectivite.pk)
    if override is not None:
        return override.population, _(
            "population retenue par le service financier (source : %s)"
        ) % override.source
    if model.population_kind == ConventionModel.PopulationKind.MUNICIPALE:
        population = collectivite.population_municipale
        kind = _("population municipale")
    else:
        population = collectivite.population_totale
        kind = _("population totale")
    vintage = collectivite.population_year
    return population, f"{kind}, millésime {vintage}" if vintage else kind


def _member_warnings(bill: MemberBill, year: int, profiles: dict[int, BillingProfile]) -> None:
    convention, collectivite = bill.convention, bill.convention.collectivite
    profile = profiles.get(collectivite.pk)
    if not collectivite.siren and not (profile and profile.siret):
        bill.warnings.append(_("SIREN manquant"))
    if not collectivite.contact_address and not (profile and profile.address):
        bill.warnings.append(_("adresse manquante"))
    # Chorus Pro identifies a public debtor by the SIRET of the service billed, plus the
    # service code and engagement number it requires (BILLING-NOTES.md).
    if not (profile and profile.siret):
        bill.warnings.append(_("SIRET du service débiteur (Chorus Pro) manquant"))
    elif profile.service_code_required and not profile.service_code:
        bill.warnings.append(_("code service exigé par le débiteur manquant"))
    if profile and profile.engagement_required and not profile.engagement_number:
        bill.warnings.append(_("numéro d'engagement exigé par le débiteur manquant"))
    if convention.state != Convention.State.ACTIVE:
        bill.warnings.append(_("convention non en vigueur (%s)") % convention.get_state_display())
    first, last = date(year, 1, 1), date(year, 12, 31)
    if convention.starts_on > first or (convention.ends_on and convention.ends_on < last):
        bill.warnings.append(_("convention en vigueur une partie de l'année seulement"))
    vintage = convention.model.population_vintage
    if vintage and collectivite.population_year and collectivite.population_year != vintage:
        bill.warnings.append(
            _("millésime de population %(has)s au lieu de %(wants)s")
            % {"has": collectivite.population_year, "wants": vintage}
        )


def liquidate(*, year: int, model_ids: list[int]) -> Liquidation:
    """Every billable member of these models for ``year``, line by line (constant queries)."""
    conventions = conventions_billable(year=year, model_ids=model_ids)
    models = list(ConventionModel.objects.filter(pk__in=model_ids).order_by("name"))
    tariffs = {
        t.model_id: t
        for t in Tariff.objects.filter(model_id__in=model_ids, year=year).prefetch_related(
            "lines__application"
        )
    }
    collectivite_ids = [c.collectivite_id for c in conventions]
    overrides = {
        o.collectivite_id: o
        for o in PopulationOverride.objects.filter(year=year, collectivite_id__in=collectivite_ids)
    }
    profiles = {
        p.collectivite_id: p
        for p in BillingProfile.objects.filter(collectivite_id__in=collectivite_ids)
    }
    convention_ids = [c.pk for c in conventions]
    chosen = {
        p.convention_id: p.package_code
        for p in ConventionPackage.objects.filter(convention_id__in=convention_ids)
    }
    usages: dict[int, list[ServiceUsage]] = {}
    for usage in ServiceUsage.objects.filter(year=year, convention_id__in=convention_ids):
        usages.setdefault(usage.convention_id, []).append(usage)
    # Issue 28: the SMS each member sent in the year, billed where the tariff prices "sms".
    sent = sms_segments_in_year(
        year=year, schema_names=[c.collectivite.schema_name for c in conventions]
    )
    sms_used = {c.pk: sent.get(c.collectivite.schema_name, 0) for c in conventions}

    result = Liquidation(
        year=year, issuer_errors=issuer_problems(Issuer.objects.order_by("pk").first())
    )
    for model in models:
        bill = ModelBill(model=model, tariff=tariffs.get(model.pk))
        result.models.append(bill)
        bill.errors += model_blocking_errors(model, year=year, priced=bill.tariff is not None)
        if bill.errors:
            continue
        for convention in conventions:
            if convention.model_id != model.pk:
                continue
            member = MemberBill(convention=convention, document=bill.tariff.document)
            member.population, member.population_label = population_of(
                convention, overrides=overrides
            )
            _member_warnings(member, year, profiles)
            bill.members.append(member)
        try:
            _price(bill, chosen=chosen, usages=usages, sms_used=sms_used, year=year)
        except pricing.PricingError as exc:
            bill.errors.append(f"{model.name} : {exc}")
    return result


# Issue 28: a tariff's complementary service with this code prices each SMS sent (segment).
SMS_SERVICE_CODE = "sms"


def _sms_usage(service: TariffLine, segments: int, year: int) -> pricing.Usage:
    """The SMS the member sent in the year (the portal's count of segments handed to the
    provider, portal/sms), as a usage line: segments x the tariff's unit price."""
    return pricing.Usage(
        service=pricing.Service(
            code=service.code,
            label=service.label,
            unit_label=service.unit_label,
            unit_cents=service.amount_cents,
            vat_rate_bp=service.vat_rate_bp,
        ),
        quantity=Decimal(segments),
        note=f"SMS envoyés du 01/01/{year} au 31/12/{year}, relevé du portail",
    )


def _lines(tariff: Tariff, kind: str) -> list[TariffLine]:
    return [line for line in tariff.lines.all() if line.kind == kind]


def _price(
    bill: ModelBill, *, chosen: dict, usages: dict, sms_used: dict | None = None, year: int = 0
) -> None:
    model, tariff = bill.model, bill.tariff
    members = bill.members
    if model.pricing == ConventionModel.Pricing.POPULATION_SHARE:
        apps = [
            pricing.ApplicationTariff(
                code=line.application.code if line.application else line.code,
                label=line.label,
                annual_cost_cents=line.amount_cents,
                participation_cents=line.participation_cents,
                vat_rate_bp=line.vat_rate_bp,
            )
            for line in _lines(tariff, TariffLine.Kind.APPLICATION)
        ]
        liquidation = pricing.population_share(
            members=[
                pricing.Member(
                    key=m.convention.pk,
                    name=m.convention.collectivite.name,
                    population=m.population,
                    population_label=m.population_label,
                    applications=frozenset(a.code for a in m.convention.applications_in_year),
                )
                for m in members
            ],
            applications=apps,
        )
        bill.applications = liquidation.totals
        for member in members:
            member.lines = liquidation.lines[member.convention.pk]
            if not member.lines:
                member.errors.append(_("aucune application tarifée n'est couverte cette année"))
    elif model.pricing == ConventionModel.Pricing.POPULATION_BRACKETS:
        brackets = [
            pricing.Bracket(
                label=line.label,
                amount_cents=line.amount_cents,
                low=line.low,
                low_inclusive=line.low_inclusive,
                high=line.high,
                high_inclusive=line.high_inclusive,
                vat_rate_bp=line.vat_rate_bp,
                includes_vat=line.includes_vat,
            )
            for line in _lines(tariff, TariffLine.Kind.BRACKET)
        ]
        for member in members:
            try:
                liquidation = pricing.population_brackets(
                    members=[
                        pricing.Member(
                            key=member.convention.pk,
                            name=member.convention.collectivite.name,
                            population=member.population,
                            population_label=member.population_label,
                        )
                    ],
                    brackets=brackets,
                )
                member.lines = liquidation.lines[member.convention.pk]
            except pricing.PricingError as exc:
                member.errors.append(str(exc))
    else:
        packages = {line.code: line for line in _lines(tariff, TariffLine.Kind.PACKAGE)}
        services = {line.code: line for line in _lines(tariff, TariffLine.Kind.SERVICE)}
        for member in members:
            code = chosen.get(member.convention.pk)
            if code not in packages:
                member.errors.append(_("aucun forfait choisi (ou forfait absent du tarif)"))
                continue
            package = packages[code]
            member_usages = []
            for usage in usages.get(member.convention.pk, []):
                service = services.get(usage.service_code)
                if service is None:
                    member.errors.append(
                        _("prestation « %s » absente du tarif") % usage.service_code
                    )
                    continue
                member_usages.append(
                    pricing.Usage(
                        service=pricing.Service(
                            code=service.code,
                            label=service.label,
                            unit_label=service.unit_label,
                            unit_cents=service.amount_cents,
                            vat_rate_bp=service.vat_rate_bp,
                        ),
                        quantity=usage.quantity,
                        note=f"{usage.used_on:%d/%m/%Y}"
                        + (f", {usage.note}" if usage.note else ""),
                    )
                )
            segments = (sms_used or {}).get(member.convention.pk, 0)
            if segments and SMS_SERVICE_CODE in services:
                member_usages.append(_sms_usage(services[SMS_SERVICE_CODE], segments, year))
            try:
                member.lines = pricing.packages(
                    package=pricing.Package(
                        code=package.code,
                        label=package.label,
                        price_cents=package.amount_cents,
                        vat_rate_bp=package.vat_rate_bp,
                    ),
                    usages=member_usages,
                )
            except pricing.PricingError as exc:
                member.errors.append(str(exc))
