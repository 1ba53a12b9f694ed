"""Demo data for each demo commune: services, places, appointment types and the agents'
weekly openings (idempotent: nothing is added once the commune has a service)."""

from datetime import time

from django.utils import timezone

from portal.audit.trail import SYSTEM_COMMAND
from rendezvous.models import AppointmentType, Mode, OpeningRule, Place, Service
from rendezvous.services import place_save
from tenants.models import Membership

TYPES = (
    # service, name, keywords, minutes, modes, documents, buffer
    (
        "État civil",
        "Dépôt d'une demande de carte d'identité ou de passeport",
        "CNI passeport identité titre voyage",
        20,
        [Mode.IN_PERSON],
        "Pré-demande ANTS, photo d'identité de moins de 6 mois, justificatif de domicile, "
        "ancien titre.",
        10,
    ),
    (
        "État civil",
        "Retrait d'une carte d'identité ou d'un passeport",
        "CNI passeport retrait",
        10,
        [Mode.IN_PERSON],
        "Récépissé de dépôt, ancien titre.",
        0,
    ),
    (
        "Urbanisme",
        "Conseil avant un permis de construire ou une déclaration préalable",
        "travaux permis construire déclaration préalable PLU",
        30,
        [Mode.IN_PERSON, Mode.VISIO, Mode.PHONE],
        "Plan de situation, photos du terrain, esquisse du projet.",
        0,
    ),
    (
        "Action sociale (CCAS)",
        "Entretien avec un travailleur social",
        "aide sociale RSA logement énergie secours",
        45,
        [Mode.IN_PERSON, Mode.PHONE, Mode.VISIO],
        "Pièce d'identité, derniers justificatifs de ressources.",
        15,
    ),
    (
        "Élus",
        "Rendez-vous avec un élu",
        "maire adjoint élu conseil",
        30,
        [Mode.IN_PERSON, Mode.VISIO],
        "",
        0,
    ),
)


def seed_tenant(collectivite) -> None:
    if Service.objects.exists():
        return
    services = {}
    for service_name, *_rest in TYPES:
        if service_name not in services:
            services[service_name] = Service.objects.create(name=service_name)
    # Issue 11: the places' hours are the ones citizens read (the home shows the mairie's,
    # its reception) and bound the slots; every opening below lies inside them.
    mairie = place_save(
        acting_user=SYSTEM_COMMAND,
        place=Place(
            name=f"Mairie de {collectivite.name}",
            address=f"Place de la Mairie, {collectivite.name}",
            access_info="Accès de plain-pied, place de stationnement réservée devant l'entrée.",
            is_reception=True,
        ),
        hours={day: [(time(8, 30), time(12)), (time(13, 30), time(17))] for day in range(5)},
    )
    ccas = place_save(
        acting_user=SYSTEM_COMMAND,
        place=Place(
            name="Espace solidarités",
            address=f"2 rue des Écoles, {collectivite.name}",
            access_info="Ascenseur au fond du hall.",
        ),
        hours={day: [(time(9), time(12))] for day in (1, 3)},
    )
    kinds = []
    for service_name, name, keywords, minutes, modes, documents, buffer in TYPES:
        kinds.append(
            AppointmentType.objects.create(
                service=services[service_name],
                name=name,
                keywords=keywords,
                duration_minutes=minutes,
                modes=modes,
                documents_to_bring=documents,
                buffer_minutes=buffer,
                min_delay_hours=2,
                max_delay_days=90,
            )
        )
    today = timezone.localdate()
    agent_ids = list(
        Membership.objects.filter(collectivite=collectivite, is_active=True)
        .order_by("role", "pk")
        .values_list("user_id", flat=True)
    )
    for index, agent_id in enumerate(agent_ids):
        for weekday in range(5):
            # Tuesday and Thursday mornings are spent at the Espace solidarités.
            start, end = (time(14), time(17)) if weekday in (1, 3) else (time(9), time(12))
            at_mairie = OpeningRule.objects.create(
                agent_id=agent_id,
                place=mairie,
                weekday=weekday,
                start_time=start,
                end_time=end,
                valid_from=today,
            )
            at_mairie.types.set(kinds[:3] if index % 2 == 0 else kinds[2:])
        for weekday in (1, 3):
            social = OpeningRule.objects.create(
                agent_id=agent_id,
                place=ccas,
                weekday=weekday,
                start_time=time(9),
                end_time=time(12),
                valid_from=today,
            )
            social.types.set([kinds[3]])
