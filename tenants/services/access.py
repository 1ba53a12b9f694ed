"""A member's access over its life: suspension and its lifting (seed 000 art. 13), data
export and archiving (offboarding). Every change writes a CollectiviteEvent (who, when)."""

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from portal.audit.trail import Actor, audit_action, audit_record
from tenants.models import Collectivite, CollectiviteEvent, Domain, Membership

for _action, _label in CollectiviteEvent.Action.choices:
    audit_action(f"tenants.collectivite_{_action}", _label)


def collectivite_event_record(
    collectivite: Collectivite, action: str, acting_user: Actor, reason: str = ""
) -> None:
    """The collectivité's own history (shown on its page) and the audit trail."""
    CollectiviteEvent.objects.create(
        collectivite=collectivite,
        action=action,
        reason=reason,
        actor=acting_user if acting_user is not None and acting_user.pk else None,
    )
    audit_record(
        acting_user=acting_user,
        action=f"tenants.collectivite_{action}",
        target=collectivite,
        summary=f"{collectivite.name} : {CollectiviteEvent.Action(action).label}"
        + (f" ({reason})" if reason else ""),
        details={"reason": reason},
        collectivite_id=collectivite.pk,
    )


# Offboarding: the data must have been exported shortly before the commune is archived.
EXPORT_FRESHNESS = timedelta(days=7)


def _locked(collectivite: Collectivite) -> Collectivite:
    return Collectivite.objects.select_for_update().get(pk=collectivite.pk)


@transaction.atomic
def collectivite_suspend(
    *, collectivite: Collectivite, reason: str, acting_user: Actor
) -> Collectivite:
    """Seed 000 art. 13: after a formal notice, the Département may suspend the partner's
    access. Agents then see the reason; citizens keep the public pages."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif de la suspension."})
    collectivite = _locked(collectivite)
    if collectivite.status != Collectivite.Status.ACTIVE:
        raise ValidationError("Seule une collectivité active peut être suspendue.")
    collectivite.status = Collectivite.Status.SUSPENDED
    collectivite.suspension_reason = reason
    collectivite.save(update_fields=["status", "suspension_reason"])
    collectivite_event_record(
        collectivite, CollectiviteEvent.Action.SUSPEND, acting_user, reason=reason
    )
    return collectivite


@transaction.atomic
def collectivite_second_factor_require(
    *, collectivite: Collectivite, required: bool, acting_user: Actor
) -> Collectivite:
    """Issue 12: a commune may require a second factor from its admins and agents."""
    collectivite = _locked(collectivite)
    if collectivite.staff_second_factor_required != required:
        collectivite.staff_second_factor_required = required
        collectivite.save(update_fields=["staff_second_factor_required"])
        collectivite_event_record(
            collectivite,
            CollectiviteEvent.Action.SECURITY,
            acting_user,
            reason="Double authentification exigée des agents"
            if required
            else "Double authentification facultative pour les agents",
        )
    return collectivite


@transaction.atomic
def collectivite_lift_suspension(
    *, collectivite: Collectivite, acting_user: Actor, reason: str = ""
) -> Collectivite:
    """Restore a suspended member's back office."""
    collectivite = _locked(collectivite)
    if collectivite.status != Collectivite.Status.SUSPENDED:
        raise ValidationError("Cette collectivité n'est pas suspendue.")
    collectivite.status = Collectivite.Status.ACTIVE
    collectivite.suspension_reason = ""
    collectivite.save(update_fields=["status", "suspension_reason"])
    collectivite_event_record(
        collectivite, CollectiviteEvent.Action.LIFT, acting_user, reason=reason
    )
    return collectivite


def _tenant_models():
    for app_name in settings.TENANT_APPS:
        config = next(c for c in apps.get_app_configs() if c.name == app_name)
        yield from config.get_models()


def collectivite_export(*, collectivite: Collectivite, target, acting_user: Actor) -> None:
    """Write one zip archive of all the member's data to the binary file ``target``:
    ``data/<app>.<model>.json`` (Django's serializer) for every model of its schema,
    ``commune/*.json`` for its public-schema rows (collectivité, domains, memberships,
    history), and ``files/...`` for the files under MEDIA_ROOT/<schema>/."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with tenant_context(collectivite):
            for model in _tenant_models():
                archive.writestr(
                    f"data/{model._meta.label_lower}.json",
                    serializers.serialize(
                        "json", model._default_manager.order_by("pk").iterator(), indent=1
                    ),
                )
        public = {
            "collectivite": Collectivite.objects.filter(pk=collectivite.pk),
            "domaines": Domain.objects.filter(tenant=collectivite),
            "habilitations": Membership.objects.filter(collectivite=collectivite),
            "historique": CollectiviteEvent.objects.filter(collectivite=collectivite),
        }
        for name, queryset in public.items():
            archive.writestr(
                f"commune/{name}.json", serializers.serialize("json", queryset, indent=1)
            )
        comptes = [
            {"email": m.user.email, "prenom": m.user.first_name, "nom": m.user.last_name}
            for m in public["habilitations"].select_related("user")
        ]
        archive.writestr("commune/comptes.json", json.dumps(comptes, ensure_ascii=False, indent=1))
        media = Path(settings.MEDIA_ROOT) / collectivite.schema_name
        if media.is_dir():
            for path in sorted(media.rglob("*")):
                if path.is_file():
                    archive.write(path, "files/" + path.relative_to(media).as_posix())
    collectivite_event_record(collectivite, CollectiviteEvent.Action.EXPORT, acting_user)


def collectivite_export_bytes(*, collectivite: Collectivite, acting_user: Actor) -> bytes:
    buffer = io.BytesIO()
    collectivite_export(collectivite=collectivite, target=buffer, acting_user=acting_user)
    return buffer.getvalue()


@transaction.atomic
def collectivite_archive(
    *, collectivite: Collectivite, acting_user: Actor, reason: str = ""
) -> Collectivite:
    """Close a member's site: its hosts then answer with the "service closed" page
    (TenantStatusMiddleware); its schema and data are kept. Its data must have been
    exported within the last 7 days."""
    collectivite = _locked(collectivite)
    if collectivite.status == Collectivite.Status.ARCHIVED:
        raise ValidationError("Cette collectivité est déjà archivée.")
    exported = CollectiviteEvent.objects.filter(
        collectivite=collectivite,
        action=CollectiviteEvent.Action.EXPORT,
        at__gte=timezone.now() - EXPORT_FRESHNESS,
    ).exists()
    if not exported:
        raise ValidationError(
            "Téléchargez d'abord l'archive des données de la collectivité (moins de 7 jours) "
            "avant de l'archiver."
        )
    collectivite.status = Collectivite.Status.ARCHIVED
    collectivite.save(update_fields=["status"])
    collectivite_event_record(
        collectivite, CollectiviteEvent.Action.ARCHIVE, acting_user, reason=reason
    )
    return collectivite
