"""Writes on collectivités: creation (schema cloned from the template) and onboarding."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from portal.audit.trail import SYSTEM_COMMAND, Actor
from portal.catalogue import application_known, applications_for, default_service_codes
from portal.onboarding import host_added, onboarding_steps
from tenants.models import Collectivite, CollectiviteEvent, CommuneReference, Domain, Membership
from tenants.services.access import collectivite_event_record
from tenants.services.members import membership_grant, send_welcome, user_get_or_create

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def schema_name_for(slug: str) -> str:
    """PostgreSQL schema for a slug: "c_" prefix, hyphens as underscores (63 bytes max)."""
    return ("c_" + slug.replace("-", "_"))[:63]


def default_domain_for(slug: str) -> str:
    return f"{slug}.{settings.PORTAL_BASE_DOMAIN}"


@transaction.atomic
def collectivite_create(
    *,
    name: str,
    slug: str,
    kind: str = Collectivite.Kind.COMMUNE,
    insee_code: str = "",
    siren: str = "",
    population_municipale: int | None = None,
    population_totale: int | None = None,
    population_year: int | None = None,
    extra_domains: tuple[str, ...] = (),
    services: list[str] | None = None,
) -> Collectivite:
    """Create a member collectivité: its row, its schema (cloned from TENANT_BASE_SCHEMA) and
    its domains ("<slug>.<base domain>" first). All or nothing: the schema is created inside
    the same transaction, so a failure anywhere leaves no schema, row or domain behind."""
    if not SLUG_RE.match(slug or ""):
        raise ValidationError(
            {
                "slug": "L'identifiant ne peut contenir que des lettres minuscules, chiffres et tirets."
            }
        )
    collectivite = Collectivite(
        name=name,
        slug=slug,
        kind=kind,
        insee_code=insee_code,
        siren=siren,
        population_municipale=population_municipale,
        population_totale=population_totale,
        population_year=population_year,
        schema_name=schema_name_for(slug),
    )
    if services is not None:
        collectivite.services = list(services)
    collectivite.full_clean()
    collectivite.save(verbosity=0)
    for index, host in enumerate((default_domain_for(slug), *extra_domains)):
        domain = Domain(domain=host.lower(), tenant=collectivite, is_primary=index == 0)
        domain.full_clean()
        domain.save()
        # Issue 12: each member host is a client of the operator's single sign-on (identity).
        host_added(host=domain.domain)
    return collectivite


def _domain_taken(host: str) -> bool:
    return Domain.objects.filter(domain__iexact=host).exists()


@transaction.atomic
def commune_onboard(
    *,
    insee_code: str,
    slug: str,
    referent_email: str,
    referent_first_name: str = "",
    referent_last_name: str = "",
    services: list[str] | tuple[str, ...] | None = None,
    extra_domains: tuple[str, ...] = (),
    acting_user: Actor = SYSTEM_COMMAND,  # the command line and the demo onboard as the system
    steps: dict | None = None,
) -> Collectivite:
    """Bring a commune of the reference list onto the platform: its tenant (schema cloned from
    the template), its domains, its référent's admin membership and the history row; the
    référent is e-mailed a one-time link to set a password once everything is committed;
    the apps' onboarding steps (portal.onboarding) run with ``steps``, their fields' values.

    All or nothing: any error (French, by form field) leaves no row, domain or schema."""
    errors: dict[str, str] = {}
    reference = CommuneReference.objects.filter(insee_code=(insee_code or "").strip()).first()
    if reference is None:
        errors["insee_code"] = "Cette commune n'est pas dans le référentiel des communes."
    else:
        onboarded = Collectivite.objects.filter(
            insee_code=reference.insee_code, kind=Collectivite.Kind.COMMUNE
        ).first()
        if onboarded is not None:
            errors["insee_code"] = (
                f"{reference.name} est déjà raccordée à la plateforme "
                f"(identifiant « {onboarded.slug} »)."
            )
    slug = (slug or "").strip().lower()
    if not SLUG_RE.match(slug):
        errors["slug"] = (
            "L'identifiant ne peut contenir que des lettres minuscules, chiffres et tirets."
        )
    elif Collectivite.objects.filter(slug=slug).exists() or _domain_taken(default_domain_for(slug)):
        errors["slug"] = f"L'identifiant « {slug} » est déjà pris."
    hosts = [host.strip().lower() for host in extra_domains if host.strip()]
    for host in hosts:
        if not DOMAIN_RE.match(host):
            errors["extra_domains"] = f"« {host} » n'est pas un nom de domaine valide."
        elif _domain_taken(host) or hosts.count(host) > 1:
            errors["extra_domains"] = f"Le domaine « {host} » est déjà utilisé."
    if services is None:
        services = default_service_codes()
    unknown = [code for code in services if not application_known(code)]
    if unknown:
        errors["services"] = "Application inconnue : " + ", ".join(unknown) + "."
    try:
        validate_email((referent_email or "").strip())
    except ValidationError:
        errors["referent_email"] = "Saisissez une adresse électronique valide."
    if errors:
        raise ValidationError(errors)

    try:
        collectivite = collectivite_create(
            name=reference.name,
            slug=slug,
            insee_code=reference.insee_code,
            siren=reference.siren,
            population_municipale=reference.population_municipale,
            population_totale=reference.population_totale,
            population_year=reference.population_year,
            extra_domains=tuple(hosts),
            services=[app.code for app in applications_for(list(services))],
        )
    except IntegrityError as exc:  # a concurrent onboarding won the race (unique constraints)
        raise ValidationError(
            "Cette commune, cet identifiant ou ce domaine vient d'être raccordé par ailleurs."
        ) from exc
    referent = user_get_or_create(
        email=referent_email, first_name=referent_first_name, last_name=referent_last_name
    )
    membership_grant(user=referent, collectivite=collectivite, role=Membership.Role.ADMIN)
    collectivite_event_record(collectivite, CollectiviteEvent.Action.ONBOARD, acting_user)
    for step in onboarding_steps():  # issue 9: conventions starts a draft convention
        step.run(
            collectivite=collectivite,
            services=list(services),
            values=steps or {},
            acting_user=acting_user,
        )
    transaction.on_commit(
        lambda: send_welcome(
            user_id=referent.pk, collectivite_id=collectivite.pk, role=Membership.Role.ADMIN
        )
    )
    return collectivite
