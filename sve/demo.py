"""Demo data (make demo): a few of seed 002's forms online and two requests per commune."""

from sve import services
from sve.models import Form, Request

DEMO_TEMPLATES = ("acte-naissance", "intervention", "stationnement-demenagement", "contact")


def seed_tenant(collectivite) -> None:
    """Idempotent: templates are enabled once, demo requests filed only if none exist."""
    for code in DEMO_TEMPLATES:
        if not Form.objects.filter(template_code=code, is_enabled=True).exists():
            services.form_template_enable(code=code, acting_user=None)
    if Request.objects.exists():
        return
    from portal.accounts.models import User

    citizen = User.objects.filter(email="usager@demo.fr").first()
    identity = {
        "last_name": "Usager",
        "first_name": "Camille",
        "postal_address": f"1 place de la Mairie, {collectivite.name}",
        "email": "usager@demo.fr",
    }
    services.request_submit(
        form=Form.objects.get(template_code="intervention"),
        acting_user=citizen,
        identity=identity,
        data={
            "categorie": "Éclairage public",
            "lieu": "Rue de l'Église",
            "description": "Le lampadaire devant le n°4 ne s'allume plus.",
        },
    )
    services.request_submit(
        form=Form.objects.get(template_code="acte-naissance"),
        acting_user=citizen,
        identity=identity,
        data={
            "nom_acte": "Usager",
            "prenoms_acte": "Camille",
            "date_evenement": "1990-05-12",
            "type_copie": "Copie intégrale",
            "qualite": "Moi-même",
            "nombre": "1",
        },
    )
