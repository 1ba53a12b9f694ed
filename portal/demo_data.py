"""The demo's operator, communes and accounts (make demo). Seeding is idempotent: a second
run finds everything in place and changes nothing.

Apps add their own demo data with a ``demo.py`` module defining ``seed_public()`` (run in
the public schema) and/or ``seed_tenant(collectivite)`` (run inside each demo commune's
schema); both must be idempotent too.
"""

from dataclasses import dataclass
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction

from portal.accounts.models import User
from tenants.models import Collectivite, CommuneReference, Domain, Membership
from tenants.services import collectivite_create, membership_grant

DEMO_PASSWORD = "demo-portail-2026"


@dataclass(frozen=True)
class DemoCommune:
    slug: str
    name: str  # for the banner; the commune itself is made from the reference list
    insee_code: str


# SIREN and populations come from the shipped reference list (tenants.demo loads it first).
COMMUNES = (
    DemoCommune("puy-saint-andre", "Puy-Saint-André", "05107"),
    DemoCommune("briancon", "Briançon", "05023"),
    DemoCommune("embrun", "Embrun", "05046"),
)

PLATFORM_ACCOUNTS = (
    (
        "plateforme@hautes-alpes.demo",
        "Paule",
        "Admin",
        {"is_platform_admin": True, "is_staff": True},
    ),
    ("finances@hautes-alpes.demo", "Fabien", "Finances", {"is_finance": True}),
    ("usager@demo.fr", "Camille", "Usager", {}),
)


def demo_accounts() -> list[tuple[str, str]]:
    """(e-mail, what it is) for every demo account, for the README and the demo banner."""
    accounts = [
        ("plateforme@hautes-alpes.demo", "administrateur de la plateforme (opérateur)"),
        ("finances@hautes-alpes.demo", "agent financier (opérateur)"),
        ("support@hautes-alpes.demo", "support aux membres (opérateur)"),
        ("usager@demo.fr", "usager (compte unique, valable dans toutes les communes)"),
    ]
    for commune in COMMUNES:
        accounts.append((f"admin@{commune.slug}.demo", f"administrateur de {commune.name}"))
        accounts.append((f"agent@{commune.slug}.demo", f"agent de {commune.name}"))
    return accounts


def _user(email: str, first_name: str, last_name: str, **flags) -> User:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, first_name=first_name, last_name=last_name, **flags
        )
    return user


def _operator() -> Collectivite:
    operator, _ = Collectivite.objects.get_or_create(
        schema_name="public",
        defaults={
            "name": settings.OPERATOR_NAME,
            "slug": "hautes-alpes",
            "kind": Collectivite.Kind.DEPARTEMENT,
        },
    )
    Domain.objects.get_or_create(
        domain="localhost", defaults={"tenant": operator, "is_primary": True}
    )
    return operator


def _commune(spec: DemoCommune) -> Collectivite:
    existing = Collectivite.objects.filter(slug=spec.slug).first()
    if existing:
        return existing
    reference = CommuneReference.objects.get(insee_code=spec.insee_code)
    return collectivite_create(
        name=reference.name,
        slug=spec.slug,
        insee_code=reference.insee_code,
        siren=reference.siren,
        population_municipale=reference.population_municipale,
        population_totale=reference.population_totale,
        population_year=reference.population_year,
    )


def _app_demo_modules():
    for config in apps.get_app_configs():
        try:
            yield import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise


def seed() -> list[Collectivite]:
    modules = list(_app_demo_modules())
    for module in modules:
        if hasattr(module, "seed_public"):
            with transaction.atomic():
                module.seed_public()
    with transaction.atomic():
        _operator()
        for email, first, last, flags in PLATFORM_ACCOUNTS:
            _user(email, first, last, **flags)
        communes = []
        for spec in COMMUNES:
            commune = _commune(spec)
            communes.append(commune)
            if not Membership.objects.filter(collectivite=commune).exists():
                admin = _user(f"admin@{spec.slug}.demo", "Alex", f"Admin {spec.name}")
                agent = _user(f"agent@{spec.slug}.demo", "Dominique", f"Agent {spec.name}")
                membership_grant(
                    user=admin,
                    collectivite=commune,
                    role=Membership.Role.ADMIN,
                    title="Secrétaire générale de mairie",
                )
                membership_grant(
                    user=agent,
                    collectivite=commune,
                    role=Membership.Role.AGENT,
                    title="Agent instructeur",
                )
    for commune in communes:
        connection.set_tenant(commune)
        try:
            for module in modules:
                if hasattr(module, "seed_tenant"):
                    with transaction.atomic():
                        module.seed_tenant(commune)
        finally:
            connection.set_schema_to_public()
    return communes
