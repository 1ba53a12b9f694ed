"""Writes of the support desk (seed 001, GIP RECIA, art. 4). Each action is one transaction
that records its trace (a message of kind "event") and the e-mails it owes
(``SupportNotice`` rows, owed through portal.owed: sent once by the worker after commit).

Lock order: the request row (``select_for_update``) before its notices; a filing locks
only the year's ``ReferenceCounter`` row. Nothing is rendered or mailed under a lock but
the owed row of the notice being sent (portal.owed ``owed_issuing``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from portal.audit.trail import SYSTEM_JOB, Actor, audit_action, audit_record
from portal.owed.services import owed_record
from portal.text import search_key
from portal.uploads import upload_check
from support import clock
from support.models import (
    HelpArticle,
    ReferenceCounter,
    SupportAttachment,
    SupportMessage,
    SupportNotice,
    SupportRequest,
)

Status = SupportRequest.Status
Kind = SupportRequest.Kind

MAX_ATTACHMENTS = 5

HELP_ARTICLE_SAVED = audit_action("support.help_article_saved", _("Article d'aide enregistré"))
for _kind, _label in SupportMessage.Kind.choices:
    audit_action(f"support.{_kind}", format_lazy("Assistance : {}", _label))


def _idle_close_days() -> int:
    # How long a request may wait for the member before it is closed with a notice.
    return getattr(settings, "SUPPORT_IDLE_CLOSE_DAYS", 15)


def _next_reference(year: int) -> str:
    counter, _ = ReferenceCounter.objects.get_or_create(year=year)
    counter = ReferenceCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"AS-{year}-{counter.last:05d}"


def _check_files(files) -> list:
    files = [f for f in files or [] if f]
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError(f"{MAX_ATTACHMENTS} pièces jointes au plus par message.")
    return [(f, upload_check(f)) for f in files]


def _message_add(*, request, kind, body, author, from_desk, checked_files=()) -> SupportMessage:
    message = SupportMessage.objects.create(
        request=request, kind=kind, body=body, author=author, from_desk=from_desk
    )
    for uploaded, checked in checked_files:
        uploaded.seek(0)
        SupportAttachment.objects.create(
            message=message,
            name=checked.name[:255],
            # The type read from the content, never the browser's claim.
            content_type=checked.content_type,
            size=checked.size,
            data=uploaded.read(),
        )
    audit_record(
        acting_user=author or SYSTEM_JOB,
        action=f"support.{kind}",
        target=request,
        summary=f"{request.reference} : {SupportMessage.Kind(kind).label} — {body[:150]}",
        details={"message": message.pk, "files": len(checked_files)},
        collectivite_id=request.collectivite_id,
    )
    return message


def _notice_owe(request: SupportRequest, kind: str, key: str = "") -> None:
    """Record an e-mail as owed (once per key) with portal.owed, in the current transaction:
    the worker's ``support.notice_send`` is queued once it commits."""
    try:
        with transaction.atomic():
            notice = SupportNotice.objects.create(request=request, kind=kind, key=key[:64])
    except IntegrityError:
        return  # already owed (and perhaps sent)
    owed_record(kind=SupportNotice.OWED_KIND, subject_ids=[notice.pk], task="support.notice_send")


def _event(request, author, body: str) -> None:
    _message_add(
        request=request, kind=SupportMessage.Kind.EVENT, body=body, author=author, from_desk=True
    )


def _locked(request: SupportRequest) -> SupportRequest:
    return SupportRequest.objects.select_for_update().get(pk=request.pk)


def _refuse_closed(request: SupportRequest) -> None:
    if not request.is_open:
        raise ValidationError("Cette demande est close : ouvrez-en une nouvelle si besoin.")


@transaction.atomic
def support_request_file(
    *,
    collectivite,
    user,
    kind: str,
    subject: str,
    description: str,
    application: str = "",
    files=(),
    now: datetime | None = None,
) -> SupportRequest:
    """File a request: a reference, the due time to take it into account (and, for an
    administrative request, the week to answer it) set at once; the desk is told."""
    if kind not in Kind.values:
        raise ValidationError("Type de demande inconnu.")
    subject, description = subject.strip(), description.strip()
    if not subject or not description:
        raise ValidationError("L'objet et la description sont obligatoires.")
    checked = _check_files(files)
    now = now or timezone.now()
    request = SupportRequest.objects.create(
        reference=_next_reference(timezone.localtime(now).year),
        collectivite=collectivite,
        kind=kind,
        application=application,
        subject=subject[:200],
        filed_by=user,
        filed_at=now,
        take_due_at=clock.take_into_account_due(now),
        answer_due_at=clock.administrative_answer_due(now) if kind == Kind.ADMINISTRATIVE else None,
    )
    _message_add(
        request=request,
        kind=SupportMessage.Kind.DESCRIPTION,
        body=description,
        author=user,
        from_desk=False,
        checked_files=checked,
    )
    _notice_owe(request, SupportNotice.Kind.FILED)
    return request


