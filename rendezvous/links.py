"""Links in messages that need no login: signed, salted, time-limited and single use.

The signed value is the appointment's ``link_secret``: random, shown nowhere else (not the
hold token of the booking page, not the calendar UID). A tampered link fails the signature,
an old one fails its age (RENDEZVOUS_LINK_MAX_AGE_DAYS), and one that has acted (cancel,
move, book anew) fails because the action replaced the secret (services.link_rotate): the
messages sent afterwards carry the new one. Nothing here signs a link for someone who does
not already hold a valid one.
"""

from django.conf import settings
from django.core import signing
from django.db import connection
from django.urls import reverse

from rendezvous.models import Appointment

SALT = "rendezvous.manage-link"


class LinkError(Exception):
    """A link that cannot be used; ``message`` is shown to the citizen (French)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def link_sign(*, appointment: Appointment) -> str:
    return secret_sign(secret=appointment.link_secret)


def secret_sign(*, secret: str) -> str:
    """A manage link's signed value for an appointment's ``link_secret`` (read in bulk by
    "Mes rendez-vous", which only lists the signed-in account's own appointments)."""
    return signing.dumps(secret, salt=SALT, compress=False)


def appointment_from_link(*, signed: str) -> Appointment:
    try:
        secret = signing.loads(
            signed, salt=SALT, max_age=settings.RENDEZVOUS_LINK_MAX_AGE_DAYS * 86400
        )
    except signing.SignatureExpired:
        raise LinkError(
            "Ce lien a expiré. Reprenez rendez-vous depuis la page des rendez-vous de la commune."
        ) from None
    except signing.BadSignature:
        raise LinkError("Ce lien n'est pas valide : il a peut-être été mal copié.") from None
    appointment = (
        Appointment.objects.select_related("type", "place", "replaces")
        .filter(link_secret=secret)
        .first()
        if isinstance(secret, str)
        else None
    )
    if appointment is None:
        raise LinkError(
            "Ce lien n'est plus valable : il a déjà servi, ou un courriel plus récent l'a "
            "remplacé. Utilisez les liens du dernier courriel reçu."
        )
    if appointment.status in (
        Appointment.Status.HELD,
        Appointment.Status.EXPIRED,
    ):
        raise LinkError("Ce rendez-vous est introuvable.")
    return appointment


def absolute(path: str) -> str:
    """An absolute URL on the current commune's site (messages are read outside the site)."""
    return connection.tenant.primary_url().rstrip("/") + path


def manage_url(*, appointment: Appointment) -> str:
    return absolute(reverse("rendezvous:manage", args=[link_sign(appointment=appointment)]))


def cancel_url(*, appointment: Appointment) -> str:
    return absolute(reverse("rendezvous:cancel", args=[link_sign(appointment=appointment)]))


def rebook_url(*, appointment: Appointment) -> str:
    return absolute(reverse("rendezvous:rebook", args=[link_sign(appointment=appointment)]))


def survey_url(*, appointment: Appointment) -> str:
    return absolute(reverse("rendezvous:survey", args=[link_sign(appointment=appointment)]))
