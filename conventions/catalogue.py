"""The application catalogue (the ``Application`` table), read by tenants and billing.

Codes are what ``Collectivite.services`` stores. Pages that list many members read the
catalogue once (``application_catalogue``) and pass it to ``applications_for``.
"""

from conventions.models import Application


def application_catalogue() -> list[Application]:
    return list(Application.objects.all())


def application_choices() -> list[tuple[str, str]]:
    return [(app.code, app.label) for app in Application.objects.only("code", "label")]


def application_get(code: str) -> Application | None:
    return Application.objects.filter(code=code).first()


def default_service_codes() -> list[str]:
    """What a member onboarded before any convention uses (seed 000: SVE and appointments)."""
    return list(Application.objects.filter(is_default=True).values_list("code", flat=True))


def applications_for(
    codes: list[str] | tuple[str, ...], *, catalogue: list[Application] | None = None
) -> list[Application]:
    """The catalogue entries of ``codes``, in catalogue order (unknown codes skipped)."""
    wanted = set(codes)
    if catalogue is None:
        return list(Application.objects.filter(code__in=wanted)) if wanted else []
    return [app for app in catalogue if app.code in wanted]
