"""The tenants (public schema): each member collectivité has its own PostgreSQL schema.

The operator itself is the tenant whose schema is "public" (its site is the operator's).
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.management import call_command
from django.core.validators import RegexValidator
from django.db import connection, models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.postgresql_backend.base import _check_schema_name
from django_tenants.utils import (
    get_creation_fakes_migrations,
    get_public_schema_name,
    schema_exists,
)

from tenants.validators import validate_siren


def default_services() -> list[str]:
    return ["sve", "rendezvous"]


class CollectiviteQuerySet(models.QuerySet):
    def members(self):
        """Every member collectivité, the operator (public schema) excluded."""
        return self.exclude(schema_name=get_public_schema_name())

    def active(self):
        return self.members().filter(status=Collectivite.Status.ACTIVE)


class Collectivite(TenantMixin):
    class Kind(models.TextChoices):
        COMMUNE = "commune", _("Commune")
        EPCI = "epci", _("EPCI")
        CCAS = "ccas", _("CCAS")
        DEPARTEMENT = "departement", _("Département")
        OTHER = "other", _("Autre")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspendue")
        ARCHIVED = "archived", _("Archivée")

    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.COMMUNE)
    slug = models.SlugField(_("identifiant"), max_length=50, unique=True)
    insee_code = models.CharField(
        _("code INSEE"),
        max_length=5,
        blank=True,
        validators=[RegexValidator(r"^(\d{5}|2[AB]\d{3})$", _("Un code INSEE a 5 caractères."))],
    )
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, validators=[validate_siren])
    population_municipale = models.PositiveIntegerField(
        _("population municipale"), null=True, blank=True
    )
    population_totale = models.PositiveIntegerField(_("population totale"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(
        _("millésime de population"), null=True, blank=True
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    # Codes of the services this member uses ("sve", "rendezvous", catalogue applications).
    services = ArrayField(models.CharField(max_length=50), default=default_services, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    # Seed 000 art. 13: a breach may lead to the suspension of access; agents see why.
    suspension_reason = models.TextField(_("motif de suspension"), blank=True)

    # The commune's look and contact details (seed 002: each commune has its own charter).
    primary_color = models.CharField(_("couleur principale"), max_length=7, blank=True)
    logo_version = models.PositiveIntegerField(default=0, editable=False)  # 0: no logo
    contact_address = models.TextField(_("adresse de la mairie"), blank=True)
    contact_phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("adresse électronique"), blank=True)
    # No opening hours here: the home page shows its places' (rendezvous.PlaceHours, issue 11).
    # GDPR art. 13: the data protection officer's contact is given wherever data is collected.
    dpo_name = models.CharField(
        _("délégué à la protection des données"), max_length=200, blank=True
    )
    dpo_email = models.EmailField(_("adresse du délégué à la protection des données"), blank=True)
    # Issue 12: a commune may require a second factor (TOTP) from its admins and agents.
    staff_second_factor_required = models.BooleanField(
        _("double authentification exigée des agents"), default=False
    )

    # The legal pages every French public site carries (tenants/legal.py): the director of
    # publication (LCEN art. 6 III) and the accessibility statement (RGAA, law 2005-102 art. 47).
    class Accessibility(models.TextChoices):
        NONE = "non", _("non conforme")
        PARTIAL = "partial", _("partiellement conforme")
        FULL = "full", _("totalement conforme")

    publication_director = models.CharField(
        _("directeur ou directrice de la publication"), max_length=200, blank=True
    )
    accessibility_status = models.CharField(
        _("état de conformité au RGAA"),
        max_length=10,
        choices=Accessibility.choices,
        default=Accessibility.NONE,
    )
    accessibility_audit = models.TextField(_("audit d'accessibilité"), blank=True)

    # Schemas are made by services.collectivite_create (cloned from TENANT_BASE_SCHEMA) and
    # dropped only explicitly (offboarding keeps them).
    auto_create_schema = True
    auto_drop_schema = False

    objects = CollectiviteQuerySet.as_manager()

    class Meta:
        verbose_name = _("collectivité")
        verbose_name_plural = _("collectivités")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["insee_code", "kind"],
                condition=~models.Q(insee_code=""),
                name="collectivite_insee_kind_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def create_schema(self, check_if_exists=False, sync_schema=True, verbosity=1):
        """As django-tenants does (clone TENANT_BASE_SCHEMA, fake its migrations), but by
        replaying the template's cached DDL (tenants.schema)."""
        from portal.management.commands.migrate_schemas import schemas_behind
        from tenants.schema import schema_clone

        base_schema = self.get_base_schema() if get_creation_fakes_migrations() else None
        if not (sync_schema and base_schema and schema_exists(base_schema)):
            return super().create_schema(check_if_exists, sync_schema, verbosity)
        _check_schema_name(self.schema_name)
        if check_if_exists and schema_exists(self.schema_name):
            return False
        schema_clone(template=base_schema, schema_name=self.schema_name, mode=self.clone_mode)
        # The clone copied the template's django_migrations: when that already names every
        # leaf migration, Django's migrate --fake (a quarter of a second of state
        # rendering) has nothing to record (issue 14: onboarding at 1,000 members).
        if not schemas_behind([self.schema_name]):
            return True
        call_command(
            "migrate_schemas",
            tenant=True,
            fake=True,
            schema_name=self.schema_name,
            interactive=False,
            verbosity=verbosity,
        )
        connection.set_schema_to_public()
        return True

    @property
    def is_suspended(self) -> bool:
        return self.status == self.Status.SUSPENDED

    def has_service(self, code: str) -> bool:
        return code in self.services

    @property
    def is_operator(self) -> bool:
        return self.schema_name == get_public_schema_name()

    @property
    def accessibility_label(self) -> str:
        """get_accessibility_status_display() without rebuilding the choices on every call:
        every page's footer shows it (issue 11 §4)."""
        return self.Accessibility(self.accessibility_status).label

    def primary_url(self) -> str:
        domain = self.get_primary_domain()
        host = domain.domain if domain else settings.PORTAL_BASE_DOMAIN
        port = f":{settings.PORTAL_PORT}" if settings.PORTAL_PORT else ""
        return f"{settings.PORTAL_SCHEME}://{host}{port}/"


