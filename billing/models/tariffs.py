"""What a titre prints and how it is priced: the issuer, members' billing profiles, tariffs
per agreement model and year, seed 003 packages and complementary services, population
overrides."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from billing.validators import (
    validate_bic,
    validate_budget_code,
    validate_collectivity_code,
    validate_court,
    validate_function_code,
    validate_iban,
    validate_nature,
    validate_post_id,
    validate_product_code,
    validate_ref_bdf,
    validate_siret,
)

# Amounts above this are refused as absurd (10 million euros).
MAX_CENTS = 1_000_000_000


class BillingDocument(models.TextChoices):
    """What the debtor receives, as the agreement says: a titre de recette (seed 002 art. 5)
    or a mémoire (seed 003 art. 22: "sur présentation d'un mémoire"). A mémoire is recovered
    by the same numbered titre, of which it is the ampliation (issue 10 §4)."""

    TITRE = "titre", _("Titre de recette")
    MEMOIRE = "memoire", _("Mémoire")


class Issuer(models.Model):
    """The operator as the issuer of titres (one row, pk 1): its identity, the person who
    issues (CGCT L1617-5 4°), the public accountant's payment details and the PES codes."""

    name = models.CharField(_("nom de l'ordonnateur"), max_length=200)
    siret = models.CharField(_("SIRET"), max_length=14, validators=[validate_siret])
    address = models.TextField(_("adresse"))
    signatory_first_name = models.CharField(_("prénom de l'ordonnateur"), max_length=100)
    signatory_last_name = models.CharField(_("nom de l'ordonnateur"), max_length=100)
    signatory_title = models.CharField(_("qualité de l'ordonnateur"), max_length=200)
    contest_email = models.EmailField(_("adresse de contestation"))
    accountant = models.CharField(_("comptable public"), max_length=200)
    accountant_address = models.TextField(_("adresse du comptable"))
    iban = models.CharField(_("IBAN du comptable"), max_length=40, validators=[validate_iban])
    bic = models.CharField(_("BIC"), max_length=11, validators=[validate_bic])
    # CGCT L1617-5 2° and CJA R421-5: the court named for contesting the debt (see
    # billing.validators.validate_court and the issuer page).
    court = models.CharField(
        _("juridiction compétente"), max_length=200, validators=[validate_court]
    )
    # What the public accountant assigns, in the formats of the PES technical dossier
    # (billing/pes.py cites each rule).
    budget_code = models.CharField(
        _("code budget (PES)"), max_length=2, default="00", validators=[validate_budget_code]
    )
    collectivity_code = models.CharField(
        _("code collectivité (PES)"),
        max_length=3,
        default="001",
        validators=[validate_collectivity_code],
    )
    post_id = models.CharField(
        _("identifiant du poste comptable (PES)"), max_length=7, validators=[validate_post_id]
    )
    revenue_nature = models.CharField(
        _("nature comptable (imputation)"),
        max_length=12,
        default="70688",
        validators=[validate_nature],
    )
    function_code = models.CharField(
        _("fonction"), max_length=10, default="020", blank=True, validators=[validate_function_code]
    )
    product_code = models.CharField(
        _("code produit local (PES)"), max_length=4, validators=[validate_product_code]
    )
    first_bordereau_number = models.PositiveIntegerField(
        _("premier numéro de bordereau du portail"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(9_999_999)],
    )
    first_piece_number = models.PositiveIntegerField(
        _("premier numéro de titre du portail"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(99_999_999)],
    )
    cat_tiers = models.CharField(
        _("catégorie de l'ordonnateur (PES)"),
        max_length=2,
        choices=[
            ("21", _("Région")),
            ("22", _("Département")),
            ("23", _("Commune")),
            ("24", _("Groupement de collectivités")),
        ],
        default="22",
    )
    pes_dematerialised = models.BooleanField(
        _("bordereaux signés électroniquement (parapheur)"), default=False
    )
    chorus_asap = models.BooleanField(
        _("avis des sommes à payer déposés dans Chorus Pro par Hélios"), default=False
    )
    asap_ref_bdf = models.CharField(
        _("référence Banque de France du budget (ASAP)"),
        max_length=13,
        blank=True,
        validators=[validate_ref_bdf],
    )
    encashment_centre_address = models.TextField(
        _("adresse du centre d'encaissement (ASAP)"), blank=True
    )

    class Meta:
        verbose_name = _("ordonnateur")

    def __str__(self) -> str:
        return self.name

    @property
    def signatory(self) -> str:
        return f"{self.signatory_first_name} {self.signatory_last_name}"

    def clean(self) -> None:
        from billing.pes import postal_address

        # PES_FactureAller_blocs (TInfoSuppl/RefBdf, TTiersFacture type 25): an ASAP is
        # rejected without the budget's Banque de France reference and the centre's address.
        if self.chorus_asap:
            errors = {}
            if not self.asap_ref_bdf:
                errors["asap_ref_bdf"] = _("Obligatoire pour déposer les avis dans Chorus Pro.")
            if postal_address(self.encashment_centre_address) is None:
                errors["encashment_centre_address"] = _(
                    "Indiquez l'adresse du centre d'encaissement avec son code postal et sa"
                    " commune sur la dernière ligne (ex. « 35908 RENNES CEDEX 9 »)."
                )
            if errors:
                raise ValidationError(errors)


