"""What tenant apps hold about a person, for the GDPR right of access (art. 15) and for
deleting an account (filed requests stay with the commune, detached from the account).

``identity`` (a public-schema app) must not import tenant apps' models, so each tenant app
contributes a ``personal_data.py`` module defining:

    def collect(user) -> dict[str, list[dict]]   # inside one commune's schema
    def detach(user) -> int                      # inside one commune's schema; rows changed

Both run with the commune's schema active; they must not change the schema.
"""

from importlib import import_module

from django.apps import apps


def _modules():
    for config in apps.get_app_configs():
        if f"{config.name}.personal_data" == __name__:
            continue  # this registry itself (the "portal" app)
        try:
            yield import_module(f"{config.name}.personal_data")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.personal_data":
                raise


def collect(user) -> dict[str, list[dict]]:
    """Everything the active schema holds about ``user``, by kind; empty kinds left out."""
    held: dict[str, list[dict]] = {}
    for module in _modules():
        for kind, rows in module.collect(user).items():
            if rows:
                held.setdefault(kind, []).extend(rows)
    return held


def detach(user) -> int:
    return sum(module.detach(user) for module in _modules())
