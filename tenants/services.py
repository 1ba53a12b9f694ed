"""Writes on collectivités: creation (schema cloned from the template), memberships."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from portal.accounts.models import User
from tenants.models import Collectivite, Domain, Membership

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


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
    collectivite.full_clean()
    collectivite.save(verbosity=0)
    for index, host in enumerate((default_domain_for(slug), *extra_domains)):
        domain = Domain(domain=host.lower(), tenant=collectivite, is_primary=index == 0)
        domain.full_clean()
        domain.save()
    return collectivite


def membership_grant(*, user: User, collectivite: Collectivite, role: str) -> Membership:
    """Give (or change, or reactivate) a user's role in a collectivité's back office."""
    membership, _ = Membership.objects.update_or_create(
        user=user, collectivite=collectivite, defaults={"role": role, "is_active": True}
    )
    return membership
