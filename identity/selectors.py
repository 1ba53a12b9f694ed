from django.contrib.sessions.models import Session
from django.db.models import QuerySet
from django.utils import timezone

from identity.models import ExternalIdentity, SessionRecord
from portal.accounts.models import User


def user_active_sessions(*, user: User) -> QuerySet[SessionRecord]:
    """The user's sessions that have not expired, newest first (one query)."""
    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    return SessionRecord.objects.filter(user=user, session_key__in=live)


def user_external_identities(*, user: User) -> QuerySet[ExternalIdentity]:
    return ExternalIdentity.objects.filter(user=user).order_by("provider")
