"""Common start of every bench script: Django set up on the configured (or embedded) servers,
and the schema migrated."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate_schemas", verbosity=0)


def figure(name: str, value: float, unit: str) -> None:
    shown = f"{value:d}" if isinstance(value, int) else f"{value:.3f}"
    print(f"{name} {shown} {unit}", flush=True)
