"""Writes of SMS: issue an owed SMS once (decide, count, queue), deliver it at most once.

Two steps, so that no SMS is sent twice when a worker dies at any instant:

1. ``text_issue`` runs inside ``owed_issuing`` (portal/owed): the owed row's lock makes the
   decision once. It writes a TextMessage, either SKIPPED (opted out, cap reached, nothing
   to say any more) or QUEUED with its GSM-7 text and segment count, the commune's month
   counted in the same transaction (the cap is checked by that statement).
2. ``text_deliver`` claims a QUEUED row (QUEUED -> SENDING, committed) before calling the
   provider, then records SENT or, on a provider error, QUEUED again with a backoff, or
   FAILED. A worker killed during the call leaves SENDING: ``texts_sweep`` later marks it
   UNKNOWN and never sends it again (at most once: a lost reminder rather than two).

Nothing is sent in the quiet hours: an SMS due then waits for the morning.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.audit.trail import SystemActor, audit_action, audit_record
from portal.inputs import row_id
from portal.owed.models import OwedDocument
from portal.owed.services import owed_issuing, owed_record
from portal.sms.gsm7 import gsm7_transliterate, sms_segments
from portal.sms.models import SmsSettings, TextMessage
from portal.sms.phones import phone_time_zones
from portal.sms.providers import ProviderError, sms_provider
from portal.sms.shared.models import SmsMonth, SmsOptOut

# Issue 28: nothing is sent between 21:00 and 8:00 (queued to the morning), the recipient's
# local time (``quiet_until``): an SMS is issued in the commune's day, and delivered in the
# recipient's, so an overseas number's SMS issued at 19:30 Paris waits in the queue.
# (settings.SMS_QUIET_FROM / SMS_QUIET_UNTIL, equal to turn it off: tests' workers, benches)
# Provider errors (network, 5xx): retried after 1, 2, 4, 8... minutes, this many times.
MAX_ATTEMPTS = 6
# A claim older than this whose outcome was never written: its worker died mid-call.
SENDING_LOST_AFTER = timedelta(minutes=10)

CAP_NOTICE = "sms.cap_notice"
OPTED_OUT = "le destinataire refuse les SMS"
CAPPED = "plafond mensuel de SMS atteint"
NO_PROVIDER = "aucun opérateur SMS configuré"


@dataclass(frozen=True)
class Draft:
    phone: str  # E.164
    body: str
    user_id: int | None = None


def quiet_until(now: datetime, *, phone: str = "") -> datetime | None:
    """The end of the quiet hours ``now`` falls in (8:00), or None outside them: in the
    recipient's local time, told by their number ``phone`` (an overseas number has its own
    zone: "+262 692..." is 22:30 in Réunion when Paris says 19:30); the commune's time (the
    active zone, Europe/Paris) when the number tells nothing or none is given. A number
    that may be in several zones waits until it is morning in all of them."""
    zones = phone_time_zones(phone) if phone else []
    mornings = [
        morning
        for zone in zones or [timezone.get_current_timezone()]
        if (morning := _quiet_until_in(now, zone)) is not None
    ]
    return max(mornings, default=None)


def _quiet_until_in(now: datetime, zone) -> datetime | None:
    quiet_from = time.fromisoformat(settings.SMS_QUIET_FROM)
    quiet_until = time.fromisoformat(settings.SMS_QUIET_UNTIL)
    local = timezone.localtime(now, zone)
    if quiet_from == quiet_until or quiet_until <= local.time() < quiet_from:
        return None
    day = local.date() + timedelta(days=1) if local.time() >= quiet_from else local.date()
    return timezone.make_aware(datetime.combine(day, quiet_until), zone)


def month_of(moment: datetime) -> date:
    return timezone.localtime(moment).date().replace(day=1)


def sms_opted_out(*, phone: str, user_id: int | None) -> bool:
    targets = Q(phone=phone) if phone else Q(pk__in=[])
    if user_id is not None:
        targets |= Q(user_id=user_id, phone="")
    return SmsOptOut.objects.filter(targets).exists()


def _month_reserve(*, segments: int, now: datetime) -> bool:
    """Count ``segments`` in the commune's month unless that passes its cap (one statement:
    two workers cannot both pass the last place)."""
    month = month_of(now)
    schema = connection.schema_name
    SmsMonth.objects.bulk_create([SmsMonth(schema_name=schema, month=month)], ignore_conflicts=True)
    rows = SmsMonth.objects.filter(schema_name=schema, month=month)
    cap = SmsSettings.current().monthly_cap
    if cap is not None:
        rows = rows.filter(segments__lte=cap - segments)
    if rows.update(texts=F("texts") + 1, segments=F("segments") + segments):
        return True
    SmsMonth.objects.filter(schema_name=schema, month=month).update(refused=F("refused") + 1)
    # The commune's admins are told once a month (an owed notice: the subject is the month,
    # 202612; the task, registered by the app that knows who they are, mails them).
    owed_record(kind=CAP_NOTICE, subject_ids=[month.year * 100 + month.month], task=CAP_NOTICE)
    return False


def _month_release(*, text: TextMessage) -> None:
    """A queued SMS that was not sent after all no longer counts."""
    SmsMonth.objects.filter(
        schema_name=connection.schema_name, month=month_of(text.created_at)
    ).update(texts=F("texts") - 1, segments=F("segments") - text.segments)


def text_issue(
    *, kind: str, subject_id: int, draft: Callable[[], Draft | str], now: datetime | None = None
) -> TextMessage | None:
    """Decide, once, the SMS owed as ``kind`` for ``subject_id``: ``draft()`` gives the
    number and text, or a French reason not to send. Returns the TextMessage written now
    (QUEUED: deliver it), or None when issued already or put off to the morning."""
    now = now or timezone.now()
    morning = quiet_until(now)
    if morning is not None:
        OwedDocument.objects.filter(
            kind=kind, subject_id=subject_id, issued_at__isnull=True
        ).update(due_at=morning)
        return None
    with owed_issuing(kind=kind, subject_id=subject_id) as owed:
        if not owed:
            return None
        row = TextMessage(
            kind=kind, subject_id=subject_id, created_at=now, status_at=now, next_attempt_at=now
        )
        drafted = draft() if sms_provider() is not None else NO_PROVIDER
        if isinstance(drafted, str):
            row.status, row.reason = TextMessage.Status.SKIPPED, drafted
        elif sms_opted_out(phone=drafted.phone, user_id=drafted.user_id):
            row.status, row.reason, row.phone = TextMessage.Status.SKIPPED, OPTED_OUT, drafted.phone
        else:
            row.phone, row.body = drafted.phone, gsm7_transliterate(drafted.body)
            row.segments = sms_segments(row.body)
            if _month_reserve(segments=row.segments, now=now):
                row.status = TextMessage.Status.QUEUED
            else:
                row.status, row.reason, row.segments = TextMessage.Status.SKIPPED, CAPPED, 0
        row.save(force_insert=True)
    return row


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=2 ** (attempts - 1))


def text_deliver(
    *,
    text_id: int,
    still_wanted: Callable[[TextMessage], str] | None = None,
    now: datetime | None = None,
) -> TextMessage | None:
    """Hand a QUEUED SMS to the provider, at most once. ``still_wanted(text)`` gives a
    French reason not to send any more (appointment cancelled meanwhile), or "". Returns
    the row as left (QUEUED again with ``next_attempt_at`` after a provider error), or None
    when there was nothing to do (not due, claimed by another worker, done)."""
    now = now or timezone.now()
    provider = sms_provider()
    with transaction.atomic():
        text = (
            TextMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=text_id, status=TextMessage.Status.QUEUED, next_attempt_at__lte=now)
            .first()
        )
        if text is None:
            return None
        morning = quiet_until(now, phone=text.phone)  # the recipient's own night
        reason = "" if morning else (still_wanted(text) if still_wanted else "")
        if provider is None and not morning:
            reason = NO_PROVIDER
        if morning is not None:
            text.next_attempt_at = morning
        elif reason:
            _month_release(text=text)
            text.status, text.reason, text.segments = TextMessage.Status.SKIPPED, reason, 0
        else:
            text.status, text.attempts = TextMessage.Status.SENDING, text.attempts + 1
        text.status_at = now
        text.save()
        if text.status != TextMessage.Status.SENDING:
            return text
    # Claimed and committed: from here a worker's death leaves SENDING, never sent again.
    try:
        sent = provider.send(to=text.phone, text=text.body, tag=text_tag(text))
    except ProviderError as exc:
        return _failed(text=text, error=exc, now=now)
    fields = {"status": TextMessage.Status.SENT, "provider_ref": sent.provider_ref}
    fields |= {"sent_at": timezone.now(), "status_at": timezone.now(), "reason": ""}
    with transaction.atomic():
        if sent.segments and sent.segments != text.segments:
            SmsMonth.objects.filter(
                schema_name=connection.schema_name, month=month_of(text.created_at)
            ).update(segments=F("segments") + sent.segments - text.segments)
            fields["segments"] = sent.segments
        TextMessage.objects.filter(pk=text.pk, status=TextMessage.Status.SENDING).update(**fields)
    for name, value in fields.items():
        setattr(text, name, value)
    return text


def _failed(*, text: TextMessage, error: ProviderError, now: datetime) -> TextMessage:
    with transaction.atomic():
        if error.temporary and text.attempts < MAX_ATTEMPTS:
            text.status, text.next_attempt_at = (
                TextMessage.Status.QUEUED,
                now + _backoff(text.attempts),
            )
        else:
            _month_release(text=text)
            text.status, text.segments = TextMessage.Status.FAILED, 0
        text.reason, text.status_at = str(error)[:200], timezone.now()
        text.save(update_fields=["status", "next_attempt_at", "reason", "status_at", "segments"])
    return text


def text_tag(text: TextMessage) -> str:
    """What the provider reports back with each event: the commune and the row."""
    return f"{connection.schema_name}/{text.pk}"


def texts_sweep(*, kind_prefix: str, now: datetime | None = None) -> tuple[list[int], int]:
    """SMS of ``kind_prefix`` due for (another) delivery attempt; claims whose worker died
    (SENDING for longer than SENDING_LOST_AFTER) become UNKNOWN, never sent again."""
    now = now or timezone.now()
    lost = TextMessage.objects.filter(
        kind__startswith=kind_prefix,
        status=TextMessage.Status.SENDING,
        status_at__lt=now - SENDING_LOST_AFTER,
    ).update(status=TextMessage.Status.UNKNOWN, status_at=now)
    due = list(
        TextMessage.objects.filter(
            kind__startswith=kind_prefix,
            status=TextMessage.Status.QUEUED,
            next_attempt_at__lte=now,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:5000]
    )
    return due, lost


# Brevo's transactional SMS webhook, as documented at
# https://developers.brevo.com/docs/transactional-webhooks ("Transactional SMS"): one JSON
# object per event with "to" (the number, international, no "+"), "msg_status" (sent,
# accepted, delivered, soft_bounce, hard_bounce, replied, unsubscribe...), "messageId" (as
# the send answer gave it: our provider_ref), "sms_count", "credits_used", "date", "type",
# "reference"; a reply carries its text in "reply". The fields listed there do not include
# the "tag" given at sending: an event without it is matched by its messageId. Brevo's event
# log (GET /v3/transactionalSMS/statistics/events) spells the statuses in camelCase
# (softBounce, hardBounce): both spellings are read ("_" dropped, lower case).
DELIVERED_EVENTS = {"delivered": TextMessage.Status.DELIVERED}
UNDELIVERED_EVENTS = {"hardbounce", "softbounce", "rejected", "blocked", "skip"}
STOP_EVENTS = {"unsubscribed", "unsubscribe", "unsubscription"}
# A report by messageId looks in the communes that counted SMS since the month before.
EVENT_LOOKBACK = timedelta(days=62)
PROVIDER = SystemActor("sms-provider", "opérateur SMS")
OPTED_OUT_BY_STOP = audit_action("sms.stop", _("Refus des SMS (réponse STOP)"))
OPTED_OUT_BY_CITIZEN = audit_action("sms.opt_out", _("Refus des SMS"))
OPTED_IN_BY_CITIZEN = audit_action("sms.opt_in", _("SMS acceptés de nouveau"))


def sms_event_record(*, event: dict) -> None:
    """Apply one provider event: a delivery report updates its SMS's status (found by the
    tag "<schema>/<id>" given at sending, or else by the provider's messageId); a STOP
    reply records the number's opt-out."""
    status = str(event.get("msg_status") or event.get("event") or "")[:40].lower()
    status = status.replace("_", "")
    reply = str(event.get("reply") or "")[:40].strip().upper()
    if status in STOP_EVENTS or reply == "STOP":
        _stop_record(to=str(event.get("to", ""))[:40])
        return
    new_status = DELIVERED_EVENTS.get(status)
    if new_status is None and status in UNDELIVERED_EVENTS:
        new_status = TextMessage.Status.UNDELIVERED
    if new_status is None:
        return
    for schema, row in _event_rows(event):
        if _status_set(schema=schema, row=row, status=new_status):
            return


