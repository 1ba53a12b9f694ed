"""Writes of SMS: issue owed SMS once (decide, count, claim), send each at most once.

Two steps, so that no SMS is sent twice when a worker dies at any instant:

1. ``texts_issue`` runs inside ``owed_issuing_batch`` (portal/owed), for one subject or a
   batch of them (a tick's reminders): the owed rows' locks make the decision once. It
   writes one TextMessage per subject, either SKIPPED (opted out, cap reached, nothing to
   say any more) or claimed, SENDING, with its GSM-7 text and segment count, the commune's
   month counted in the same transaction (its row locked: the cap holds between workers).
2. Once that is committed, ``texts_send`` hands the claimed SMS to the provider side by
   side and records SENT or, on a provider error, QUEUED again with a backoff (then
   ``text_deliver`` claims it again, QUEUED -> SENDING, committed, before its call), or
   FAILED. A worker killed during the calls leaves SENDING: ``texts_sweep`` later marks
   them UNKNOWN and never sends them again (at most once: a lost reminder rather than two).

Nothing is sent in the quiet hours: an SMS due then waits for the morning.
"""

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Case, CharField, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.audit.trail import SystemActor, audit_action, audit_record
from portal.inputs import row_id
from portal.owed.models import OwedDocument
from portal.owed.services import owed_issuing_batch, owed_record
from portal.sms.gsm7 import gsm7_transliterate, sms_segments
from portal.sms.models import SmsSettings, TextMessage
from portal.sms.phones import phone_time_zones
from portal.sms.providers import ProviderError, Sent, sms_provider
from portal.sms.shared.models import SmsMonth, SmsOptOut

logger = logging.getLogger(__name__)

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


def _opted_out_among(drafts: list[Draft]) -> set[tuple[str, int | None]]:
    """The (phone, user_id) of ``drafts`` whose recipient refused SMS: their number (a STOP
    reply), or their account (any number). One query for any number of drafts."""
    phones = {draft.phone for draft in drafts if draft.phone}
    users = {draft.user_id for draft in drafts if draft.user_id is not None}
    if not phones and not users:
        return set()
    refusals = set(
        SmsOptOut.objects.filter(Q(phone__in=phones) | Q(user_id__in=users, phone="")).values_list(
            "phone", "user_id"
        )
    )
    refused_phones = {phone for phone, _user in refusals if phone}
    refused_users = {user for phone, user in refusals if not phone}
    return {
        (draft.phone, draft.user_id)
        for draft in drafts
        if draft.phone in refused_phones or draft.user_id in refused_users
    }


def sms_opted_out(*, phone: str, user_id: int | None) -> bool:
    return bool(_opted_out_among([Draft(phone=phone, body="", user_id=user_id)]))


def _month_reserve(*, segments: list[int], now: datetime) -> list[bool]:
    """Count each SMS's ``segments``, in order, in the commune's month unless it would pass
    the cap (a refused one is left out, the next may still fit); one per SMS, whether it was
    counted. The month's row is locked until the caller's transaction ends: two workers
    cannot both pass the last place. Four queries whatever the number."""
    if not segments:
        return []
    month = month_of(now)
    schema = connection.schema_name
    SmsMonth.objects.bulk_create([SmsMonth(schema_name=schema, month=month)], ignore_conflicts=True)
    row = SmsMonth.objects.select_for_update().get(schema_name=schema, month=month)
    cap = SmsSettings.current().monthly_cap
    used, counted = row.segments, []
    for count in segments:
        counted.append(cap is None or used + count <= cap)
        used += count if counted[-1] else 0
    refused = counted.count(False)
    SmsMonth.objects.filter(pk=row.pk).update(
        texts=F("texts") + len(segments) - refused,
        segments=F("segments") + used - row.segments,
        refused=F("refused") + refused,
    )
    if refused:
        # The commune's admins are told once a month (an owed notice: the subject is the
        # month, 202612; the task, registered by the app that knows who they are, mails them).
        key = month.year * 100 + month.month
        owed_record(kind=CAP_NOTICE, subject_ids=[key], task=CAP_NOTICE)
    return counted


