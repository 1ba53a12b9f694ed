"""Sessions: every signed-in session is recorded with its owner, so that logging out, a
password change or "log out everywhere" ends them on every host at once."""

import time
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from oauth2_provider.models import get_access_token_model, get_id_token_model

from identity.models import SessionRecord
from portal.accounts.models import User

# Session keys that say how the session was opened and how to end it upstream.
METHOD_KEY = "identity_method"
UPSTREAM_KEY = "identity_upstream"  # {"provider": ..., "id_token": ...}
SSO_ID_TOKEN_KEY = "identity_sso_id_token"
# Issue 22: when this session last proved who holds it (sign-in, second factor or password
# typed again), and when a staff session was last used (epoch seconds).
VERIFIED_AT_KEY = "identity_verified_at"
SEEN_AT_KEY = "identity_seen_at"


def session_record_on_login(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver: remember this session as the user's."""
    session = getattr(request, "session", None)
    if session is None:
        return
    if session.session_key is None:
        session.save()
    SessionRecord.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            # Test clients' force_login() passes a bare request without a host.
            "host": request.META.get("HTTP_HOST", "").split(":")[0][:255],
            "user_agent": request.headers.get("User-Agent", "")[:300],
            "method": session.get(METHOD_KEY, "password")[:30],
        },
    )


def session_proof_on_login(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver: signing in proves who holds the session (issue 22)."""
    session = getattr(request, "session", None)
    if session is not None:
        session[VERIFIED_AT_KEY] = int(time.time())


def session_second_factor_passed(session, *, device) -> None:
    """Mark ``session`` as having passed the second factor with ``device`` just now, as a
    staff session is after its verification step (django-otp's device key, the proof's and
    the last use's times, the staff idle expiry). Saves the session."""
    from django_otp import DEVICE_ID_SESSION_KEY

    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[VERIFIED_AT_KEY] = session[SEEN_AT_KEY] = int(time.time())
    session.set_expiry(settings.STAFF_SESSION_IDLE_SECONDS)
    session.save()


@transaction.atomic
def user_sessions_end(*, user: User, keep_session_key: str | None = None) -> int:
    """End every session of ``user`` on every host (operator and communes), except
    ``keep_session_key``; tokens the operator's provider issued to them are revoked too.
    Returns how many sessions were ended."""
    records = SessionRecord.objects.filter(user=user)
    if keep_session_key:
        records = records.exclude(session_key=keep_session_key)
    keys = list(records.values_list("session_key", flat=True))
    # Through the session engine, so that a cached copy (cached_db) goes with the row.
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in keys:
        store(session_key=key).delete()
    Session.objects.filter(session_key__in=keys).delete()
    records.delete()
    if keep_session_key is None:
        get_access_token_model().objects.filter(user=user).delete()
        get_id_token_model().objects.filter(user=user).delete()
    if keys:
        from identity import audit

        audit.account_record(
            user, audit.SESSIONS_ENDED, f"{len(keys)} session(s) de {user.email} fermée(s)"
        )
    return len(keys)
