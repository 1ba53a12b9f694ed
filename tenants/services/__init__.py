"""Writes of the tenants app (public schema), one module per concern."""

from tenants.services.access import (
    collectivite_archive,
    collectivite_export,
    collectivite_export_bytes,
    collectivite_lift_suspension,
    collectivite_suspend,
)
from tenants.services.collectivites import (
    SLUG_RE,
    collectivite_create,
    commune_onboard,
    default_domain_for,
    schema_name_for,
)
from tenants.services.look import collectivite_look_update
from tenants.services.members import (
    member_invite,
    membership_deactivate,
    membership_grant,
    membership_reactivate,
    membership_role_set,
    password_link,
    user_get_or_create,
)
from tenants.services.reference import (
    commune_reference_import,
    commune_reference_import_files,
    commune_reference_read,
)

__all__ = [
    "SLUG_RE",
    "collectivite_archive",
    "collectivite_create",
    "collectivite_export",
    "collectivite_export_bytes",
    "collectivite_lift_suspension",
    "collectivite_look_update",
    "collectivite_suspend",
    "commune_onboard",
    "commune_reference_import",
    "commune_reference_import_files",
    "commune_reference_read",
    "default_domain_for",
    "member_invite",
    "membership_deactivate",
    "membership_grant",
    "membership_reactivate",
    "membership_role_set",
    "password_link",
    "schema_name_for",
    "user_get_or_create",
]