def _take(request: SupportRequest, user, now: datetime) -> None:
    if request.taken_at is None:
        request.taken_at = now
        request.status = Status.TAKEN
        if request.assignee_id is None:
            request.assignee = user
        _event(request, user, "Demande prise en compte.")


@transaction.atomic
def support_request_take(*, request: SupportRequest, user, now: datetime | None = None):
    """Take the request into account: this stops its first clock (seed 001 art. 4)."""
    request = _locked(request)
    _refuse_closed(request)
    if request.taken_at is not None:
        raise ValidationError("Cette demande est déjà prise en compte.")
    _take(request, user, now or timezone.now())
    request.save()
    return request


@transaction.atomic
def support_request_assign(*, request: SupportRequest, assignee, by) -> SupportRequest:
    request = _locked(request)
    _refuse_closed(request)
    request.assignee = assignee
    request.save(update_fields=["assignee"])
    who = assignee.get_full_name() or assignee.email if assignee else "personne"
    _event(request, by, f"Demande confiée à {who}.")
    return request


def _resume_clock(request: SupportRequest, now: datetime) -> None:
    """The member answered: the production month, paused while waiting, runs again."""
    if request.waiting_since is not None:
        if request.kind == Kind.PRODUCTION and request.elements_complete_at is not None:
            paused = now - request.waiting_since
            request.paused_seconds += int(paused.total_seconds())
            request.answer_due_at = clock.production_due(
                elements_complete_at=request.elements_complete_at,
                paused=timedelta(seconds=request.paused_seconds),
            )
        request.waiting_since = None


@transaction.atomic
def support_request_reply(
    *,
    request: SupportRequest,
    user,
    body: str,
    from_desk: bool,
    internal: bool = False,
    wait_for_member: bool = False,
    files=(),
    now: datetime | None = None,
) -> SupportMessage:
    """A reply (the member is told), an internal note (desk only, never shown to the
    member), or a question that puts the request in wait for the member."""
    body = body.strip()
    if not body:
        raise ValidationError("Le message est vide.")
    if internal and not from_desk:
        raise ValidationError("Seul le support écrit des notes internes.")
    checked = _check_files(files)
    now = now or timezone.now()
    request = _locked(request)
    _refuse_closed(request)
    kind = SupportMessage.Kind.NOTE if internal else SupportMessage.Kind.REPLY
    message = _message_add(
        request=request,
        kind=kind,
        body=body,
        author=user,
        from_desk=from_desk,
        checked_files=checked,
    )
    if from_desk and not internal:
        _take(request, user, now)  # answering takes the request into account
        if wait_for_member:
            request.status = Status.WAITING_MEMBER
            request.waiting_since = now
        _notice_owe(request, SupportNotice.Kind.REPLY, key=str(message.pk))
    elif not from_desk:
        if request.status == Status.WAITING_MEMBER:
            request.status = Status.TAKEN
            _resume_clock(request, now)
        if request.assignee_id:
            _notice_owe(request, SupportNotice.Kind.REPLY, key=str(message.pk))
    request.save()
    return message


@transaction.atomic
def support_request_elements_complete(
    *, request: SupportRequest, user, now: datetime | None = None
) -> SupportRequest:
    """Production: every element is given; the month starts (seed 001 art. 4)."""
    request = _locked(request)
    _refuse_closed(request)
    if request.kind != Kind.PRODUCTION:
        raise ValidationError("Seule une mise en production attend des éléments.")
    if request.elements_complete_at is not None:
        raise ValidationError("Les éléments sont déjà complets.")
    now = now or timezone.now()
    _take(request, user, now)
    request.elements_complete_at = now
    request.answer_due_at = clock.production_due(elements_complete_at=now)
    request.save()
    _event(request, user, "Tous les éléments sont fournis : le délai d'un mois court.")
    return request


@transaction.atomic
def support_request_set_eta(
    *, request: SupportRequest, user, eta: datetime, now: datetime | None = None
) -> SupportRequest:
    """Incident: the likely restoration time; the member is told of each change (seed 001
    art. 4: "lui communiquera ... le délai probable de rétablissement")."""
    request = _locked(request)
    _refuse_closed(request)
    if request.kind != Kind.INCIDENT:
        raise ValidationError("Un délai de rétablissement ne concerne qu'un incident.")
    now = now or timezone.now()
    if eta <= now:
        raise ValidationError("Le rétablissement probable doit être dans le futur.")
    if eta > now + timedelta(days=366):
        raise ValidationError("Le rétablissement probable doit être dans l'année.")
    _take(request, user, now)
    request.restoration_eta = eta
    request.save()
    _event(request, user, f"Rétablissement probable : {timezone.localtime(eta):%d/%m/%Y %H:%M}.")
    _notice_owe(request, SupportNotice.Kind.ETA, key=eta.isoformat())
    return request


