"""Public schema: the application catalogue, agreement models and members' conventions.

Dates are legal days (``date``); what a rule computes from them lives in
``conventions.terms`` (pure functions, one per rule, each citing its seed and article).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Application(models.Model):
    """An application a member may use (what ``Collectivite.services`` stores, by code)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    label = models.CharField(_("libellé"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # Where citizens use it on the commune's host (None: a back-office tool, no public page).
    citizen_path = models.CharField(  # noqa: DJ001 (the contract: None means no public page)
        _("adresse publique"), max_length=100, null=True, blank=True
    )
    # Given to a member onboarded before any convention covers it.
    is_default = models.BooleanField(_("proposée par défaut"), default=False)
    position = models.PositiveSmallIntegerField(_("ordre"), default=100)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.label


class ConventionModel(models.Model):
    """A kind of agreement the operator offers: its applications, pricing and date rules.

    The five seeds ship as ready models (migration 0002); platform admins edit them in the
    technical administration."""

    class Pricing(models.TextChoices):
        FREE = "free", _("Gratuit")
        STATUTORY = "statutory", _("Contribution statutaire (pas de titre)")
        POPULATION_SHARE = "population_share", _("Part au prorata de la population")
        POPULATION_BRACKETS = "population_brackets", _("Tranches de population")
        PACKAGES = "packages", _("Forfaits et prestations complémentaires")

    class PopulationKind(models.TextChoices):
        MUNICIPALE = "municipale", _("Population municipale")
        TOTALE = "totale", _("Population totale")

    class PeriodBasis(models.TextChoices):
        # Periods of ``period_months`` counted from the start date (seeds 000, 001, 004).
        START_DATE = "start_date", _("À compter de la date de départ")
        # Calendar years (seeds 002, 003).
        CALENDAR_YEAR = "calendar_year", _("Années civiles")

    class NoticeRule(models.TextChoices):
        # Notice at least N months before the end of the current period (seeds 000, 001).
        MONTHS_BEFORE_END = "months_before_end", _("N mois avant l'échéance")
        # Notice by a fixed day of the year, effective at the end of that year (002, 003).
        DAY_OF_YEAR = "day_of_year", _("Au plus tard à une date de l'année")
        NONE = "none", _("Pas de dénonciation prévue")

    class AmendmentRule(models.TextChoices):
        # Seed 002 art. 9: requested by a day of the year, applies on 1 January next.
        NEXT_YEAR = "next_year", _("Applicable au 1er janvier suivant")
        # Otherwise: from the effective date the avenant sets.
        AS_AGREED = "as_agreed", _("À la date fixée par l'avenant")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    seed = models.CharField(_("modèle source"), max_length=3, blank=True)
    description = models.TextField(_("description"), blank=True)
    applications = models.ManyToManyField(
        Application, related_name="convention_models", verbose_name=_("applications")
    )
    pricing = models.CharField(_("tarification"), max_length=30, choices=Pricing.choices)
    population_kind = models.CharField(
        _("population retenue"),
        max_length=12,
        choices=PopulationKind.choices,
        default=PopulationKind.TOTALE,
    )
    population_vintage = models.PositiveSmallIntegerField(
        _("millésime INSEE"), null=True, blank=True
    )
    is_offered = models.BooleanField(_("proposé"), default=True)

    # Duration and renewal.
    period_basis = models.CharField(
        _("périodes"), max_length=20, choices=PeriodBasis.choices, default=PeriodBasis.START_DATE
    )
    period_months = models.PositiveSmallIntegerField(_("durée d'une période (mois)"), default=12)
    tacit_renewal = models.BooleanField(_("tacite reconduction"), default=True)
    # Fixed term in periods (seed 002: 3 calendar years), when there is no tacit renewal.
    fixed_periods = models.PositiveSmallIntegerField(
        _("nombre de périodes (durée ferme)"), null=True, blank=True
    )

    # Notice (dénonciation).
    notice_rule = models.CharField(
        _("règle de dénonciation"),
        max_length=20,
        choices=NoticeRule.choices,
        default=NoticeRule.MONTHS_BEFORE_END,
    )
    notice_months = models.PositiveSmallIntegerField(_("préavis (mois)"), default=3)
    # "MM-DD": the last day of the year a notice is on time (inclusive).
    notice_deadline_member = models.CharField(
        _("date limite de dénonciation par le membre (MM-JJ)"), max_length=5, blank=True
    )
    notice_deadline_operator = models.CharField(
        _("date limite de dénonciation par l'opérateur (MM-JJ)"), max_length=5, blank=True
    )
    operator_may_end_anytime = models.BooleanField(
        _("résiliation pour motif d'intérêt général"), default=False
    )

    # Amendments (avenants).
    amendment_rule = models.CharField(
        _("prise d'effet des avenants"),
        max_length=20,
        choices=AmendmentRule.choices,
        default=AmendmentRule.AS_AGREED,
    )
    amendment_request_deadline = models.CharField(
        _("date limite de demande d'avenant (MM-JJ)"), max_length=5, blank=True
    )
    amendment_answer_months = models.PositiveSmallIntegerField(
        _("délai de réponse à une demande (mois)"), default=1
    )
    # Seed 003 art. 23: months to withdraw after a tariff rise is notified.
    tariff_withdrawal_months = models.PositiveSmallIntegerField(
        _("délai de retrait après hausse de tarif (mois)"), null=True, blank=True
    )

    # Collective entry into force (seed 004 art. 5).
    threshold_cents = models.BigIntegerField(
        _("seuil d'entrée en vigueur (centimes TTC)"), null=True, blank=True
    )
    threshold_last_day = models.DateField(
        _("dernier jour pour atteindre le seuil"), null=True, blank=True
    )
    # Seed 000 art. 8: the member sends a yearly usage report.
    usage_report = models.BooleanField(_("compte rendu annuel d'utilisation"), default=False)

    class Meta:
        verbose_name = _("modèle de convention")
        verbose_name_plural = _("modèles de convention")
        ordering = ["seed", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_threshold(self) -> bool:
        return self.threshold_cents is not None


class ConventionQuerySet(models.QuerySet):
    def in_force(self):
        return self.filter(state__in=Convention.IN_FORCE)


class Convention(models.Model):
    """One member's agreement under a model."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        SENT = "sent", _("Envoyée pour signature")
        SIGNED = "signed", _("Signée")
        WAITING_THRESHOLD = "waiting_threshold", _("En attente du seuil collectif")
        ACTIVE = "active", _("En vigueur")
        SUSPENDED = "suspended", _("Suspendue")
        TERMINATED = "terminated", _("Résiliée")
        EXPIRED = "expired", _("Échue")

    # States in which the member is bound: one such convention per model and member (DB).
    LIVE = (State.SIGNED, State.WAITING_THRESHOLD, State.ACTIVE, State.SUSPENDED)
    # States in which its applications are used.
    IN_FORCE = (State.ACTIVE,)
    ENDED = (State.TERMINATED, State.EXPIRED)

    model = models.ForeignKey(
        ConventionModel,
        on_delete=models.PROTECT,
        related_name="conventions",
        verbose_name=_("modèle"),
    )
    collectivite = models.ForeignKey(
        "tenants.Collectivite",
        on_delete=models.PROTECT,
        related_name="conventions",
        verbose_name=_("collectivité"),
    )
    state = models.CharField(
        _("état"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )
    signed_on = models.DateField(_("signée le"), null=True, blank=True)
    starts_on = models.DateField(_("prend effet le"), null=True, blank=True)
    # Last day in force, once known (fixed term, effective notice, collective lapse).
    ends_on = models.DateField(_("dernier jour"), null=True, blank=True)
    # Seed 004 art. 4: the member's signed financial commitment, in cents TTC.
    commitment_cents = models.BigIntegerField(
        _("engagement financier (centimes TTC)"), null=True, blank=True
    )
    member_signatory = models.CharField(_("signataire pour le membre"), max_length=200, blank=True)
    member_signatory_title = models.CharField(_("qualité"), max_length=200, blank=True)
    operator_signatory = models.CharField(
        _("signataire pour l'opérateur"), max_length=200, blank=True
    )
    operator_signatory_title = models.CharField(
        _("qualité du signataire de l'opérateur"), max_length=200, blank=True
    )
    state_reason = models.TextField(_("motif"), blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ConventionQuerySet.as_manager()

    class Meta:
        verbose_name = _("convention")
        verbose_name_plural = _("conventions")
        ordering = ["collectivite__name", "-id"]
        constraints = [
            # Issue 9: never two live conventions of the same model for one member.
            models.UniqueConstraint(
                fields=["model", "collectivite"],
                condition=Q(state__in=["signed", "waiting_threshold", "active", "suspended"]),
                name="convention_one_live_per_model_and_member",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="convention_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(commitment_cents__isnull=True) | Q(commitment_cents__gte=0),
                name="convention_commitment_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.collectivite} ({self.model})"

    @property
    def reference(self) -> str:
        return f"CONV-{self.pk:05d}" if self.pk else "CONV-?"

    @property
    def badge(self) -> str:
        """The badge modifier that shows this state (templates/components/README.md)."""
        return BADGES.get(self.state, "badge--info")


BADGES = {
    Convention.State.ACTIVE: "badge--success",
    Convention.State.SUSPENDED: "badge--error",
    Convention.State.TERMINATED: "badge--error",
    Convention.State.EXPIRED: "badge--neutral",
}


class ConventionApplication(models.Model):
    """An application covered by a convention, from one day to another (inclusive)."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="coverages")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="coverages")
    # None until the convention's start is known (draft, sent).
    applies_from = models.DateField(_("à partir du"), null=True, blank=True)
    applies_to = models.DateField(_("jusqu'au"), null=True, blank=True)
    amendment = models.ForeignKey(
        "conventions.Amendment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coverages",
    )

    class Meta:
        verbose_name = _("application couverte")
        verbose_name_plural = _("applications couvertes")
        ordering = ["application__position", "applies_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(applies_to__isnull=True)
                | Q(applies_from__isnull=True)
                | Q(applies_to__gte=models.F("applies_from")),
                name="coverage_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id} ({self.applies_from} → {self.applies_to})"

    def covers(self, day) -> bool:
        return (self.applies_from is not None and self.applies_from <= day) and (
            self.applies_to is None or day <= self.applies_to
        )


class Period(models.Model):
    """One period of a convention (the first, then each tacit renewal)."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="periods")
    number = models.PositiveSmallIntegerField(_("période n°"))
    starts_on = models.DateField(_("du"))
    ends_on = models.DateField(_("au"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("période")
        ordering = ["convention", "number"]
        constraints = [
            models.UniqueConstraint(fields=["convention", "number"], name="period_number_unique")
        ]

    def __str__(self) -> str:
        return f"période {self.number} ({self.starts_on} → {self.ends_on})"


class Notice(models.Model):
    """A notice of termination (dénonciation) received from one party."""

    class Party(models.TextChoices):
        MEMBER = "member", _("Le membre")
        OPERATOR = "operator", _("L'opérateur")

    class Means(models.TextChoices):
        REGISTERED_LETTER = "registered_letter", _("Lettre recommandée avec AR")
        LETTER = "letter", _("Courrier")
        EMAIL = "email", _("Courriel")
        PORTAL = "portal", _("Portail")

    class Kind(models.TextChoices):
        ORDINARY = "ordinary", _("Dénonciation à l'échéance")
        GENERAL_INTEREST = "general_interest", _("Résiliation pour motif d'intérêt général")
        TARIFF_RISE = "tariff_rise", _("Retrait après hausse de tarif")

    convention = models.ForeignKey(Convention, on_delete=models.PROTECT, related_name="notices")
    party = models.CharField(_("partie"), max_length=10, choices=Party.choices)
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices, default=Kind.ORDINARY)
    received_on = models.DateField(_("reçue le"))
    means = models.CharField(_("moyen"), max_length=20, choices=Means.choices)
    # What the rules made of it when it was recorded.
    on_time = models.BooleanField(_("dans les délais"))
    ends_on = models.DateField(_("dernier jour de la convention"))
    reason = models.TextField(_("motif"), blank=True)
    letter = models.ForeignKey(
        "conventions.Document", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn = models.BooleanField(_("retirée"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("dénonciation")
        ordering = ["received_on", "id"]

    def __str__(self) -> str:
        return f"dénonciation du {self.received_on} ({self.party})"


class Amendment(models.Model):
    """An avenant: applications added or removed from an effective date."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Demandé")
        ACCEPTED = "accepted", _("Accepté")
        REFUSED = "refused", _("Refusé")
        APPLIED = "applied", _("Appliqué")

    convention = models.ForeignKey(Convention, on_delete=models.PROTECT, related_name="amendments")
    number = models.PositiveSmallIntegerField(_("avenant n°"))
    state = models.CharField(
        _("état"), max_length=10, choices=State.choices, default=State.REQUESTED
    )
    requested_on = models.DateField(_("demandé le"))
    answer_due_on = models.DateField(_("réponse due le"))
    effective_on = models.DateField(_("prend effet le"))
    add = models.ManyToManyField(Application, related_name="+", blank=True)
    remove = models.ManyToManyField(Application, related_name="+", blank=True)
    note = models.TextField(_("objet"), blank=True)
    answered_on = models.DateField(_("réponse le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("avenant")
        ordering = ["convention", "number"]
        constraints = [
            models.UniqueConstraint(fields=["convention", "number"], name="amendment_number_unique")
        ]

    def __str__(self) -> str:
        return f"avenant n°{self.number}"

    @property
    def awaiting_answer(self) -> bool:
        return self.state == self.State.REQUESTED


class Document(models.Model):
    """A file of a convention: issued by the worker (owed until then) or uploaded.

    Stored in the database so that it is written in the transaction of the step that owes
    or brings it. An owed document has no content yet; the worker issues it once."""

    class Kind(models.TextChoices):
        AGREEMENT = "agreement", _("Convention à signer")
        SIGNED = "signed", _("Convention signée (scan)")
        NOTICE_LETTER = "notice_letter", _("Courrier de dénonciation")
        AMENDMENT = "amendment", _("Avenant")
        USAGE_REPORT = "usage_report", _("Compte rendu annuel d'utilisation")

    ISSUED = (Kind.AGREEMENT, Kind.AMENDMENT, Kind.USAGE_REPORT)

    convention = models.ForeignKey(Convention, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    amendment = models.ForeignKey(
        Amendment, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True)  # usage reports
    filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, default="application/pdf")
    size = models.PositiveIntegerField(default=0)
    content = models.BinaryField(null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)  # None: owed
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("document de convention")
        ordering = ["created_at", "id"]
        constraints = [
            # An agreement PDF once per convention, an avenant once, a report once per year.
            models.UniqueConstraint(
                fields=["convention"],
                condition=Q(kind="agreement"),
                name="convention_document_one_agreement",
            ),
            models.UniqueConstraint(
                fields=["amendment"],
                condition=Q(kind="amendment"),
                name="convention_document_one_per_amendment",
            ),
            models.UniqueConstraint(
                fields=["convention", "year"],
                condition=Q(kind="usage_report"),
                name="convention_document_one_report_per_year",
            ),
        ]

    def __str__(self) -> str:
        return self.filename or self.kind

    @property
    def is_owed(self) -> bool:
        return self.issued_at is None


class Reminder(models.Model):
    """A reminder sent once (unique key): the daily job may run any number of times."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="reminders")
    key = models.CharField(max_length=80)
    due_on = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["convention", "key"], name="reminder_once")]

    def __str__(self) -> str:
        return self.key