def _stop_record(*, to: str) -> None:
    phone = "+" + "".join(c for c in to if c.isdigit())
    if not 4 < len(phone) <= 16:  # E.164: at most 15 digits
        return
    with transaction.atomic():
        created = SmsOptOut.objects.bulk_create(
            [SmsOptOut(phone=phone, source=SmsOptOut.Source.PROVIDER)], ignore_conflicts=True
        )
        audit_record(
            acting_user=PROVIDER,
            action=OPTED_OUT_BY_STOP,
            target=("sms_shared.smsoptout", phone[:-4] + "****"),
            summary="réponse STOP reçue" + ("" if created else " (déjà enregistrée)"),
            collectivite_id=None,
        )


def _event_rows(event: dict):
    """(schema, filter) where the event's SMS may be: the tag's, else each recent commune's
    row with the event's messageId."""
    schema, _sep, pk = str(event.get("tag", ""))[:100].partition("/")
    sms_id = row_id(pk)
    if sms_id is not None and schema.replace("_", "").isalnum():
        yield schema, Q(pk=sms_id)
        return
    ref = str(event.get("messageId") or "")[:100]
    if not ref.replace("-", "").isalnum():
        return
    since = month_of(timezone.now() - EVENT_LOOKBACK)
    schemas = SmsMonth.objects.filter(month__gte=since).values_list("schema_name", flat=True)
    for schema in sorted(set(schemas)):
        yield schema, Q(provider_ref=ref)


