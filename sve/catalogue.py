"""Seed 002's catalogue of online services, as ready form templates.

Regimes: CRPA L231-1 (silence is worth acceptance) unless L231-4 applies: a request that
does not tend to an individual decision (1°), has a financial character (4°), or an
occupation of the public domain (décret n° 2014-1280) is SVR.
"""

APPEAL_ROUTES = (
    "Vous pouvez former un recours gracieux auprès du maire, ou un recours contentieux devant "
    "le tribunal administratif territorialement compétent (y compris par l'application "
    "Télérecours citoyens, www.telerecours.fr), dans un délai de deux mois."
)


def _f(name, label, type_, required=True, **extra):
    return {"name": name, "label": label, "type": type_, "required": required, **extra}


# Copies of a civil-status record asked in one request (a number of copies is at least one).
NUMBER_OF_COPIES_MAX = 10

_ACTE_FIELDS = [
    _f("nom_acte", "Nom de la personne concernée", "text"),
    _f("prenoms_acte", "Prénoms", "text"),
    _f("date_evenement", "Date de l'événement", "date", past_only=True),
    _f(
        "type_copie",
        "Type de document",
        "choice",
        choices=["Copie intégrale", "Extrait avec filiation", "Extrait sans filiation"],
    ),
    _f(
        "qualite",
        "Votre lien avec la personne",
        "choice",
        choices=["Moi-même", "Parent", "Enfant", "Conjoint", "Autre"],
    ),
    _f("nombre", "Nombre d'exemplaires", "number", min=1, max=NUMBER_OF_COPIES_MAX, integer=True),
]

TEMPLATES: dict[str, dict] = {
    "acte-naissance": {
        "title": "Copie ou extrait d'acte de naissance",
        "description": "Demandez une copie intégrale ou un extrait d'acte de naissance.",
        "regime": "sva",
        "fields": _ACTE_FIELDS,
    },
    "acte-mariage": {
        "title": "Copie ou extrait d'acte de mariage",
        "description": "Demandez une copie intégrale ou un extrait d'acte de mariage.",
        "regime": "sva",
        "fields": _ACTE_FIELDS,
    },
    "acte-deces": {
        "title": "Copie d'acte de décès",
        "description": "Demandez une copie d'acte de décès.",
        "regime": "sva",
        "fields": _ACTE_FIELDS[:3]
        + [
            _f(
                "nombre",
                "Nombre d'exemplaires",
                "number",
                min=1,
                max=NUMBER_OF_COPIES_MAX,
                integer=True,
            )
        ],
    },
    "livret-famille": {
        "title": "Livret de famille (duplicata)",
        "description": "Demandez un second livret de famille.",
        "regime": "sva",
        "fields": [
            _f("motif", "Motif", "choice", choices=["Perte", "Vol", "Détérioration", "Divorce"]),
            _f(
                "date_mariage",
                "Date du mariage (le cas échéant)",
                "date",
                required=False,
                past_only=True,
            ),
            _f(
                "enfants",
                "Enfants",
                "group",
                required=False,
                max_rows=4,
                subfields=[
                    _f("prenom", "Prénom", "text"),
                    _f("naissance", "Date de naissance", "date", past_only=True),
                ],
            ),
            _f("justificatif", "Pièce d'identité", "file"),
        ],
    },
    "intervention": {
        "title": "Demande d'intervention municipale",
        "description": "Signalez un problème sur la voirie, l'éclairage, la propreté...",
        "regime": "svr",  # L231-4 1°: not a request for an individual decision
        "asks_decision": False,  # a report / a question (sve.deadlines)
        "fields": [
            _f(
                "categorie",
                "Catégorie",
                "choice",
                choices=["Voirie", "Éclairage public", "Propreté", "Espaces verts", "Autre"],
            ),
            _f("lieu", "Adresse ou lieu", "address"),
            _f("description", "Description", "textarea"),
            _f("photo", "Photo", "file", required=False, allowed_types=["image/jpeg", "image/png"]),
        ],
    },
    "centre-loisirs": {
        "title": "Inscription au centre de loisirs",
        "description": "Inscrivez votre enfant au centre de loisirs pendant les vacances.",
        "regime": "svr",  # L231-4 4°: a request with a financial character (fees)
        "fields": [
            _f("enfant_nom", "Nom et prénom de l'enfant", "text"),
            _f("enfant_naissance", "Date de naissance de l'enfant", "date", past_only=True),
            _f(
                "periodes",
                "Périodes souhaitées",
                "multichoice",
                choices=["Hiver", "Printemps", "Été", "Automne"],
            ),
            _f("allergies", "Allergies ou régime alimentaire", "yesno"),
            _f("telephone", "Téléphone à joindre en cas d'urgence", "phone"),
            _f("attestation_caf", "Attestation de quotient familial", "file", required=False),
        ],
    },
    "stationnement-demenagement": {
        "title": "Stationnement pour un déménagement",
        "description": "Réservez un emplacement de stationnement pour votre déménagement.",
        "regime": "svr",  # décret 2014-1280: occupation of the public domain
        "fields": [
            _f("adresse", "Adresse du déménagement", "address"),
            _f("date", "Date", "date"),
            _f("longueur", "Longueur nécessaire (mètres)", "number", min=0),
            _f("immatriculation", "Immatriculation du véhicule", "text", required=False),
        ],
    },
    "ouverture-chantier": {
        "title": "Déclaration d'ouverture de chantier",
        "description": "Déclarez l'ouverture du chantier de votre permis de construire.",
        "regime": "svr",  # L231-4 1°: a declaration, not a request for a decision
        "fields": [
            _f("numero_permis", "Numéro du permis", "text"),
            _f("date_ouverture", "Date d'ouverture du chantier", "date"),
            _f("adresse", "Adresse du terrain", "address"),
            _f("formulaire", "Formulaire Cerfa 13407 signé", "file"),
        ],
    },
    "rendez-vous-elu": {
        "title": "Rendez-vous avec un élu ou un service",
        "description": "Demandez un rendez-vous avec un élu ou un service municipal.",
        "regime": "svr",  # L231-4 1°: not a request for an individual decision
        "fields": [
            _f(
                "interlocuteur",
                "Avec qui ?",
                "choice",
                choices=["Le maire", "Un adjoint", "Un service municipal"],
            ),
            _f("objet", "Objet", "textarea"),
            _f("telephone", "Téléphone", "phone", required=False),
        ],
    },
    "contact": {
        "title": "Nous contacter",
        "description": "Posez une question à la mairie.",
        "regime": "svr",  # L231-4 1°: not a request for an individual decision
        "asks_decision": False,  # a report / a question (sve.deadlines)
        "fields": [
            _f("objet", "Objet", "text"),
            _f("message", "Message", "textarea"),
            _f("piece", "Pièce jointe", "file", required=False),
        ],
    },
}
