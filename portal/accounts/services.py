from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string

from portal.accounts.models import User
from portal.audit.trail import audit_action, audit_record

SIGNED_UP = audit_action("account.signed_up", "Compte créé (inscription)")
PASSWORD_RESET = audit_action("account.password_reset", "Mot de passe réinitialisé (lien)")


@transaction.atomic
def user_register(*, email: str, password: str, first_name: str = "", last_name: str = "") -> User:
    """A citizen's account: global, valid in every commune (seed 002)."""
    return User.objects.create_user(
        email=email, password=password, first_name=first_name, last_name=last_name
    )


@transaction.atomic
def user_password_reset(*, form) -> User:
    """Set the password chosen through the reset link mailed (Django's SetPasswordForm) and
    record it: the person who followed the link is the actor."""
    user = form.save()
    audit_record(
        acting_user=user,
        action=PASSWORD_RESET,
        target=user,
        summary=f"{user.email} a réinitialisé son mot de passe",
    )
    return user


def user_signup(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    login_url: str,
    reset_url: str,
) -> None:
    """Sign-up that does not tell who has an account (issue 8): the page answers the same
    either way; the address's owner is told by mail, "your account is created" or "someone
    tried to create an account with your address"."""
    email = User.objects.normalize_email(email.strip()).lower()
    with transaction.atomic():
        exists = User.objects.filter(email__iexact=email).exists()
        if not exists:
            user = user_register(
                email=email, password=password, first_name=first_name, last_name=last_name
            )
            audit_record(
                acting_user=user,
                action=SIGNED_UP,
                target=user,
                summary=f"Compte créé : {email}",
            )
    template = "accounts/email/signup_attempt.txt" if exists else "accounts/email/signup_done.txt"
    subject = (
        "Tentative de création de compte avec votre adresse"
        if exists
        else "Votre compte sur le portail des communes"
    )
    send_mail(
        subject=subject,
        message=render_to_string(
            template, {"email": email, "login_url": login_url, "reset_url": reset_url}
        ),
        from_email=None,
        recipient_list=[email],
    )
