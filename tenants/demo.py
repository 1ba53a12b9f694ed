"""make demo: the reference list of communes (loaded once from the shipped file) and each
demo commune's contact details, so that its home page shows what a real one would."""

from tenants.models import Collectivite, CommuneReference
from tenants.services.reference import SHIPPED_FILE, commune_reference_import_files


def seed_public() -> None:
    if not CommuneReference.objects.exists():
        commune_reference_import_files(paths=[SHIPPED_FILE])


def seed_tenant(collectivite: Collectivite) -> None:
    if collectivite.contact_email:
        return  # already seeded, or edited by its admin since
    values = {
        "contact_address": f"Mairie\nPlace de la Mairie\n{collectivite.name}",
        "contact_phone": "04 92 00 00 00",
        "contact_email": f"mairie@{collectivite.slug}.demo",
        "opening_hours": "Lundi, mardi, jeudi : 8 h 30 – 12 h\nMercredi : 14 h – 17 h",
        "dpo_name": "Délégué mutualisé du Département",
        "dpo_email": "dpo@hautes-alpes.demo",
    }
    Collectivite.objects.filter(pk=collectivite.pk).update(**values)
    # The same object is the active tenant of the next apps' seeds (forms take its contact).
    for name, value in values.items():
        setattr(collectivite, name, value)