class Domain(DomainMixin):
    class Meta:
        verbose_name = _("domaine")
        verbose_name_plural = _("domaines")


class Membership(models.Model):
    """A staff account's role in one collectivité's back office."""

    class Role(models.TextChoices):
        AGENT = "agent", _("Agent")
        ADMIN = "admin", _("Administrateur")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    collectivite = models.ForeignKey(
        Collectivite, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rôle"), max_length=10, choices=Role.choices, default=Role.AGENT)
    # CRPA L212-1: a decision states its signatory's first name, name and title (qualité).
    title = models.CharField(_("qualité"), max_length=150, blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("habilitation")
        verbose_name_plural = _("habilitations")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "collectivite"], name="membership_user_collectivite_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.collectivite} ({self.get_role_display()})"

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN


class CollectiviteLogo(models.Model):
    """The commune's logo, checked on upload (tenants.theming) and served by tenants.views.

    Kept apart from Collectivite so that the row loaded on every request stays small."""

    collectivite = models.OneToOneField(
        Collectivite, on_delete=models.CASCADE, related_name="logo", primary_key=True
    )
    content = models.BinaryField()
    content_type = models.CharField(max_length=50)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Logo de {self.collectivite_id}"


class CollectiviteEvent(models.Model):
    """Who did what to a collectivité's access, and when (onboarding, suspension, lifting,
    data export, archiving): an append-only history."""

    class Action(models.TextChoices):
        ONBOARD = "onboard", _("Raccordement")
        SUSPEND = "suspend", _("Suspension")
        LIFT = "lift", _("Levée de la suspension")
        EXPORT = "export", _("Export des données")
        ARCHIVE = "archive", _("Archivage")
        SECURITY = "security", _("Sécurité des accès")

    collectivite = models.ForeignKey(Collectivite, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    reason = models.TextField(_("motif"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    at = models.DateTimeField(_("le"), auto_now_add=True)

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("historique")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} — {self.collectivite_id} — {self.at:%d/%m/%Y}"


class CommuneReference(models.Model):
    """One French commune from the State's open data (@etalab/decoupage-administratif),
    loaded by ``manage.py import_communes``; onboarding picks communes from this list."""

    insee_code = models.CharField(_("code INSEE"), max_length=5, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    # Name lower-cased without accents or punctuation: PostgreSQL here has no unaccent.
    search_name = models.CharField(max_length=200, db_index=True)
    departement = models.CharField(_("département"), max_length=3, db_index=True)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    postal_codes = ArrayField(models.CharField(max_length=5), default=list, blank=True)
    population_municipale = models.PositiveIntegerField(null=True, blank=True)
    population_totale = models.PositiveIntegerField(null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("commune (référentiel)")
        verbose_name_plural = _("communes (référentiel)")
        ordering = ["name", "insee_code"]
        indexes = [
            models.Index(
                fields=["search_name"],
                name="communeref_search_like",
                opclasses=["varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.insee_code})"


class AccountActivity(models.Model):
    """Where an account has something: one row per (account, member) with requests or
    appointments there, written in the same transaction as the filing or booking.

    The citizen's pages that span communes ("Mes demandes", "Mes rendez-vous") read only
    the schemas named here, so their cost does not grow with the number of members
    (issue 14). Deleted with the account. Counts are of records created (a deleted draft
    is not subtracted): the record may name a schema with nothing left, never miss one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activities"
    )
    collectivite = models.ForeignKey(
        Collectivite, on_delete=models.CASCADE, related_name="account_activities"
    )
    first_at = models.DateTimeField(_("première activité"))
    last_at = models.DateTimeField(_("dernière activité"))
    requests = models.PositiveIntegerField(_("demandes"), default=0)
    appointments = models.PositiveIntegerField(_("rendez-vous"), default=0)

    class Meta:
        verbose_name = _("activité d'un compte")
        verbose_name_plural = _("activité des comptes")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "collectivite"], name="accountactivity_user_collectivite_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} — {self.collectivite_id}"
