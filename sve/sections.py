"""SVE's blocks on the commune's home page and back-office home."""

from django.utils import timezone

from portal.calendar import current_insee_code
from portal.links import reverse_fixed
from portal.sections import AccountLink, Section
from sve import selectors
from sve.deadlines import AR_SOON_WORKING_DAYS, ar_soon_until
from sve.models import OPEN_STATUSES, Request, Status

SERVICE = "sve"
HOME_CACHES = (selectors.FORMS_ONLINE_CACHE,)


def home_section(request) -> Section:
    return Section(
        title="Démarches en ligne",
        template="sve/_home_section.html",
        context={
            "forms": selectors.forms_online_cached(),
            "catalogue_url": reverse_fixed("sve:catalogue"),
        },
        order=10,
    )


def account_link(request) -> AccountLink:
    return AccountLink(label="Mes demandes", url=reverse_fixed("sve:my_requests"), order=10)


def backoffice_section(request) -> Section:
    limit = ar_soon_until(timezone.localdate(), insee_code=current_insee_code())
    membership = getattr(request, "membership", None)
    return Section(
        title="Démarches en ligne (SVE)",
        template="sve/_backoffice_section.html",
        context={
            "open_count": Request.objects.filter(status__in=OPEN_STATUSES).count(),
            "ar_late": Request.objects.filter(
                status=Status.SUBMITTED, ar_due_on__lte=limit
            ).count(),
            "is_admin": bool(membership and membership.is_admin),
            "ar_soon_days": AR_SOON_WORKING_DAYS,
        },
        order=10,
    )
