"""Security events in the audit trail (issue 22), all hooked here: sign-ins and their
failures (Django's auth signals), lockouts (django-axes), second-factor failures and
recovery codes used (called by identity.services.second_factor), and every change made in
the technical admin (Django admin's LogEntry, written by each add, change and delete).

Each event is one entry of the trail (portal.audit.trail), on the collectivité whose host
served the request (the platform's stream on the operator's host)."""

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import User
from portal.audit.trail import ANONYMOUS, Actor, audit_action, audit_record

SIGNED_IN = audit_action("security.signed_in", _("Connexion"))
SIGNED_OUT = audit_action("security.signed_out", _("Déconnexion"))
SIGN_IN_FAILED = audit_action("security.sign_in_failed", _("Échec de connexion"))
LOCKED_OUT = audit_action("security.locked_out", _("Compte bloqué (trop d'échecs)"))
SECOND_FACTOR_FAILED = audit_action(
    "security.second_factor_failed", _("Code de double authentification refusé")
)
RECOVERY_CODE_USED = audit_action("security.recovery_code_used", _("Code de secours utilisé"))
SECOND_FACTOR_ENABLED = audit_action(
    "security.second_factor_enabled", _("Double authentification activée")
)
SECOND_FACTOR_DISABLED = audit_action(
    "security.second_factor_disabled", _("Double authentification désactivée")
)
RECOVERY_CODES_RENEWED = audit_action(
    "security.recovery_codes_renewed", _("Nouveaux codes de secours")
)
EMAIL_CHANGED = audit_action("account.email_changed", _("Adresse électronique changée"))
PASSWORD_CHANGED = audit_action("account.password_changed", _("Mot de passe changé"))
SESSIONS_ENDED = audit_action("account.sessions_ended", _("Sessions fermées"))
DATA_EXPORT_REQUESTED = audit_action("account.data_export", _("Demande de ses données"))
ACCOUNT_DELETED = audit_action("account.deleted", _("Compte supprimé"))
UPSTREAM_LINKED = audit_action(
    "security.upstream_linked", _("Identité FranceConnect / ProConnect reliée au compte")
)
ADMIN_CHANGE = audit_action("security.technical_admin", _("Administration technique"))

ADMIN_VERBS = {ADDITION: "ajout", CHANGE: "modification", DELETION: "suppression"}


def security_record(
    *, acting_user: Actor, action: str, summary: str, target=None, details=None
) -> None:
    """One security event, on the collectivité of the request being served."""
    audit_record(
        acting_user=acting_user,
        action=action,
        target=target,
        summary=summary,
        details=details,
    )


def account_record(user: User, action: str, summary: str) -> None:
    """A change a person made to their own account."""
    security_record(acting_user=user, action=action, target=user, summary=summary)


def _signed_in(sender, request, user, **kwargs) -> None:
    security_record(
        acting_user=user, action=SIGNED_IN, target=user, summary=f"Connexion de {user.email}"
    )


def _signed_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        security_record(
            acting_user=user,
            action=SIGNED_OUT,
            target=user,
            summary=f"Déconnexion de {user.email}",
        )


def _sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    # The credentials are already cleansed by Django (no password); only the name is kept.
    username = str(credentials.get("username") or credentials.get("email") or "")[:254]
    account = User.objects.filter(email__iexact=username).only("pk").first() if username else None
    security_record(
        acting_user=ANONYMOUS,
        action=SIGN_IN_FAILED,
        target=account,
        summary=f"Échec de connexion pour « {username} »",
        details={"username": username},
    )


def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    account = User.objects.filter(email__iexact=username).only("pk").first() if username else None
    security_record(
        acting_user=ANONYMOUS,
        action=LOCKED_OUT,
        target=account,
        summary=f"Compte « {username} » bloqué après trop d'échecs de connexion",
        details={"username": username, "ip": ip_address},
    )


def second_factor_failed(*, user: User, reason: str) -> None:
    security_record(
        acting_user=user,
        action=SECOND_FACTOR_FAILED,
        target=user,
        summary=f"Code refusé pour {user.email}",
        details={"reason": reason},
    )


def recovery_code_used(*, user: User) -> None:
    security_record(
        acting_user=user,
        action=RECOVERY_CODE_USED,
        target=user,
        summary=f"{user.email} s'est connecté(e) avec un code de secours",
    )


def _admin_logged(sender, instance: LogEntry, created: bool, **kwargs) -> None:
    if not created:
        return
    actor = User.objects.filter(pk=instance.user_id).first()
    verb = ADMIN_VERBS.get(instance.action_flag, "action")
    model = instance.content_type.model if instance.content_type_id else ""
    security_record(
        acting_user=actor if actor is not None else ANONYMOUS,
        action=ADMIN_CHANGE,
        target=(
            f"{instance.content_type.app_label}.{model}" if model else "",
            str(instance.object_id or ""),
        ),
        summary=f"Administration technique : {verb} de {model} « {instance.object_repr} »",
        details={"change_message": instance.get_change_message()},
    )


def connect() -> None:
    from axes.signals import user_locked_out

    user_logged_in.connect(_signed_in, dispatch_uid="audit-signed-in")
    user_logged_out.connect(_signed_out, dispatch_uid="audit-signed-out")
    user_login_failed.connect(_sign_in_failed, dispatch_uid="audit-sign-in-failed")
    user_locked_out.connect(_locked_out, dispatch_uid="audit-locked-out")
    post_save.connect(_admin_logged, sender=LogEntry, dispatch_uid="audit-admin-change")