# Every field of the issuer is edited by finance staff (its page and billing.services.settings).
ISSUER_FIELDS = tuple(f.name for f in Issuer._meta.fields if f.name != "id")


class BillingProfile(models.Model):
    """A member as a debtor: Chorus Pro identification (SIRET, service code, engagement
    number) and where its titres are sent."""

    collectivite = models.OneToOneField(
        "tenants.Collectivite", on_delete=models.CASCADE, related_name="billing_profile"
    )
    siret = models.CharField(
        _("SIRET du service débiteur"), max_length=14, blank=True, validators=[validate_siret]
    )
    service_code = models.CharField(_("code service Chorus Pro"), max_length=100, blank=True)
    engagement_number = models.CharField(_("numéro d'engagement"), max_length=50, blank=True)
    # Chorus Pro: each public structure states whether its invoices must carry a service
    # code and an engagement number (BILLING-NOTES.md, "Chorus Pro and the PES").
    service_code_required = models.BooleanField(
        _("code service exigé par le débiteur"), default=False
    )
    engagement_required = models.BooleanField(
        _("numéro d'engagement exigé par le débiteur"), default=False
    )
    address = models.TextField(_("adresse de facturation"), blank=True)
    email = models.EmailField(_("adresse de facturation électronique"), blank=True)

    # What finance staff edit (the member's page and billing.services.settings).
    EDITABLE_FIELDS = (
        "siret",
        "service_code",
        "service_code_required",
        "engagement_number",
        "engagement_required",
        "address",
        "email",
    )

    class Meta:
        verbose_name = _("profil de facturation")

    def __str__(self) -> str:
        return f"Profil de facturation — {self.collectivite_id}"


