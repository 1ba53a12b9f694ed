"""Common start of every bench script: Django set up (DEBUG off, so that queries are not
accumulated) on the configured or embedded servers, the schemas migrated; and the figures'
format, one line each: ``<name> <value> <unit>``."""

import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate_schemas", verbosity=0)


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[94]


def figure(name: str, value: float, unit: str) -> None:
    shown = f"{value:d}" if isinstance(value, int) else f"{value:.3f}"
    print(f"{name} {shown} {unit}", flush=True)
