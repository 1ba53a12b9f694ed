"""The demo's seeding (make demo), run through the apps' own ``demo.py`` modules, in the
order of INSTALLED_APPS. Seeding is idempotent: a second run finds everything in place and
changes nothing. portal imports no app: each app brings its part through these hooks:

- ``seed_public()``: run in the public schema, app by app;
- ``seed_tenants() -> list``: make the demo communes and return them (the tenants app:
  the operator, the accounts, the communes), each then seeded with
- ``seed_tenant(collectivite)``: run inside that commune's schema, app by app;
- ``seed_final()``: run in the public schema once every commune is seeded (the identity
  app enrols the demo staff's second factor);
- ``demo_accounts() -> list[(e-mail, what it is)]`` and ``demo_sites() -> list[(name, slug)]``
  for the README and the demo banner; ``demo_second_factors() -> list[(e-mail, otpauth URI,
  recovery codes)]`` for the banner (issue 24 §5: the operator's staff pass a second factor).
"""

from importlib import import_module

from django.apps import apps
from django.db import connection, transaction

DEMO_PASSWORD = "demo-portail-2026"


def _app_demo_modules():
    for config in apps.get_app_configs():
        try:
            yield import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise


def _collect(hook: str) -> list:
    found = []
    for module in _app_demo_modules():
        if hasattr(module, hook):
            found.extend(getattr(module, hook)())
    return found


def demo_accounts() -> list[tuple[str, str]]:
    """(e-mail, what it is) for every demo account, for the README and the demo banner."""
    return _collect("demo_accounts")


def demo_sites() -> list[tuple[str, str]]:
    """(name, slug) of the demo communes."""
    return _collect("demo_sites")


def demo_second_factors() -> list[tuple[str, str, list[str]]]:
    """(e-mail, otpauth:// URI, recovery codes) of the demo accounts with a second factor."""
    return _collect("demo_second_factors")


def seed() -> list:
    modules = list(_app_demo_modules())
    for module in modules:
        if hasattr(module, "seed_public"):
            with transaction.atomic():
                module.seed_public()
    with transaction.atomic():
        communes = _collect("seed_tenants")
    for commune in communes:
        connection.set_tenant(commune)
        try:
            for module in modules:
                if hasattr(module, "seed_tenant"):
                    with transaction.atomic():
                        module.seed_tenant(commune)
        finally:
            connection.set_schema_to_public()
    for module in modules:
        if hasattr(module, "seed_final"):
            with transaction.atomic():
                module.seed_final()
    return communes
