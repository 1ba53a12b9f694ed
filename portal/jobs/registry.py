"""Periodic jobs that run once per tenant.

A job is a plain function registered by name with ``@tenant_job("sve.implicit_decisions")``
in an app's ``jobs.py``; it runs inside its tenant's schema and returns a JSON-able summary.
Beat sends ``jobs.fan_out`` with the job's name; fan_out sends one task per active tenant.
"""

from collections.abc import Callable
from importlib import import_module

from django.apps import apps

_JOBS: dict[str, Callable[[], dict]] = {}


def tenant_job(name: str):
    def register(func: Callable[[], dict]) -> Callable[[], dict]:
        _JOBS[name] = func
        return func

    return register


def get_job(name: str) -> Callable[[], dict]:
    try:
        return _JOBS[name]
    except KeyError:
        raise LookupError(f"No tenant job named {name!r}; known: {sorted(_JOBS)}") from None


def autodiscover() -> None:
    for config in apps.get_app_configs():
        try:
            import_module(f"{config.name}.jobs")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.jobs":
                raise
