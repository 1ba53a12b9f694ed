"""A member's convention, the applications it covers and its periods."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from conventions.models.catalogue import Application, ConventionModel


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
