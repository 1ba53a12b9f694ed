"""Writes on memberships: who works in a commune's back office, and with which role."""

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import User
from portal.audit.trail import Actor, audit_action, audit_record
from tenants.models import Collectivite, Membership

INVITED = audit_action("tenants.member_invited", _("Membre invité"))
ROLE_SET = audit_action("tenants.member_role_set", _("Rôle d'un membre changé"))
DEACTIVATED = audit_action("tenants.member_deactivated", _("Accès d'un membre coupé"))
REACTIVATED = audit_action("tenants.member_reactivated", _("Accès d'un membre rétabli"))


def _record(acting_user: Actor, action: str, membership: Membership, summary: str) -> None:
    audit_record(
        acting_user=acting_user,
        action=action,
        target=membership,
        summary=summary,
        details={
            "user": membership.user_id,
            "email": membership.user.email,
            "role": membership.role,
            "is_active": membership.is_active,
        },
        collectivite_id=membership.collectivite_id,
    )


def membership_grant(
    *, user: User, collectivite: Collectivite, role: str, title: str | None = None
) -> Membership:
    """Give (or change, or reactivate) a user's role in a collectivité's back office; the
    title (qualité: « Secrétaire de mairie ») is what decisions they sign will state."""
    defaults = {"role": role, "is_active": True}
    if title is not None:
        defaults["title"] = title.strip()
    membership, _ = Membership.objects.update_or_create(
        user=user, collectivite=collectivite, defaults=defaults
    )
    return membership


def password_link(*, user: User, collectivite: Collectivite) -> str:
    """A one-time link to set a password, on the commune's host: Django's reset tokens are
    invalidated as soon as the password changes (or the user logs in)."""
    path = reverse(
        "accounts:password_reset_confirm",
        urlconf="portal.urls_tenant",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return collectivite.primary_url().rstrip("/") + path


def send_welcome(*, user_id: int, collectivite_id: int, role: str) -> None:
    user = User.objects.get(pk=user_id)
    collectivite = Collectivite.objects.get(pk=collectivite_id)
    context = {
        "user": user,
        "collectivite": collectivite,
        "role": Membership.Role(role).label.lower(),
        "link": password_link(user=user, collectivite=collectivite),
        "site": collectivite.primary_url(),
    }
    send_mail(
        subject=f"Votre accès à l'espace de {collectivite.name}",
        message=render_to_string("tenants/emails/welcome.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


def user_get_or_create(*, email: str, first_name: str = "", last_name: str = "") -> User:
    """The global account of ``email`` (one account for every commune, seed 002), created
    without a usable password if missing."""
    email = User.objects.normalize_email((email or "").strip()).lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": "Saisissez une adresse électronique valide."}) from exc
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(email=email, first_name=first_name.strip(), last_name=last_name.strip())
        user.set_unusable_password()
        user.save()
    return user


@transaction.atomic
def member_invite(
    *,
    acting_user: Actor,
    collectivite: Collectivite,
    email: str,
    first_name: str = "",
    last_name: str = "",
    role: str = Membership.Role.AGENT,
    title: str = "",
) -> Membership:
    """Give an account (created if needed) a role in the commune, and e-mail it a one-time
    link to set its password once the transaction commits."""
    if role not in Membership.Role.values:
        raise ValidationError({"role": "Rôle inconnu."})
    user = user_get_or_create(email=email, first_name=first_name, last_name=last_name)
    existing = Membership.objects.filter(user=user, collectivite=collectivite).first()
    if existing is not None and existing.is_active:
        raise ValidationError({"email": "Cette personne fait déjà partie de l'équipe."})
    membership = membership_grant(user=user, collectivite=collectivite, role=role, title=title)
    _record(
        acting_user,
        INVITED,
        membership,
        f"{user.email} invité(e) : {membership.get_role_display()}",
    )
    transaction.on_commit(
        lambda: send_welcome(user_id=user.pk, collectivite_id=collectivite.pk, role=role)
    )
    return membership


def _keep_an_admin(membership: Membership) -> None:
    others = (
        Membership.objects.filter(
            collectivite_id=membership.collectivite_id, role=Membership.Role.ADMIN, is_active=True
        )
        .exclude(pk=membership.pk)
        .select_for_update()
    )
    if not others.exists():
        raise ValidationError(
            "La commune doit garder au moins un administrateur actif : "
            "nommez-en un autre avant ce changement."
        )


@transaction.atomic
def membership_role_set(*, acting_user: Actor, membership: Membership, role: str) -> Membership:
    """Give or remove the admin role; the last active admin cannot lose it."""
    if role not in Membership.Role.values:
        raise ValidationError("Rôle inconnu.")
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.is_admin and role != Membership.Role.ADMIN and membership.is_active:
        _keep_an_admin(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    _record(
        acting_user,
        ROLE_SET,
        membership,
        f"{membership.user.email} : rôle {membership.get_role_display()}",
    )
    return membership


@transaction.atomic
def membership_deactivate(*, acting_user: Actor, membership: Membership) -> Membership:
    """Cut an agent's access at once: every back-office page and API asks membership_for,
    which only sees active memberships."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.is_admin and membership.is_active:
        _keep_an_admin(membership)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    _record(acting_user, DEACTIVATED, membership, f"{membership.user.email} : accès coupé")
    return membership


@transaction.atomic
def membership_reactivate(*, acting_user: Actor, membership: Membership) -> Membership:
    membership.is_active = True
    membership.save(update_fields=["is_active"])
    _record(acting_user, REACTIVATED, membership, f"{membership.user.email} : accès rétabli")
    return membership
