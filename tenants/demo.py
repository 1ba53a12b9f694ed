"""make demo: the reference list of communes is loaded from the shipped file once."""

from tenants.models import CommuneReference
from tenants.services.reference import SHIPPED_FILE, commune_reference_import_files


def seed_public() -> None:
    if not CommuneReference.objects.exists():
        commune_reference_import_files(paths=[SHIPPED_FILE])
