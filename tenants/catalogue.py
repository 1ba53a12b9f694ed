"""The applications a member may use, until the conventions app brings its own catalogue.

Codes are what Collectivite.services stores. ``citizen_path`` is where citizens use the
application on the commune's host (None: a back-office tool with no public page).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Application:
    code: str
    label: str
    description: str = ""
    citizen_path: str | None = None


APPLICATIONS: tuple[Application, ...] = (
    # Seed 000: saisine par voie électronique, and the "Smart Services rendez-vous" brochure.
    Application(
        "sve",
        "Démarches en ligne (SVE)",
        "Saisine par voie électronique : formulaires, accusés, suivi des demandes.",
        "/demarches/",
    ),
    Application(
        "rendezvous",
        "Prise de rendez-vous",
        "Rendez-vous en ligne 24 h/24, en présentiel, par téléphone ou en visio.",
        "/rendez-vous/",
    ),
    # Seed 002: e-administration and public procurement are priced applications.
    Application("e-administration", "E-administration", "Bouquet de services numériques."),
    Application("marches-publics", "Marchés publics", "Profil d'acheteur et dématérialisation."),
    # Seed 001: the tools ticked per member.
    Application(
        "actes", "Télétransmission des actes", "Contrôle de légalité dématérialisé (@CTES)."
    ),
    Application("helios", "Télétransmission comptable", "Flux comptables vers la DGFiP."),
    Application("parapheur", "Parapheur électronique", "Circuits de signature électronique."),
    Application("convocation", "Convocation électronique des élus", "Envoi des convocations."),
    Application("lettre-recommandee", "Lettre recommandée électronique", ""),
)

DEFAULT_SERVICES = ("sve", "rendezvous")

_BY_CODE = {application.code: application for application in APPLICATIONS}


def application_choices() -> list[tuple[str, str]]:
    return [(application.code, application.label) for application in APPLICATIONS]


def application_get(code: str) -> Application | None:
    return _BY_CODE.get(code)


def applications_for(codes: list[str]) -> list[Application]:
    """The catalogue entries of ``codes``, in catalogue order (unknown codes skipped)."""
    wanted = set(codes)
    return [application for application in APPLICATIONS if application.code in wanted]
