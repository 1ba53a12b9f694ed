"""The citizen's account: e-mail and password changes, GDPR access, deletion."""

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from identity import audit
from identity.models import PersonalDataExport
from identity.services.sessions import user_sessions_end
from portal import personal_data
from portal.accounts.models import User
from portal.sms.services import sms_opt_out_forget, sms_opted_out
from tenants.models import Collectivite

EMAIL_CHANGE_SALT = "identity.email-change"
EMAIL_CHANGE_MAX_AGE = 2 * 24 * 3600  # the link works for two days


class AccountError(Exception):
    """Refused; the message is shown to the person, in French."""


def _communes():
    return Collectivite.objects.members().exclude(status=Collectivite.Status.ARCHIVED)


def email_change_request(*, user: User, new_email: str, confirm_url_for) -> None:
    """Mail a confirmation link to the new address; nothing changes until it is followed.
    ``confirm_url_for(token)`` builds the link on the host the person is using."""
    new_email = new_email.strip().lower()
    if User.objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists():
        raise AccountError("Cette adresse électronique est déjà utilisée par un autre compte.")
    token = signing.dumps({"user": user.pk, "email": new_email}, salt=EMAIL_CHANGE_SALT)
    send_mail(
        "Confirmez votre nouvelle adresse électronique",
        "Bonjour,\n\nPour utiliser cette adresse sur le portail des communes, suivez ce lien "
        f"(valable deux jours) :\n{confirm_url_for(token)}\n\nSi vous n'êtes pas à "
        "l'origine de cette demande, ignorez ce message.",
        settings.DEFAULT_FROM_EMAIL,
        [new_email],
    )


@transaction.atomic
def email_change_confirm(*, user: User, token: str) -> str:
    """Apply the change the link carries, for the account that asked for it."""
    try:
        data = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise AccountError("Ce lien a expiré : demandez à nouveau le changement.") from exc
    except signing.BadSignature as exc:
        raise AccountError("Ce lien n'est pas valable.") from exc
    if data["user"] != user.pk:
        raise AccountError("Ce lien concerne un autre compte.")
    user = User.objects.select_for_update().get(pk=user.pk)
    if User.objects.filter(email__iexact=data["email"]).exclude(pk=user.pk).exists():
        raise AccountError("Cette adresse électronique est déjà utilisée par un autre compte.")
    previous = user.email
    user.email = data["email"]
    user.save(update_fields=["email"])
    audit.account_record(user, audit.EMAIL_CHANGED, f"Adresse changée : {previous} → {user.email}")
    return user.email


@transaction.atomic
def user_password_change(*, user: User, password: str, keep_session_key: str | None) -> int:
    """Set the new password and end every other session of the account (issue 12)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.account_record(user, audit.PASSWORD_CHANGED, f"{user.email} a changé son mot de passe")
    return user_sessions_end(user=user, keep_session_key=keep_session_key)


def personal_data_export_request(*, user: User) -> PersonalDataExport:
    """Record the request; the worker gathers the data commune by commune after commit."""
    from identity.tasks import personal_data_export_build

    export = PersonalDataExport.objects.create(user=user)
    audit.account_record(user, audit.DATA_EXPORT_REQUESTED, f"{user.email} demande ses données")
    transaction.on_commit(lambda: personal_data_export_build.delay(export.pk))
    return export


def personal_data_export_build(*, export_id: int) -> PersonalDataExport:
    """Gather the account and, in each commune's schema, what that commune holds. Safe to
    run twice: a completed export is left as it is."""
    export = PersonalDataExport.objects.select_related("user").get(pk=export_id)
    if export.completed_at:
        return export
    user = export.user
    communes = {}
    for commune in _communes():
        with tenant_context(commune):
            held = personal_data.collect(user)
        if held:
            communes[commune.name] = held
    export.content = {
        "compte": {
            "adresse_electronique": user.email,
            "prenom": user.first_name,
            "nom": user.last_name,
            "telephone": user.phone,
            "inscrit_le": user.date_joined.isoformat(),
            "identites_externes": list(user.external_identities.values_list("provider", flat=True)),
            # Issue 28: refused on the account page (each commune lists its SMS below).
            "refuse_les_sms": sms_opted_out(phone="", user_id=user.pk),
        },
        "communes": communes,
    }
    export.completed_at = timezone.now()
    export.save(update_fields=["content", "completed_at"])
    return export


@transaction.atomic
def user_delete(*, user: User) -> int:
    """Delete the account. Requests and appointments already filed stay with each commune
    (legal retention) but are detached from the account; every session ends. One
    transaction across the schemas: all of it, or nothing. Returns rows detached."""
    detached = 0
    for commune in _communes():
        with tenant_context(commune):
            detached += personal_data.detach(user)
    sms_opt_out_forget(acting_user=user, user_id=user.pk)
    user_sessions_end(user=user)
    audit.account_record(user, audit.ACCOUNT_DELETED, f"Compte {user.email} supprimé")
    user.delete()
    return detached
