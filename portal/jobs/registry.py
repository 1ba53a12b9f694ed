"""Periodic jobs, registered by name in an app's ``jobs.py``.

- ``@tenant_job("sve.implicit_decisions")``: runs once per active tenant, inside its schema.
  Beat sends ``jobs.fan_out`` with the job's name; fan_out sends one task per active tenant.
- ``@public_job("conventions.daily")``: runs once, in the public schema (operator-wide data:
  conventions, billing). Beat sends ``jobs.run_public`` with the job's name.

Either returns a JSON-able summary, recorded in a ``JobRun`` of the schema it ran in.
"""

from collections.abc import Callable
from importlib import import_module

from django.apps import apps

TENANT = "tenant"
PUBLIC = "public"

_JOBS: dict[str, tuple[str, Callable[[], dict]]] = {}


def _register(name: str, scope: str):
    def register(func: Callable[[], dict]) -> Callable[[], dict]:
        _JOBS[name] = (scope, func)
        return func

    return register


def tenant_job(name: str):
    return _register(name, TENANT)


def public_job(name: str):
    return _register(name, PUBLIC)


def get_job(name: str, *, scope: str = TENANT) -> Callable[[], dict]:
    try:
        job_scope, func = _JOBS[name]
    except KeyError:
        raise LookupError(f"No job named {name!r}; known: {sorted(_JOBS)}") from None
    if job_scope != scope:
        raise LookupError(f"Job {name!r} is a {job_scope} job, not a {scope} one")
    return func


def autodiscover() -> None:
    for config in apps.get_app_configs():
        try:
            import_module(f"{config.name}.jobs")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.jobs":
                raise
