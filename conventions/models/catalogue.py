"""The application catalogue and the agreement models the operator offers."""

from django.db import models
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