def _month_release(*, text: TextMessage) -> None:
    """A queued SMS that was not sent after all no longer counts."""
    SmsMonth.objects.filter(
        schema_name=connection.schema_name, month=month_of(text.created_at)
    ).update(texts=F("texts") - 1, segments=F("segments") - text.segments)


def _texts_decide(
    *, kind: str, subject_ids: list[int], drafted: dict[int, Draft | str], now: datetime
) -> list[TextMessage]:
    """One unsaved TextMessage per subject, in order: SKIPPED with its French reason
    (nothing to say, opted out, cap reached), QUEUED to the recipient's morning (their
    night, not the commune's), or claimed (SENDING, first attempt)."""
    rows, to_send = [], []
    for subject_id in subject_ids:
        row = TextMessage(
            kind=kind, subject_id=subject_id, created_at=now, status_at=now, next_attempt_at=now
        )
        draft = drafted.get(subject_id, NO_PROVIDER)
        if isinstance(draft, str):
            row.status, row.reason = TextMessage.Status.SKIPPED, draft
        else:
            row.phone = draft.phone
            to_send.append((row, draft))
        rows.append(row)
    refused = _opted_out_among([draft for _row, draft in to_send])
    wanted = []
    for row, draft in to_send:
        if (draft.phone, draft.user_id) in refused:
            row.status, row.reason = TextMessage.Status.SKIPPED, OPTED_OUT
            continue
        row.body = gsm7_transliterate(draft.body)
        row.segments = sms_segments(row.body)
        wanted.append(row)
    counted = _month_reserve(segments=[row.segments for row in wanted], now=now)
    for row, fits in zip(wanted, counted, strict=True):
        if fits and (morning := quiet_until(now, phone=row.phone)) is not None:
            # The commune's day, the recipient's night (an overseas number): counted, queued
            # to their morning, then delivered as a retry would be (``text_deliver``).
            row.status, row.next_attempt_at = TextMessage.Status.QUEUED, morning
        elif fits:
            row.status, row.attempts = TextMessage.Status.SENDING, 1
        else:
            row.status, row.reason, row.segments = TextMessage.Status.SKIPPED, CAPPED, 0
    return rows


def texts_issue(
    *,
    kind: str,
    subject_ids: list[int],
    drafts: Callable[[list[int]], dict[int, Draft | str]],
    now: datetime | None = None,
) -> list[TextMessage]:
    """Decide, once, the SMS owed as ``kind`` for each of ``subject_ids`` and send those
    wanted. ``drafts(ids)`` gives, per subject still owed, its number and text or a French
    reason not to send (read for the whole batch in a few queries).

    In one short transaction, whatever the batch's size in a fixed number of queries: the
    still-owed rows are locked (issued ones and those another worker holds left out), each
    SMS decided, written, and those to send claimed (SENDING) before any call; the owed
    rows marked issued. Once that is committed, the claimed SMS go to the provider side by
    side (``texts_send``): a worker killed from then on leaves SENDING, never resent.
    Returns the rows written now, as left, in the order given; [] in the quiet hours (the
    owed rows then wait for the morning) or when all were issued already."""
    now = now or timezone.now()
    morning = quiet_until(now)
    if morning is not None:
        OwedDocument.objects.filter(
            kind=kind, subject_id__in=subject_ids, issued_at__isnull=True
        ).update(due_at=morning)
        return []
    with owed_issuing_batch(kind=kind, subject_ids=subject_ids) as owed:
        drafted = drafts(owed) if owed and sms_provider() is not None else {}
        rows = _texts_decide(kind=kind, subject_ids=owed, drafted=drafted, now=now)
        TextMessage.objects.bulk_create(rows)
    texts_send(texts=[row for row in rows if row.status == TextMessage.Status.SENDING], now=now)
    return rows


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=2 ** (attempts - 1))


