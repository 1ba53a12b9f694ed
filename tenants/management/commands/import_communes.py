from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tenants.services.reference import (
    SHIPPED_FILE,
    ReferenceFileError,
    commune_reference_import_files,
)


class Command(BaseCommand):
    help = (
        "Charge le référentiel des communes : le fichier livré (par défaut), ou communes.json "
        "(et epci.json pour la population totale) de @etalab/decoupage-administratif."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", type=Path, help="fichiers JSON (ou .json.gz)")
        parser.add_argument(
            "--millesime", type=int, default=None, help="millésime des populations (ex. 2023)"
        )

    def handle(self, *args, files, millesime, **options):
        paths = files or [SHIPPED_FILE]
        try:
            counts = commune_reference_import_files(paths=paths, population_year=millesime)
        except ReferenceFileError as exc:
            raise CommandError(f"Fichier refusé, rien n'a été importé. {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Référentiel des communes : {counts['created']} ajoutées, "
                f"{counts['updated']} mises à jour."
            )
        )