def _status_set(*, schema: str, row: Q, status: str) -> int:
    previous = connection.schema_name
    connection.set_schema(schema)
    try:
        with transaction.atomic():
            return TextMessage.objects.filter(
                row, status__in=[TextMessage.Status.SENT, TextMessage.Status.UNKNOWN]
            ).update(status=status, status_at=timezone.now())
    except DatabaseError:  # a tag naming no commune's schema: forged or stale, ignored
        return 0
    finally:
        connection.set_schema(previous)


def sms_opt_out_set(*, acting_user, user_id: int, opted_out: bool) -> None:
    """The citizen's choice on their account page: no SMS to any of their numbers."""
    with transaction.atomic():
        if opted_out:
            SmsOptOut.objects.bulk_create(
                [SmsOptOut(user_id=user_id, source=SmsOptOut.Source.ACCOUNT)],
                ignore_conflicts=True,
            )
        else:
            SmsOptOut.objects.filter(user_id=user_id, phone="").delete()
        audit_record(
            acting_user=acting_user,
            action=OPTED_OUT_BY_CITIZEN if opted_out else OPTED_IN_BY_CITIZEN,
            target=("accounts.user", str(user_id)),
            summary="ne plus recevoir de SMS" if opted_out else "recevoir de nouveau les SMS",
        )