def text_deliver(
    *,
    text_id: int,
    still_wanted: Callable[[TextMessage], str] | None = None,
    now: datetime | None = None,
) -> TextMessage | None:
    """Hand a QUEUED SMS (again, after a provider error) to the provider, at most once.
    ``still_wanted(text)`` gives a French reason not to send any more (appointment
    cancelled meanwhile), or "". Returns the row as left (QUEUED again with
    ``next_attempt_at`` after a provider error), or None when there was nothing to do (not
    due, claimed by another worker, done)."""
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
    texts_send(texts=[text], now=now)
    return text


# How many SMS a worker process hands to the provider at once (each its own keep-alive
# connection, portal/sms/providers.py): the provider's answer is most of an SMS's time.
SEND_THREADS = 8
_pool: ThreadPoolExecutor | None = None


def _send_pool() -> ThreadPoolExecutor:
    # Made on first use, in the process that sends (a prefork child), and kept: its threads
    # keep their connections to the provider open from one batch to the next.
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=SEND_THREADS, thread_name_prefix="sms-send")
    return _pool


def texts_send(*, texts: list[TextMessage], now: datetime) -> None:
    """Hand claimed (SENDING, committed) SMS to the provider side by side, then record the
    outcomes: SENT with the provider's reference, in one statement for the batch; after a
    provider error, QUEUED again with its backoff or FAILED (``_failed``); an answer that
    cannot be read leaves SENDING (settled as unknown by the sweep, never resent). The
    rows given are updated in place."""
    if not texts:
        return
    provider = sms_provider()
    # Tagged here: in the pool's threads, Django's connection is another one, in no schema.
    tagged = [(text, text_tag(text)) for text in texts]

    def send(item: tuple[TextMessage, str]) -> Sent | Exception:
        text, tag = item
        try:
            return provider.send(to=text.phone, text=text.body, tag=tag)
        except Exception as exc:  # noqa: BLE001 — one SMS's outcome, the others' recorded
            return exc

    outcomes = [send(tagged[0])] if len(texts) == 1 else list(_send_pool().map(send, tagged))
    sent = [(text, out) for text, out in zip(texts, outcomes, strict=True) if isinstance(out, Sent)]
    _texts_sent(sent)
    for text, outcome in zip(texts, outcomes, strict=True):
        if isinstance(outcome, ProviderError):
            _failed(text=text, error=outcome, now=now)
        elif isinstance(outcome, Exception):
            # Not known whether the provider took it (an answer we cannot read): left
            # SENDING, the sweep settles it as unknown; never sent again.
            logger.error("SMS %s: unreadable outcome", text.pk, exc_info=outcome)


def _texts_sent(sent: list[tuple[TextMessage, Sent]]) -> None:
    """Record SMS the provider took, in two statements whatever their number; a segment
    count the provider gives, when it differs from ours, corrects the row and its month."""
    if not sent:
        return
    at = timezone.now()
    corrected = [(text, out.segments) for text, out in sent if out.segments not in (None, 0)]
    corrected = [(text, count) for text, count in corrected if count != text.segments]
    fields = {
        "status": TextMessage.Status.SENT,
        "provider_ref": Case(
            *(When(pk=text.pk, then=Value(out.provider_ref[:100])) for text, out in sent),
            output_field=CharField(),
        ),
        "sent_at": at,
        "status_at": at,
        "reason": "",
    }
    if corrected:
        fields["segments"] = Case(
            *(When(pk=text.pk, then=Value(count)) for text, count in corrected),
            default=F("segments"),
        )
    with transaction.atomic():
        TextMessage.objects.filter(
            pk__in=[text.pk for text, _out in sent], status=TextMessage.Status.SENDING
        ).update(**fields)
        for month, change in _by_month(corrected).items():
            SmsMonth.objects.filter(schema_name=connection.schema_name, month=month).update(
                segments=F("segments") + change
            )
    for text, out in sent:
        text.status, text.provider_ref = TextMessage.Status.SENT, out.provider_ref[:100]
        text.reason = ""
        text.sent_at = text.status_at = at
    for text, count in corrected:
        text.segments = count


def _by_month(corrected: list[tuple[TextMessage, int]]) -> dict[date, int]:
    changes: dict[date, int] = {}
    for text, count in corrected:
        month = month_of(text.created_at)
        changes[month] = changes.get(month, 0) + count - text.segments
    return changes


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
