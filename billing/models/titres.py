"""Campaigns, titres de recette and what follows them: lines, contests, payments, reminders.

An issued titre is immutable (database triggers, migrations 0001 and 0002): a correction
issues a cancellation titre referring to it and a new titre."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from billing.models.tariffs import BillingDocument


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
    """A reminder the daily job owes, once per ``key`` (an overdue titre's step, a campaign
    day), and what it says. Sending it once is portal.owed's guarantee (kind ``OWED_KIND``,
    subject this row; sent by ``billing.reminder_send`` to the titre's debtor, or to finance
    staff when it names no titre)."""

    OWED_KIND = "billing.reminder"

    key = models.CharField(max_length=100, unique=True)
    titre = models.ForeignKey(
        Titre, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    subject = models.CharField(max_length=200, default="")
    body = models.TextField(default="")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key


class PesBordereau(models.Model):
    """A bordereau number given in a PES file: the same batch (a campaign's titres, or a
    correction's) keeps its number whenever its file is produced again, and numbers follow
    each other per year and bordereau type from the first number the accountant assigned
    to the portal (Hélios rejects a number it already knows: PES_RecetteAller_blocs,
    IdBord)."""

    year = models.PositiveSmallIntegerField(_("exercice"))
    typ_bord = models.CharField(_("type de bordereau"), max_length=2)
    number = models.PositiveIntegerField(_("numéro"))
    batch = models.CharField(_("lot"), max_length=10)
    total_ht_cents = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bordereau PES")
        ordering = ["year", "typ_bord", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "typ_bord", "number"], name="billing_bordereau_number_unique"
            ),
            models.UniqueConstraint(
                fields=["batch", "typ_bord"], name="billing_bordereau_once_per_batch"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.typ_bord} n° {self.number}"
