"""The catalogue and the five seed agreement models, as shipped (migration 0001 loads them;
``conventions_seed`` in conventions.demo makes sure they exist). Each rule field cites the
article of its seed; platform admins may edit the models afterwards."""

from datetime import date

APPLICATIONS = (
    # code, label, description, citizen_path, is_default, position
    # Seed 000: saisine par voie électronique, and the "Smart Services rendez-vous" brochure.
    (
        "sve",
        "Démarches en ligne (SVE)",
        "Saisine par voie électronique : formulaires, accusés, suivi des demandes.",
        "/demarches/",
        True,
        10,
    ),
    (
        "rendezvous",
        "Prise de rendez-vous",
        "Rendez-vous en ligne 24 h/24, en présentiel, par téléphone ou en visio.",
        "/rendez-vous/",
        True,
        20,
    ),
    # Seed 002: the three priced applications of Lavérune's example.
    ("e-administration", "E-administration", "Bouquet de services numériques.", None, False, 30),
    ("services-en-ligne", "Services en ligne", "Démarches pré-configurées.", None, False, 35),
    (
        "marches-publics",
        "Marchés publics",
        "Profil d'acheteur et dématérialisation.",
        None,
        False,
        40,
    ),
    # Seed 001: the tools ticked per member.
    (
        "actes",
        "Télétransmission des actes",
        "Contrôle de légalité dématérialisé (@CTES).",
        None,
        False,
        50,
    ),
    ("helios", "Télétransmission comptable", "Flux comptables vers la DGFiP.", None, False, 60),
    ("parapheur", "Parapheur électronique", "Circuits de signature électronique.", None, False, 70),
    (
        "convocation",
        "Convocation électronique des élus",
        "Envoi des convocations.",
        None,
        False,
        80,
    ),
    ("lettre-recommandee", "Lettre recommandée électronique", "", None, False, 90),
)

MODELS = (
    {
        "code": "sve-hautes-alpes",
        "name": "Convention SVE du Département (gratuite)",
        "seed": "000",
        "pricing": "free",
        "applications": ("sve", "rendezvous"),
        # Seed 000 art. 10: one year from signature, tacitly renewed; notice by registered
        # letter 3 months before the anniversary; the Département may end it for general
        # interest. Art. 8: a yearly usage report.
        "period_basis": "start_date",
        "period_months": 12,
        "tacit_renewal": True,
        "notice_rule": "months_before_end",
        "notice_months": 3,
        "operator_may_end_anytime": True,
        "usage_report": True,
    },
    {
        "code": "recia-outils",
        "name": "Convention d'accès aux outils (contribution statutaire)",
        "seed": "001",
        "pricing": "statutory",
        "applications": (
            "actes",
            "helios",
            "parapheur",
            "convocation",
            "lettre-recommandee",
            "marches-publics",
        ),
        # Seed 001 art. 7: one year, tacitly renewed, three months' notice.
        "period_basis": "start_date",
        "period_months": 12,
        "tacit_renewal": True,
        "notice_rule": "months_before_end",
        "notice_months": 3,
    },
    {
        "code": "services-communs-metropole",
        "name": "Convention de services communs (part de population)",
        "seed": "002",
        "pricing": "population_share",
        "applications": ("e-administration", "services-en-ligne", "marches-publics"),
        # Seed 002 art. 7: the period 2022-2023-2024 (three calendar years, no renewal).
        "period_basis": "calendar_year",
        "period_months": 12,
        "tacit_renewal": False,
        "fixed_periods": 3,
        # Seed 002 art. 10: termination on 1 January, notified by 30 September before.
        "notice_rule": "day_of_year",
        "notice_deadline_member": "09-30",
        "notice_deadline_operator": "09-30",
        # Seed 002 art. 9: requested 3 months before the year's end, applies next year,
        # answered within one month.
        "amendment_rule": "next_year",
        "amendment_request_deadline": "09-30",
        "amendment_answer_months": 1,
    },
    {
        "code": "cdg-forfaits",
        "name": "Convention d'accompagnement numérique (forfaits)",
        "seed": "003",
        "pricing": "packages",
        "applications": ("actes", "helios", "parapheur", "convocation", "sve"),
        # Seed 003 art. 24: withdrawal notified before 31 October (member) or 31 July
        # (CDG), effective 31 December; art. 23: 3 months to withdraw after a tariff rise.
        "period_basis": "calendar_year",
        "period_months": 12,
        "tacit_renewal": True,
        "notice_rule": "day_of_year",
        "notice_deadline_member": "10-30",
        "notice_deadline_operator": "07-30",
        "tariff_withdrawal_months": 3,
    },
    {
        "code": "rdv-social-cofinancement",
        "name": "Co-financement de la prise de rendez-vous (seuil collectif)",
        "seed": "004",
        "pricing": "population_brackets",
        "applications": ("rendezvous",),
        # Seed 004 art. 2: one year from entry into force; art. 5: in force only once the
        # commitments exceed 500,000 € TTC, signed before 1 July 2019.
        "period_basis": "start_date",
        "period_months": 12,
        "tacit_renewal": False,
        "fixed_periods": 1,
        "notice_rule": "none",
        "threshold_cents": 50_000_000,
        "threshold_last_day": date(2019, 6, 30),
    },
)


def seed_catalogue(Application, ConventionModel) -> None:
    """Create what is missing; never overwrite what an admin edited (idempotent)."""
    from conventions.catalogue import application_catalogue_changed

    by_code = {}
    created_any = False
    for code, label, description, path, is_default, position in APPLICATIONS:
        by_code[code], created = Application.objects.get_or_create(
            code=code,
            defaults={
                "label": label,
                "description": description,
                "citizen_path": path,
                "is_default": is_default,
                "position": position,
            },
        )
        created_any = created_any or created
    if created_any:
        application_catalogue_changed()
    for spec in MODELS:
        spec = dict(spec)
        codes = spec.pop("applications")
        model, created = ConventionModel.objects.get_or_create(code=spec.pop("code"), defaults=spec)
        if created:
            model.applications.set([by_code[code] for code in codes])
