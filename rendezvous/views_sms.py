"""The short link an SMS carries (issue 28): it leads to the signed manage page."""

from datetime import timedelta

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_GET

from rendezvous import links
from rendezvous.models import Appointment


@require_GET
def sms_link(request, secret: str):
    """``secret`` is the appointment's ``link_secret``: unguessable, and replaced by every
    action (cancel, move), so that an SMS's link dies with the booking it named, as the
    signed links do; it also dies RENDEZVOUS_LINK_MAX_AGE_DAYS after the appointment."""
    oldest = timezone.now() - timedelta(days=settings.RENDEZVOUS_LINK_MAX_AGE_DAYS)
    appointment = (
        Appointment.objects.filter(link_secret=secret, starts_at__gte=oldest)
        .exclude(status__in=[Appointment.Status.HELD, Appointment.Status.EXPIRED])
        .first()
    )
    if appointment is None:
        raise Http404("Ce lien n'est plus valable.")
    return redirect(links.manage_url(appointment=appointment))
