"""A commune's look and contact details, edited by its admin (seed 002: own charter)."""

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from portal.audit.trail import Actor, audit_action, audit_record
from tenants.models import Collectivite, CollectiviteLogo
from tenants.theming import CheckedLogo, primary_color_check

LOOK_UPDATED = audit_action("tenants.look_updated", _("Apparence et mentions légales modifiées"))

LOOK_FIELDS = (
    "contact_address",
    "contact_phone",
    "contact_email",
    "dpo_name",
    "dpo_email",
    "publication_director",
    "accessibility_status",
    "accessibility_audit",
)


@transaction.atomic
def collectivite_look_update(
    *,
    acting_user: Actor,
    collectivite: Collectivite,
    primary_color: str = "",
    logo: CheckedLogo | None = None,
    remove_logo: bool = False,
    **details: str,
) -> Collectivite:
    """Save the colour (refused below WCAG AA contrast with white text), the logo (already
    checked by theming.logo_check) and the contact and DPO details (opening hours are the
    places', rendezvous.hours)."""
    unknown = set(details) - set(LOOK_FIELDS)
    if unknown:
        raise TypeError(f"Unknown look fields: {sorted(unknown)}")
    collectivite.primary_color = primary_color_check(primary_color) if primary_color else ""
    for name, value in details.items():
        setattr(collectivite, name, (value or "").strip())
    collectivite.full_clean(validate_unique=False, validate_constraints=False)
    fields = ["primary_color", *details]
    before = Collectivite.objects.filter(pk=collectivite.pk).values(*fields).first() or {}
    changed = sorted(name for name in fields if before.get(name) != getattr(collectivite, name))
    if logo is not None:
        CollectiviteLogo.objects.update_or_create(
            collectivite=collectivite,
            defaults={
                "content": logo.content,
                "content_type": logo.content_type,
                "width": logo.width,
                "height": logo.height,
            },
        )
        collectivite.logo_version = F("logo_version") + 1
        fields.append("logo_version")
    elif remove_logo:
        CollectiviteLogo.objects.filter(collectivite=collectivite).delete()
        collectivite.logo_version = 0
        fields.append("logo_version")
    collectivite.save(update_fields=fields)
    collectivite.refresh_from_db(fields=["logo_version"])
    logo_change = "nouveau" if logo is not None else "retiré" if remove_logo else ""
    audit_record(
        acting_user=acting_user,
        action=LOOK_UPDATED,
        target=collectivite,
        summary="Champs modifiés : "
        + (", ".join(changed + (["logo"] if logo_change else [])) or "aucun"),
        details={
            "changed": {name: getattr(collectivite, name) for name in changed},
            "logo": logo_change,
        },
        collectivite_id=collectivite.pk,
    )
    return collectivite
