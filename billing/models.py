"""Public schema: tariffs, billing campaigns, titres de recette, payments.

Amounts are integers of cents. An issued titre is immutable (database triggers, migration
0001): a correction issues a cancellation titre referring to it and a new titre.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from billing.validators import validate_bic, validate_iban, validate_siret

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
    court = models.CharField(_("juridiction compétente"), max_length=200)
    budget_code = models.CharField(_("code budget (PES)"), max_length=2, default="00")
    collectivity_code = models.CharField(_("code collectivité (PES)"), max_length=3, default="001")
    post_id = models.CharField(_("identifiant du poste comptable (PES)"), max_length=6)
    revenue_nature = models.CharField(
        _("nature comptable (imputation)"), max_length=10, default="70688"
    )
    function_code = models.CharField(_("fonction"), max_length=10, default="020")

    class Meta:
        verbose_name = _("ordonnateur")

    def __str__(self) -> str:
        return self.name

    @property
    def signatory(self) -> str:
        return f"{self.signatory_first_name} {self.signatory_last_name}"


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


class Campaign(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("En préparation")
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("Émission en cours")
        DONE = "done", _("Émise")
        FAILED = "failed", _("Émise avec erreurs")

    year = models.PositiveSmallIntegerField(_("année"))
    convention_models = models.ManyToManyField(
        "conventions.ConventionModel", related_name="billing_campaigns", verbose_name=_("modèles")
    )
    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.DRAFT)
    total = models.PositiveIntegerField(_("titres à émettre"), default=0)
    done = models.PositiveIntegerField(_("traités"), default=0)
    issued = models.PositiveIntegerField(_("émis"), default=0)
    skipped = models.PositiveIntegerField(_("déjà émis"), default=0)
    errors = models.JSONField(_("erreurs"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("campagne de facturation")
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return f"Campagne {self.year} n°{self.pk}"

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else 0


class TitreSequence(models.Model):
    """The last number issued per year (one row, locked in the issuing transaction: numbers
    in one continuous yearly series, no gap, no duplicate)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class Titre(models.Model):
    class Kind(models.TextChoices):
        TITRE = "titre", _("Titre de recette")
        ANNULATION = "annulation", _("Titre d'annulation")
        REDUCTION = "reduction", _("Titre de réduction")

    class Status(models.TextChoices):
        ISSUED = "issued", _("Émis")
        CONTESTED = "contested", _("Contesté")
        CANCELLED = "cancelled", _("Annulé")

    year = models.PositiveSmallIntegerField(_("exercice"))
    number = models.PositiveIntegerField(_("numéro"))
    kind = models.CharField(_("nature"), max_length=12, choices=Kind.choices, default=Kind.TITRE)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.ISSUED, db_index=True
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="titres"
    )
    convention = models.ForeignKey(
        "conventions.Convention", on_delete=models.PROTECT, related_name="titres"
    )
    collectivite = models.ForeignKey(
        "tenants.Collectivite", on_delete=models.PROTECT, related_name="titres"
    )
    # A cancellation/reduction titre refers to the one it corrects; a new titre to the one
    # it replaces.
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    replaces = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replacements"
    )
    document = models.CharField(
        _("document"), max_length=8, choices=BillingDocument.choices, default=BillingDocument.TITRE
    )
    object = models.CharField(_("objet"), max_length=300)
    legal_basis = models.CharField(_("fondement"), max_length=300)
    issued_on = models.DateField(_("émis le"))
    issued_at = models.DateTimeField(auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issuer = models.JSONField(_("ordonnateur"))  # snapshot at issue
    debtor = models.JSONField(_("débiteur"))  # snapshot at issue
    total_ht_cents = models.BigIntegerField()
    total_vat_cents = models.BigIntegerField()
    total_ttc_cents = models.BigIntegerField()
    vat_breakdown = models.JSONField(default=list)  # [[rate_bp, base_cents, vat_cents], ...]
    # Owed document: rendered by the worker after the issuing transaction, once.
    pdf = models.BinaryField(null=True, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    # Owed e-mail (ampliation = notification): sent once.
    mail_owed = models.BooleanField(default=True)
    notified_on = models.DateField(_("notifié le"), null=True, blank=True)
    due_on = models.DateField(_("échéance"), null=True, blank=True)
    contest_until = models.DateField(_("contestable jusqu'au"), null=True, blank=True)

    class Meta:
        verbose_name = _("titre de recette")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="billing_titre_number_unique"),
            # Issue 10: never a second titre for the same member, year and agreement (a new
            # titre after a correction refers to the one it replaces).
            models.UniqueConstraint(
                fields=["convention", "year"],
                condition=Q(kind="titre", replaces__isnull=True),
                name="billing_titre_once_per_convention_year",
            ),
            models.CheckConstraint(
                condition=Q(total_ttc_cents__gte=0), name="billing_titre_total_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"{self.year}-{self.number:05d}"

    @property
    def filename(self) -> str:
        return f"titre-{self.reference}.pdf"

    @property
    def label(self) -> str:
        """What the member's document is called: "Mémoire" for a titre whose agreement bills
        by mémoire, else the kind ("Titre de recette", "Titre d'annulation")."""
        if self.kind == self.Kind.TITRE and self.document == BillingDocument.MEMOIRE:
            return str(BillingDocument.MEMOIRE.label)
        return self.get_kind_display()


class TitreLine(models.Model):
    titre = models.ForeignKey(Titre, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=300)
    basis = models.TextField(_("bases de la liquidation"))
    application = models.CharField(max_length=50, blank=True)
    quantity = models.DecimalField(max_digits=10, decimal_places=2, default=1)
    unit_cents = models.BigIntegerField(null=True, blank=True)
    amount_ht_cents = models.BigIntegerField()
    vat_rate_bp = models.PositiveSmallIntegerField(default=0)
    vat_cents = models.BigIntegerField(default=0)
    amount_ttc_cents = models.BigIntegerField()

    class Meta:
        ordering = ["titre", "position"]

    def __str__(self) -> str:
        return self.label


class Contest(models.Model):
    class Means(models.TextChoices):
        PORTAL = "portal", _("Portail (espace de la commune)")
        EMAIL = "email", _("Courriel reçu par le service financier")

    titre = models.ForeignKey(Titre, on_delete=models.PROTECT, related_name="contests")
    received_on = models.DateField(_("reçue le"))
    means = models.CharField(_("moyen"), max_length=10, choices=Means.choices)
    reason = models.TextField(_("motif"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_on", "id"]

    def __str__(self) -> str:
        return f"Contestation du {self.received_on}"


class Payment(models.Model):
    titre = models.ForeignKey(Titre, on_delete=models.PROTECT, related_name="payments")
    paid_on = models.DateField(_("payé le"))
    amount_cents = models.BigIntegerField(_("montant (centimes)"))
    reference = models.CharField(_("référence"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paid_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="billing_payment_positive")
        ]

    def __str__(self) -> str:
        return f"{self.amount_cents} c le {self.paid_on}"


class Reminder(models.Model):
    """A reminder sent once: ``key`` names it (an overdue titre's step, a campaign day)."""

    key = models.CharField(max_length=100, unique=True)
    titre = models.ForeignKey(
        Titre, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key