@transaction.atomic
def support_request_resolve(
    *, request: SupportRequest, user, body: str, now: datetime | None = None
) -> SupportRequest:
    """The desk says it is resolved; the member confirms (or answers, which reopens it)."""
    request = _locked(request)
    _refuse_closed(request)
    now = now or timezone.now()
    _take(request, user, now)
    request.status = Status.RESOLVED
    request.resolved_at = now
    request.waiting_since = None
    request.save()
    message = _message_add(
        request=request,
        kind=SupportMessage.Kind.REPLY,
        body=body.strip() or "Votre demande est résolue.",
        author=user,
        from_desk=True,
    )
    _notice_owe(request, SupportNotice.Kind.REPLY, key=str(message.pk))
    return request


@transaction.atomic
def support_request_confirm(*, request: SupportRequest, user, reopen: bool = False):
    """The member confirms the resolution (closed), or says it is not (reopened)."""
    request = _locked(request)
    if request.status != Status.RESOLVED:
        raise ValidationError("Cette demande n'est pas marquée résolue.")
    if reopen:
        request.status = Status.TAKEN
        request.resolved_at = None
        _message_add(
            request=request,
            kind=SupportMessage.Kind.EVENT,
            body="La collectivité indique que le problème n'est pas résolu.",
            author=user,
            from_desk=False,
        )
    else:
        request.status = Status.CLOSED
        request.closed_at = timezone.now()
        _message_add(
            request=request,
            kind=SupportMessage.Kind.EVENT,
            body="La collectivité confirme la résolution.",
            author=user,
            from_desk=False,
        )
    request.save()
    return request


def support_close_idle(*, now: datetime | None = None) -> int:
    """Close, with a notice to the member, the requests that waited for the member longer
    than SUPPORT_IDLE_CLOSE_DAYS. Safe to run twice."""
    now = now or timezone.now()
    limit = now - timedelta(days=_idle_close_days())
    closed = 0
    ids = SupportRequest.objects.filter(
        status=Status.WAITING_MEMBER, waiting_since__lt=limit
    ).values_list("pk", flat=True)
    for pk in ids:
        with transaction.atomic():
            request = (
                SupportRequest.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=Status.WAITING_MEMBER, waiting_since__lt=limit)
                .first()
            )
            if request is None:
                continue
            request.status = Status.CLOSED
            request.closed_at = now
            request.save()
            _event(
                request,
                None,
                f"Close sans réponse de la collectivité depuis {_idle_close_days()} jours.",
            )
            _notice_owe(request, SupportNotice.Kind.CLOSED_IDLE)
            closed += 1
    return closed


def support_due_reminders(*, now: datetime | None = None) -> int:
    """Remind the desk once, one hour before a due time, of every request not yet handled
    by then (taking into account, or the answer of an administrative or production
    request). Safe to run twice: the notice is keyed on the due time."""
    now = now or timezone.now()
    soon = now + timedelta(hours=1)
    owed = 0
    untaken = SupportRequest.objects.filter(
        taken_at__isnull=True, status=Status.NEW, take_due_at__gt=now, take_due_at__lte=soon
    ).values_list("pk", "take_due_at")
    answers = SupportRequest.objects.filter(
        status=Status.TAKEN, answer_due_at__gt=now, answer_due_at__lte=soon
    ).values_list("pk", "answer_due_at")
    for pk, due in [*untaken, *answers]:
        with transaction.atomic():
            request = SupportRequest.objects.get(pk=pk)
            before = SupportNotice.objects.filter(request=request).count()
            _notice_owe(request, SupportNotice.Kind.DUE_SOON, key=due.isoformat())
            owed += SupportNotice.objects.filter(request=request).count() - before
    return owed


@transaction.atomic
def help_article_save(*, acting_user: Actor, article: HelpArticle) -> HelpArticle:
    created = article.pk is None
    article.search_text = search_key(f"{article.title} {article.body}")
    article.full_clean()
    article.save()
    audit_record(
        acting_user=acting_user,
        action=HELP_ARTICLE_SAVED,
        target=article,
        summary=f"Article d'aide « {article.title} » {'créé' if created else 'modifié'}",
        collectivite_id=None,
    )
    return article
