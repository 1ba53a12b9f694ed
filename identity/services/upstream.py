"""Signing in through an upstream provider (FranceConnect for citizens, ProConnect for
staff): which claims are kept, when an account is created, linked or refused."""

from dataclasses import dataclass

from django.db import transaction

from identity import audit
from identity.models import ExternalIdentity
from portal.accounts.models import User

LABELS = {"franceconnect": "FranceConnect", "proconnect": "ProConnect"}


class UpstreamRefused(Exception):
    """A sign-in the portal refuses; the message is shown to the person, in French."""


@dataclass(frozen=True)
class UpstreamIdentity:
    provider: str
    subject: str
    email: str
    email_verified: bool
    given_name: str
    family_name: str

    @property
    def label(self) -> str:
        return LABELS[self.provider]

    def as_session(self) -> dict:
        return self.__dict__.copy()


def upstream_identity_from_claims(
    *, provider: str, claims: dict, trusts_email: bool = False
) -> UpstreamIdentity:
    """Only these claims are read. GDPR art. 5-1-c (data minimisation): birth date, birth
    place and birth country sent by FranceConnect are never read nor stored. The e-mail is
    verified when the provider says so, or when it sends no claim and is trusted to verify
    e-mails (``trusts_email``, set per provider)."""
    verified = claims.get("email_verified")
    return UpstreamIdentity(
        provider=provider,
        subject=str(claims.get("sub") or ""),
        email=str(claims.get("email") or "").strip().lower(),
        email_verified=verified is True or (verified is None and trusts_email),
        given_name=str(claims.get("given_name") or "")[:150],
        # ProConnect names the family name "usual_name".
        family_name=str(claims.get("family_name") or claims.get("usual_name") or "")[:150],
    )


@dataclass(frozen=True)
class UpstreamOutcome:
    user: User
    needs_confirmation: bool  # an existing account, to be linked only if its owner agrees


@transaction.atomic
def upstream_sign_in(*, identity: UpstreamIdentity) -> UpstreamOutcome:
    """The account this upstream identity signs in to.

    - already linked: that account;
    - the provider did not verify the e-mail: refused, nothing written;
    - an account has that e-mail: returned for confirmation (nothing linked yet);
    - ProConnect and no account: refused (issue 12: staff get only the access already
      granted to their e-mail; nothing is granted by the provider);
    - FranceConnect and no account: a citizen's account is created and linked."""
    if not identity.subject:
        raise UpstreamRefused(f"{identity.label} n'a pas transmis d'identifiant : recommencez.")
    linked = (
        ExternalIdentity.objects.select_related("user")
        .filter(provider=identity.provider, subject=identity.subject)
        .first()
    )
    if linked is not None:
        if not linked.user.is_active:
            raise UpstreamRefused("Ce compte est désactivé.")
        return UpstreamOutcome(user=linked.user, needs_confirmation=False)
    if not identity.email or not identity.email_verified:
        raise UpstreamRefused(
            f"{identity.label} n'a pas transmis d'adresse électronique vérifiée : aucun compte "
            "n'a été créé ni relié. Vérifiez votre adresse auprès de votre fournisseur "
            "d'identité, ou connectez-vous avec votre mot de passe."
        )
    existing = User.objects.filter(email__iexact=identity.email).first()
    if existing is not None:
        if not existing.is_active:
            raise UpstreamRefused("Ce compte est désactivé.")
        return UpstreamOutcome(user=existing, needs_confirmation=True)
    if identity.provider == ExternalIdentity.Provider.PROCONNECT:
        raise UpstreamRefused(
            f"Aucun accès n'est ouvert pour {identity.email} sur le portail. Demandez à "
            "l'administrateur de votre collectivité de vous inviter avec cette adresse."
        )
    user = User.objects.create_user(
        email=identity.email,
        password=None,
        first_name=identity.given_name,
        last_name=identity.family_name,
    )
    ExternalIdentity.objects.create(user=user, provider=identity.provider, subject=identity.subject)
    return UpstreamOutcome(user=user, needs_confirmation=False)


@transaction.atomic
def upstream_link_confirm(*, identity: UpstreamIdentity, user: User) -> ExternalIdentity:
    """Link an upstream identity to the account with the same verified e-mail, once the
    person has confirmed. Idempotent for the same pair."""
    if user.email.lower() != identity.email or not identity.email_verified:
        raise UpstreamRefused("Cette identité ne correspond pas à ce compte.")
    link, _ = ExternalIdentity.objects.get_or_create(
        provider=identity.provider, subject=identity.subject, defaults={"user": user}
    )
    if link.user_id != user.pk:
        raise UpstreamRefused("Cette identité est déjà reliée à un autre compte.")
    audit.account_record(
        user, audit.UPSTREAM_LINKED, f"{user.email} a relié son identité {identity.label}"
    )
    return link