class Tariff(models.Model):
    """The prices of one agreement model for one year (fixed for the agreement's duration:
    seed 002 art. 4; changed by board decision: seed 003 art. 23)."""

    model = models.ForeignKey(
        "conventions.ConventionModel", on_delete=models.PROTECT, related_name="tariffs"
    )
    year = models.PositiveSmallIntegerField(_("année"))
    decision = models.CharField(_("décision (délibération, annexe)"), max_length=300, blank=True)
    document = models.CharField(
        _("document adressé au membre"),
        max_length=8,
        choices=BillingDocument.choices,
        default=BillingDocument.TITRE,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("tarif")
        ordering = ["-year", "model__name"]
        constraints = [
            models.UniqueConstraint(fields=["model", "year"], name="billing_tariff_one_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.model} — {self.year}"


class TariffLine(models.Model):
    class Kind(models.TextChoices):
        APPLICATION = "application", _("Coût annuel d'une application (part population)")
        BRACKET = "bracket", _("Tranche de population")
        PACKAGE = "package", _("Forfait")
        SERVICE = "service", _("Prestation complémentaire (à l'unité)")

    tariff = models.ForeignKey(Tariff, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(_("nature"), max_length=12, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(default=0)
    application = models.ForeignKey(
        "conventions.Application", on_delete=models.PROTECT, null=True, blank=True
    )
    code = models.SlugField(_("code"), max_length=50, blank=True)
    label = models.CharField(_("libellé"), max_length=200)
    # Annual cost (application), amount (bracket), price (package) or unit price (service).
    amount_cents = models.BigIntegerField(_("montant (centimes)"))
    participation_cents = models.BigIntegerField(
        _("participation de l'opérateur (centimes)"), default=0
    )
    low = models.PositiveIntegerField(_("population à partir de"), null=True, blank=True)
    low_inclusive = models.BooleanField(_("borne basse incluse"), default=True)
    high = models.PositiveIntegerField(_("population jusqu'à"), null=True, blank=True)
    high_inclusive = models.BooleanField(_("borne haute incluse"), default=False)
    unit_label = models.CharField(_("unité"), max_length=50, blank=True)
    vat_rate_bp = models.PositiveSmallIntegerField(_("taux de TVA (points de base)"), default=0)
    includes_vat = models.BooleanField(_("montant TTC"), default=False)

    class Meta:
        verbose_name = _("ligne de tarif")
        ordering = ["tariff", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_cents__gte=0, amount_cents__lte=MAX_CENTS),
                name="billing_tariffline_amount_sane",
            ),
            models.CheckConstraint(
                condition=Q(participation_cents__gte=0)
                & Q(participation_cents__lte=models.F("amount_cents")),
                name="billing_tariffline_participation_le_cost",
            ),
            models.CheckConstraint(
                condition=Q(vat_rate_bp__lte=10000), name="billing_tariffline_vat_sane"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class ConventionPackage(models.Model):
    """Seed 003 art. 2: the package a member chose by deliberation."""

    convention = models.OneToOneField(
        "conventions.Convention", on_delete=models.CASCADE, related_name="billing_package"
    )
    package_code = models.SlugField(_("forfait"), max_length=50)
    decided_by = models.CharField(_("délibération"), max_length=200, blank=True)

    def __str__(self) -> str:
        return self.package_code


class ServiceUsage(models.Model):
    """A complementary service used during the year (seed 003 art. 6)."""

    convention = models.ForeignKey(
        "conventions.Convention", on_delete=models.PROTECT, related_name="service_usages"
    )
    year = models.PositiveSmallIntegerField(_("année"))
    service_code = models.SlugField(_("prestation"), max_length=50)
    quantity = models.DecimalField(_("quantité"), max_digits=8, decimal_places=2)
    used_on = models.DateField(_("date"))
    note = models.CharField(_("objet"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["used_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="billing_usage_positive")
        ]

    def __str__(self) -> str:
        return f"{self.service_code} × {self.quantity}"


class PopulationOverride(models.Model):
    """A finance officer's figure for one member and year, with its written source."""

    collectivite = models.ForeignKey(
        "tenants.Collectivite", on_delete=models.CASCADE, related_name="population_overrides"
    )
    year = models.PositiveSmallIntegerField(_("année facturée"))
    population = models.PositiveIntegerField(_("population"))
    source = models.CharField(_("source"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["collectivite", "year"], name="billing_population_override_once"
            ),
            models.CheckConstraint(condition=~Q(source=""), name="billing_override_has_source"),
        ]

    def __str__(self) -> str:
        return f"{self.population} hab. ({self.source})"
