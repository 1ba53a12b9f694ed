"""make demo: the reference list of communes (loaded once from the shipped file), the
operator, the platform accounts, the three demo communes with their admin and agent, and
each demo commune's contact details, so that its home page shows what a real one would."""

from dataclasses import dataclass

from django.conf import settings

from portal.accounts.models import User
from portal.demo_data import DEMO_PASSWORD
from tenants.models import Collectivite, CommuneReference, Domain, Membership
from tenants.services import collectivite_create, membership_grant
from tenants.services.reference import SHIPPED_FILE, commune_reference_import_files


@dataclass(frozen=True)
class DemoCommune:
    slug: str
    name: str  # for the banner; the commune itself is made from the reference list
    insee_code: str


# SIREN and populations come from the shipped reference list.
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


def demo_sites() -> list[tuple[str, str]]:
    return [(commune.name, commune.slug) for commune in COMMUNES]


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


def seed_public() -> None:
    if not CommuneReference.objects.exists():
        commune_reference_import_files(paths=[SHIPPED_FILE])


def seed_tenants() -> list[Collectivite]:
    """The operator, the platform accounts and the demo communes with their admin and agent."""
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
            # CRPA L212-1: decisions state their signatory's title (qualité).
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
    return communes


def seed_tenant(collectivite: Collectivite) -> None:
    if collectivite.contact_email:
        return  # already seeded, or edited by its admin since
    values = {
        "contact_address": f"Mairie\nPlace de la Mairie\n{collectivite.name}",
        "contact_phone": "04 92 00 00 00",
        "contact_email": f"mairie@{collectivite.slug}.demo",
        "dpo_name": "Délégué mutualisé du Département",
        "dpo_email": "dpo@hautes-alpes.demo",
    }
    Collectivite.objects.filter(pk=collectivite.pk).update(**values)
    # The same object is the active tenant of the next apps' seeds (forms take its contact).
    for name, value in values.items():
        setattr(collectivite, name, value)
