"""Guards shared by the SVE services: who acts, from which status."""

from django.core.exceptions import ValidationError
from django.db import connection

from portal.permissions import membership_for
from sve.deadlines import PiecePeriod, implicit_decision_on
from sve.models import Request, Status


class SveError(ValidationError):
    """A refused action, with a French message for pages and API alike."""


def tenant():
    return connection.tenant


def insee_code() -> str:
    return getattr(connection.tenant, "insee_code", "") or ""


def require_agent(actor) -> None:
    if actor is None or membership_for(actor, connection.tenant) is None:
        raise SveError(
            "Seuls les agents de la commune peuvent effectuer cette action.", code="forbidden"
        )


def require_admin(actor) -> None:
    """The commune's admin (référent) configures forms; ``None`` is the system (demo, seeds)."""
    if actor is None:
        return
    membership = membership_for(actor, connection.tenant)
    if membership is None or not membership.is_admin:
        raise SveError(
            "Seuls les administrateurs de la commune peuvent configurer les formulaires.",
            code="forbidden",
        )


def require_status(request: Request, allowed: tuple, action: str) -> None:
    if request.status not in allowed:
        raise SveError(
            "Action « %(action)s » impossible : la demande est au statut « %(status)s ».",
            params={"action": action, "status": Status(request.status).label},
            code="bad_status",
        )


def locked(request_id: int) -> Request:
    return Request.objects.select_for_update().select_related("form_version").get(pk=request_id)


def deadline_refresh(request: Request) -> None:
    """Recompute the implicit-decision date from receipt and requests for pieces."""
    periods = [
        PiecePeriod(asked_on=p.asked_on, completed_on=p.completed_on, due_on=p.due_on)
        for p in request.piece_requests.all()
    ]
    version = request.form_version
    request.implicit_decision_on = implicit_decision_on(
        regime=request.regime,
        received_on=request.received_on,
        delay_months=version.delay_months,
        delay_days=version.delay_days,
        piece_periods=periods,
    )


def on_commit_task(task, *args) -> None:
    """Queue ``task`` for this tenant once the transaction commits."""
    from django.db import transaction

    from portal.tasks import send_to_tenant

    schema = connection.schema_name
    transaction.on_commit(lambda: send_to_tenant(task, schema, *args))