CAP_SET = audit_action("sms.cap_set", _("Plafond mensuel de SMS"))


def sms_cap_set(*, acting_user, monthly_cap: int | None) -> SmsSettings:
    """The commune admin's monthly cap on SMS (None: no cap); past it, e-mail only."""
    if monthly_cap is not None and monthly_cap < 0:
        raise ValidationError({"monthly_cap": "Indiquez un nombre positif, ou rien."})
    with transaction.atomic():
        row = SmsSettings.current()
        row.monthly_cap = monthly_cap
        row.save(update_fields=["monthly_cap"])
        audit_record(
            acting_user=acting_user,
            action=CAP_SET,
            target=row,
            summary=f"plafond : {monthly_cap} SMS par mois"
            if monthly_cap is not None
            else "sans plafond",
        )
    return row


OPT_OUT_FORGOTTEN = audit_action("sms.opt_out_forget", _("Refus des SMS effacé avec le compte"))


def sms_opt_out_forget(*, acting_user, user_id: int) -> int:
    """The account is deleted: its refusal of SMS (the row naming it) goes, and a number's
    refusal no longer names it. A number's STOP itself stays: erasing it would text again
    a number that refused (an opposition is kept to be honoured). Returns rows changed."""
    with transaction.atomic():
        deleted, _rows = SmsOptOut.objects.filter(user_id=user_id, phone="").delete()
        unnamed = SmsOptOut.objects.filter(user_id=user_id).update(user_id=None)
        if deleted or unnamed:
            audit_record(
                acting_user=acting_user,
                action=OPT_OUT_FORGOTTEN,
                target=("accounts.user", str(user_id)),
                summary="refus des SMS du compte effacé",
                collectivite_id=None,
            )
    return deleted + unnamed
